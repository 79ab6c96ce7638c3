#include "exec/ops/leaky_relu.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

const ir::Model& leaky(ArithModel& b, DType t, float alpha) {
  const bool q = t != DType::kFloat32;
  const int32_t in = b.tensor({3}, t, q ? 0.5f : 0.0f, q ? 4 : 0);
  const int32_t out = b.tensor({3}, t, q ? 0.25f : 0.0f, q ? -6 : 0);
  return b.op(ir::OpType::kLeakyRelu, {in}, out, ir::LeakyReluOptions{alpha});
}

TEST(LeakyReluPrepare, IdentityAndAlphaMultipliers) {
  ArithModel b;
  const ir::Model& m = leaky(b, DType::kInt8, 0.25f);
  const LeakyReluPrepared p = prepare_leaky_relu(m, b.first_op());
  EXPECT_EQ(p.quantized.identity_multiplier, 1 << 30);  // 0.5 / 0.25 = 2
  EXPECT_EQ(p.quantized.identity_shift, 2);
  EXPECT_EQ(p.quantized.alpha_multiplier, 1 << 30);  // 0.5 * 0.25 / 0.25 = 0.5
  EXPECT_EQ(p.quantized.alpha_shift, 0);
  EXPECT_EQ(p.quantized.input_zero_point, 4);
  EXPECT_EQ(p.quantized.output_zero_point, -6);
}

TEST(LeakyReluPrepare, NegativeAlphaKeepsItsSign) {
  ArithModel b;
  const ir::Model& m = leaky(b, DType::kInt16, -0.5f);
  const LeakyReluPrepared p = prepare_leaky_relu(m, b.first_op());
  EXPECT_EQ(p.quantized.alpha_multiplier, -(1 << 30));  // -1 = -0.5 * 2^1
  EXPECT_EQ(p.quantized.alpha_shift, 1);
}

TEST(LeakyReluPrepare, FloatKeepsAlpha) {
  ArithModel b;
  const ir::Model& m = leaky(b, DType::kFloat32, 0.3f);
  const LeakyReluPrepared p = prepare_leaky_relu(m, b.first_op());
  EXPECT_EQ(p.alpha, 0.3f);
  EXPECT_EQ(p.size, 3);
}

TEST(LeakyReluPrepare, RejectsMixedTypes) {
  ArithModel b;
  const int32_t in = b.tensor({3}, DType::kInt8, 0.5f, 0);
  const int32_t out = b.tensor({3}, DType::kInt16, 0.5f, 0);
  const ir::Model& m = b.op(ir::OpType::kLeakyRelu, {in}, out, ir::LeakyReluOptions{0.2f});
  EXPECT_THROW(prepare_leaky_relu(m, b.first_op()), Error);
}

}  // namespace
}  // namespace kiln::exec
