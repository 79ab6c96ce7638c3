#include "exec/ops/tanh.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

TEST(TanhPrepare, SameInputScalingOtherOutput) {
  ArithModel b;
  const int32_t in = b.tensor({6}, DType::kInt8, 0.1f, -3);
  const int32_t out = b.tensor({6}, DType::kInt8, 1.0f / 128, 0);
  const ir::Model& m = b.op(ir::OpType::kTanh, {in}, out);
  const TanhPrepared p = prepare_tanh(m, b.first_op());
  EXPECT_EQ(p.quantized.input_multiplier, 1717986944);
  EXPECT_EQ(p.quantized.input_left_shift, 24);
  EXPECT_EQ(p.quantized.input_range_radius, 120);
  EXPECT_EQ(p.quantized.input_zero_point, -3);

  ArithModel wrong;
  const int32_t in2 = wrong.tensor({6}, DType::kInt8, 0.1f, 0);
  const int32_t out2 = wrong.tensor({6}, DType::kInt8, 1.0f / 256, -128);
  const ir::Model& m2 = wrong.op(ir::OpType::kTanh, {in2}, out2);
  EXPECT_THROW(prepare_tanh(m2, wrong.first_op()), Error);
}

TEST(TanhPrepare, Float) {
  ArithModel b;
  const int32_t in = b.tensor({2, 2}, DType::kFloat32);
  const int32_t out = b.tensor({4}, DType::kFloat32);
  const ir::Model& m = b.op(ir::OpType::kTanh, {in}, out);
  EXPECT_EQ(prepare_tanh(m, b.first_op()).size, 4);
}

}  // namespace
}  // namespace kiln::exec
