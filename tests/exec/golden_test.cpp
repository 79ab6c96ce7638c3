// Every golden model and every vector in ../shared/testdata/tflite must produce exactly the
// bytes TFLM's reference kernels produced. New model folders are picked up automatically.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "exec/executor.h"
#include "golden_data.h"
#include "tflite/reader.h"

namespace kiln {
namespace {

class GoldenModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenModelTest, OutputsAreBitExact) {
  const std::string name = GetParam();
  const ir::Model model =
      tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
  exec::Executor executor(model);
  const int vectors = testing::vector_count(name);
  ASSERT_GT(vectors, 0) << "no test vectors for " << name;
  for (int k = 0; k < vectors; ++k) {
    executor.reset();
    for (size_t i = 0; i < executor.num_inputs(); ++i) {
      const auto bytes =
          testing::read_bytes(testing::vector_file(name, "input", k, i, executor.num_inputs()));
      executor.set_input(i, bytes);
    }
    executor.invoke();
    for (size_t i = 0; i < executor.num_outputs(); ++i) {
      const auto expected =
          testing::read_bytes(testing::vector_file(name, "output", k, i, executor.num_outputs()));
      const auto actual = executor.output(i);
      ASSERT_EQ(actual.size(), expected.size()) << name << " vector " << k << " output " << i;
      size_t mismatches = 0, first = 0;
      for (size_t b = 0; b < expected.size(); ++b)
        if (actual[b] != expected[b] && mismatches++ == 0) first = b;
      EXPECT_EQ(mismatches, 0u) << name << " vector " << k << " output " << i << ": " << mismatches
                                << " of " << expected.size() << " bytes differ, first at byte "
                                << first << " (got " << int(int8_t(actual[first])) << ", want "
                                << int(int8_t(expected[first])) << ")";
    }
  }
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Shared, GoldenModelTest, ::testing::ValuesIn(testing::golden_models()),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenModelTest);

TEST(GoldenData, SharedFolderPresent) {
  if (testing::golden_models().empty())
    GTEST_SKIP() << "shared golden models not found at " << testing::golden_root()
                 << ": bit-exactness against TFLM is NOT being checked";
  SUCCEED();
}

}  // namespace
}  // namespace kiln
