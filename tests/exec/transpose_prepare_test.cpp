#include "exec/ops/transpose.h"

#include <gtest/gtest.h>

#include <numeric>

#include "core/error.h"
#include "exec/executor.h"
#include "shape_model_builder.h"

namespace kiln::exec {
namespace {

using ir::DType;
using ir::OpType;
using testing::OpModelBuilder;

TEST(TransposePrepare, ReadsPermutation) {
  OpModelBuilder b;
  const int32_t in = b.tensor({1, 2, 3, 4}, DType::kInt8, 1.0f, 0);
  const int32_t perm = b.constant_i32({0, 3, 1, 2});
  const int32_t out = b.tensor({1, 4, 2, 3}, DType::kInt8, 1.0f, 0);
  const ir::Model& m = b.op(OpType::kTranspose, {in, perm}, out);
  const TransposePrepared p = prepare_transpose(m, m.operators[0]);
  EXPECT_EQ(p.params.rank, 4);
  const int32_t expected_perm[4] = {0, 3, 1, 2}, expected_shape[4] = {1, 2, 3, 4};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(p.params.perm[i], expected_perm[i]);
    EXPECT_EQ(p.params.input_shape[i], expected_shape[i]);
  }
}

TEST(TransposePrepare, RejectsBadPermutations) {
  const auto attempt = [](std::vector<int32_t> perm, std::vector<int32_t> out_shape,
                          bool constant = true) {
    OpModelBuilder b;
    const int32_t in = b.tensor({2, 3, 4}, DType::kFloat32);
    const int32_t p = constant ? b.constant_i32(perm) : b.tensor({3}, DType::kInt32);
    const int32_t out = b.tensor(out_shape, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kTranspose, {in, p}, out);
    prepare_transpose(m, m.operators[0]);
  };
  EXPECT_NO_THROW(attempt({2, 0, 1}, {4, 2, 3}));
  EXPECT_THROW(attempt({2, 0, 1}, {4, 3, 2}), Error);   // output shape disagrees
  EXPECT_THROW(attempt({0, 0, 1}, {2, 2, 3}), Error);   // repeated axis
  EXPECT_THROW(attempt({-1, 0, 1}, {4, 2, 3}), Error);  // negative axis (TFLM rejects)
  EXPECT_THROW(attempt({0, 1}, {2, 3}), Error);         // too short
  EXPECT_THROW(attempt({2, 0, 1}, {4, 2, 3}, false), Error);
}

TEST(TransposeKernel, FiveDimensionsThroughExecutor) {
  OpModelBuilder b;
  const int32_t in = b.tensor({2, 1, 3, 1, 2}, DType::kInt16, 1.0f, 0);
  const int32_t perm = b.constant_i32({4, 2, 1, 3, 0});
  const int32_t out = b.tensor({2, 3, 1, 1, 2}, DType::kInt16, 1.0f, 0);
  const ir::Model& m = b.op(OpType::kTranspose, {in, perm}, out);
  Executor ex(m);
  std::vector<int16_t> data(12);
  std::iota(data.begin(), data.end(), int16_t{0});  // value = 6*a + 2*c + e at [a,0,c,0,e]
  ex.set_input(0, testing::bytes_of(data));
  ex.invoke();
  // Output [e, c, 0, 0, a] holds 6a + 2c + e.
  std::vector<int16_t> expected;
  for (int e = 0; e < 2; ++e)
    for (int c = 0; c < 3; ++c)
      for (int a = 0; a < 2; ++a) expected.push_back(static_cast<int16_t>(6 * a + 2 * c + e));
  EXPECT_EQ(testing::values_of<int16_t>(ex.output(0)), expected);
}

}  // namespace
}  // namespace kiln::exec
