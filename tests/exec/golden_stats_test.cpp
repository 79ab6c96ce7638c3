// The figures `kiln inspect` reports agree with the golden manifests (which were computed by
// the data's authors with their own tools).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "golden_data.h"
#include "ir/op_stats.h"
#include "tflite/reader.h"

namespace kiln {
namespace {

TEST(GoldenStatsTest, ParameterCountsMatchManifests) {
  const auto models = testing::golden_models();
  if (models.empty())
    GTEST_SKIP() << "shared golden models not found at " << testing::golden_root();
  for (const std::string& name : models) {
    std::ifstream in(testing::golden_root() / name / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    const ir::Model model =
        tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
    EXPECT_EQ(ir::model_stats(model).parameters, manifest.at("param_elements").get<int64_t>())
        << name;
  }
}

}  // namespace
}  // namespace kiln
