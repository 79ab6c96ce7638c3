#include "exec/ops/softmax.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

const ir::Model& softmax(ArithModel& b, float in_scale, DType out_type, float out_scale,
                         int64_t out_zp, float beta = 1.0f) {
  const int32_t in = b.tensor({2, 5}, DType::kInt8, in_scale, 7);
  const int32_t out = b.tensor({2, 5}, out_type, out_scale, out_zp);
  return b.op(ir::OpType::kSoftmax, {in}, out, ir::SoftmaxOptions{beta});
}

TEST(SoftmaxPrepare, Int8ScalingWorkedByHand) {
  // 0.1f = 13421773 * 2^-27, so beta * scale * 2^26 = 6710886.5 = 0.80000001192 * 2^23:
  // mantissa 6710886.5 * 2^8 = 1717986944, shift 23; diff_min = -floor(31 * 2^26 / 2^23).
  ArithModel b;
  const ir::Model& m = softmax(b, 0.1f, DType::kInt8, 1.0f / 256, -128);
  const SoftmaxPrepared p = prepare_softmax(m, b.first_op());
  EXPECT_EQ(p.quantized.input_multiplier, 1717986944);
  EXPECT_EQ(p.quantized.input_left_shift, 23);
  EXPECT_EQ(p.quantized.diff_min, -248);
  EXPECT_EQ(p.quantized.outer_size, 2);
  EXPECT_EQ(p.quantized.depth, 5);
}

TEST(SoftmaxPrepare, BetaScalesTheMultiplier) {
  ArithModel b;
  const ir::Model& m = softmax(b, 0.1f, DType::kInt8, 1.0f / 256, -128, 0.5f);
  const SoftmaxPrepared p = prepare_softmax(m, b.first_op());
  EXPECT_EQ(p.quantized.input_multiplier, 1717986944);  // same mantissa, one power of two less
  EXPECT_EQ(p.quantized.input_left_shift, 22);
  EXPECT_EQ(p.quantized.diff_min, -496);
}

TEST(SoftmaxPrepare, Int16Output) {
  ArithModel b;
  const ir::Model& m = softmax(b, 0.1f, DType::kInt16, 1.0f / 65536, -32768);
  const SoftmaxPrepared p = prepare_softmax(m, b.first_op());
  EXPECT_EQ(p.output_dtype, DType::kInt16);
}

TEST(SoftmaxPrepare, RejectsOtherOutputQuantization) {
  {
    ArithModel b;
    const ir::Model& m = softmax(b, 0.1f, DType::kInt8, 1.0f / 256, 0);
    EXPECT_THROW(prepare_softmax(m, b.first_op()), Error);
  }
  {
    ArithModel b;
    const ir::Model& m = softmax(b, 0.1f, DType::kInt8, 1.0f / 255, -128);
    EXPECT_THROW(prepare_softmax(m, b.first_op()), Error);
  }
  {
    ArithModel b;  // beta * scale so small the scaled difference never reaches one unit
    const ir::Model& m = softmax(b, 1e-9f, DType::kInt8, 1.0f / 256, -128);
    EXPECT_THROW(prepare_softmax(m, b.first_op()), Error);
  }
}

TEST(SoftmaxPrepare, Float) {
  ArithModel b;
  const int32_t in = b.tensor({3, 4}, DType::kFloat32);
  const int32_t out = b.tensor({3, 4}, DType::kFloat32);
  const ir::Model& m = b.op(ir::OpType::kSoftmax, {in}, out, ir::SoftmaxOptions{2.0f});
  const SoftmaxPrepared p = prepare_softmax(m, b.first_op());
  EXPECT_EQ(p.float_params.outer_size, 3);
  EXPECT_EQ(p.float_params.depth, 4);
  EXPECT_EQ(p.float_params.beta, 2.0f);
}

}  // namespace
}  // namespace kiln::exec
