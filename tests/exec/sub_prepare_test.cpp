#include "exec/ops/sub.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"
#include "exec/ops/add.h"
#include "exec/prepare_util.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

const ir::Model& binary(ArithModel& b, ir::OpType type, float s1, float s2, float so) {
  const int32_t a = b.tensor({4}, DType::kInt8, s1, 0);
  const int32_t c = b.tensor({4}, DType::kInt8, s2, 0);
  const int32_t o = b.tensor({4}, DType::kInt8, so, 0);
  return b.op(type, {a, c}, o, ir::ElementwiseOptions{});
}

TEST(SubPrepare, PowerOfTwoScales) {
  ArithModel b;
  const ir::Model& m = binary(b, ir::OpType::kSub, 0.25f, 0.5f, 1.0f);
  const SubPrepared p = prepare_sub(m, b.first_op());
  EXPECT_EQ(p.quantized.input1_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.input1_shift, -1);  // 0.25 / 1
  EXPECT_EQ(p.quantized.input2_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.input2_shift, 0);  // 0.5 / 1
  EXPECT_EQ(p.quantized.output_shift, -19);
}

TEST(SubPrepare, RatiosAreFormedInSinglePrecision) {
  // TFLM's SUB divides float scales in float; its multipliers follow the float quotients.
  const float s1 = 0.0123f, s2 = 0.0457f, so = 0.0311f;
  ArithModel b;
  const ir::Model& m = binary(b, ir::OpType::kSub, s1, s2, so);
  const SubPrepared p = prepare_sub(m, b.first_op());
  const float twice = 2.0f * s2;
  int32_t want = 0;
  int shift = 0;
  quantize_multiplier(static_cast<double>(s1 / twice), &want, &shift);
  EXPECT_EQ(p.quantized.input1_multiplier, want);
  EXPECT_EQ(p.quantized.input1_shift, shift);
  quantize_multiplier(static_cast<double>(twice / (1048576.0f * so)), &want, &shift);
  EXPECT_EQ(p.quantized.output_multiplier, want);
  EXPECT_EQ(p.quantized.output_shift, shift);

  // ADD's double-precision ratio for the same first input lands elsewhere for these scales.
  ArithModel b2;
  const ir::Model& m2 = binary(b2, ir::OpType::kAdd, s1, s2, so);
  const AddPrepared a = prepare_add(m2, b2.first_op());
  EXPECT_NE(a.quantized.input1_multiplier, p.quantized.input1_multiplier);
}

TEST(SubPrepare, RejectsUnsupportedType) {
  ArithModel b;
  const int32_t a = b.tensor({2}, DType::kInt32);
  const int32_t c = b.tensor({2}, DType::kInt32);
  const int32_t o = b.tensor({2}, DType::kInt32);
  const ir::Model& m = b.op(ir::OpType::kSub, {a, c}, o);
  EXPECT_THROW(prepare_sub(m, b.first_op()), Error);
}

}  // namespace
}  // namespace kiln::exec
