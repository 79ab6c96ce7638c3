#include "exec/ops/mul.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arith_model_builder.h"
#include "core/error.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

TEST(MulPrepare, OutputMultiplierIsProductOverOutputScale) {
  ArithModel b;
  const int32_t a = b.tensor({2, 3}, DType::kInt8, 0.5f, 1);
  const int32_t c = b.tensor({3}, DType::kInt8, 0.25f, -2);
  const int32_t o = b.tensor({2, 3}, DType::kInt8, 0.125f, 5);
  const ir::Model& m = b.op(ir::OpType::kMul, {a, c}, o, ir::ElementwiseOptions{});
  const MulPrepared p = prepare_mul(m, b.first_op());
  EXPECT_EQ(p.quantized.output_multiplier, 1 << 30);  // M = 1 = 0.5 * 2^1
  EXPECT_EQ(p.quantized.output_shift, 1);
  EXPECT_EQ(p.quantized.input1_offset, -1);
  EXPECT_EQ(p.quantized.input2_offset, 2);
  EXPECT_EQ(p.quantized.output_offset, 5);
  EXPECT_EQ(rt::broadcast_output_size(p.shape), 6);
}

TEST(MulPrepare, GeneralScalesRepresentTheRatio) {
  ArithModel b;
  const int32_t a = b.tensor({4}, DType::kInt8, 0.0213f, 0);
  const int32_t c = b.tensor({4}, DType::kInt8, 0.0071f, 0);
  const int32_t o = b.tensor({4}, DType::kInt8, 0.0009f, 0);
  const ir::Model& m = b.op(ir::OpType::kMul, {a, c}, o);
  const MulPrepared p = prepare_mul(m, b.first_op());
  const double want = 0.0213f * static_cast<double>(0.0071f) / 0.0009f;
  const double have =
      p.quantized.output_multiplier * std::ldexp(1.0, p.quantized.output_shift - 31);
  EXPECT_NEAR(have, want, want * 1e-9);
}

TEST(MulPrepare, ReluClampAndTypeChecks) {
  ArithModel b;
  const int32_t a = b.tensor({4}, DType::kInt8, 0.1f, 0);
  const int32_t c = b.tensor({4}, DType::kInt8, 0.1f, 0);
  const int32_t o = b.tensor({4}, DType::kInt8, 0.1f, -20);
  const ir::Model& m =
      b.op(ir::OpType::kMul, {a, c}, o, ir::ElementwiseOptions{ir::Activation::kRelu});
  EXPECT_EQ(prepare_mul(m, b.first_op()).quantized.activation_min, -20);
  b.at(c).dtype = DType::kInt16;
  EXPECT_THROW(prepare_mul(m, b.first_op()), Error);
}

}  // namespace
}  // namespace kiln::exec
