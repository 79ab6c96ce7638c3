#include "exec/ops/logistic.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

TEST(LogisticPrepare, Q4ScalingWorkedByHand) {
  // 0.1f * 2^27 = 13421773 = 0.80000001192 * 2^24: mantissa 13421773 * 2^7, shift 24;
  // radius floor(15 * 2^27 / 2^24) = 120.
  ArithModel b;
  const int32_t in = b.tensor({6}, DType::kInt8, 0.1f, 3);
  const int32_t out = b.tensor({6}, DType::kInt8, 1.0f / 256, -128);
  const ir::Model& m = b.op(ir::OpType::kLogistic, {in}, out);
  const LogisticPrepared p = prepare_logistic(m, b.first_op());
  EXPECT_EQ(p.quantized.input_multiplier, 1717986944);
  EXPECT_EQ(p.quantized.input_left_shift, 24);
  EXPECT_EQ(p.quantized.input_range_radius, 120);
  EXPECT_EQ(p.quantized.input_zero_point, 3);
  EXPECT_EQ(p.quantized.size, 6);
}

TEST(LogisticPrepare, RequiresFixedOutputQuantization) {
  ArithModel b;
  const int32_t in = b.tensor({6}, DType::kInt8, 0.1f, 3);
  const int32_t out = b.tensor({6}, DType::kInt8, 1.0f / 256, 0);
  const ir::Model& m = b.op(ir::OpType::kLogistic, {in}, out);
  EXPECT_THROW(prepare_logistic(m, b.first_op()), Error);
}

TEST(LogisticPrepare, RejectsInt16AndOutOfRangeScales) {
  {
    ArithModel b;
    const int32_t in = b.tensor({6}, DType::kInt16, 1.0f / 4096, 0);
    const int32_t out = b.tensor({6}, DType::kInt16, 1.0f / 32768, 0);
    const ir::Model& m = b.op(ir::OpType::kLogistic, {in}, out);
    EXPECT_THROW(prepare_logistic(m, b.first_op()), Error);
  }
  {
    ArithModel b;
    const int32_t in = b.tensor({6}, DType::kInt8, 100.0f, 0);
    const int32_t out = b.tensor({6}, DType::kInt8, 1.0f / 256, -128);
    const ir::Model& m = b.op(ir::OpType::kLogistic, {in}, out);
    EXPECT_THROW(prepare_logistic(m, b.first_op()), Error);
  }
}

}  // namespace
}  // namespace kiln::exec
