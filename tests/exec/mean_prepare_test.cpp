#include "exec/ops/mean.h"

#include <gtest/gtest.h>

#include "arith_model_builder.h"
#include "core/error.h"
#include "exec/executor.h"
#include "exec/prepare_util.h"

namespace kiln::exec {
namespace {

using ir::DType;
using testing::ArithModel;

const ir::Model& mean(ArithModel& b, std::vector<int32_t> in_shape, std::vector<int32_t> axes,
                      std::vector<int32_t> out_shape, float si, int64_t zpi, float so, int64_t zpo,
                      bool keep_dims = false) {
  const int32_t in = b.tensor(std::move(in_shape), DType::kInt8, si, zpi);
  const int32_t axis = b.constant_i32(axes);
  const int32_t out = b.tensor(std::move(out_shape), DType::kInt8, so, zpo);
  return b.op(ir::OpType::kMean, {in, axis}, out, ir::ReducerOptions{keep_dims});
}

TEST(MeanPrepare, GlobalAveragePoolingLikeMagicWand) {
  // The magic_wand model's MEAN: [1,4,4,64] over axes 1 and 2, different scales.
  ArithModel b;
  const ir::Model& m = mean(b, {1, 4, 4, 64}, {1, 2}, {1, 64}, 0.05079137906432152f, -128,
                            0.00932384468615055f, -128);
  const MeanPrepared p = prepare_mean(m, b.first_op());
  EXPECT_EQ(p.quantized.mode, rt::kMeanRescale);
  EXPECT_EQ(rt::mean_output_size(p.shape), 64);
  EXPECT_EQ(rt::mean_reduced_count(p.shape), 16);
  // count = 16 = 2^4: folding 1/16 leaves the mantissa unchanged and lowers the shift by 4.
  int32_t multiplier = 0;
  int shift = 0;
  quantize_multiplier(static_cast<double>(0.05079137906432152f) / 0.00932384468615055f, &multiplier,
                      &shift);
  EXPECT_EQ(p.quantized.multiplier, multiplier);
  EXPECT_EQ(p.quantized.shift, shift - 4);
  EXPECT_EQ(p.quantized.input_zero_point, -128);
}

TEST(MeanPrepare, SameQuantizationDividesIntegers) {
  ArithModel b;
  const ir::Model& m = mean(b, {2, 3}, {-1}, {2, 1}, 0.1f, 5, 0.1f, 5, true);
  const MeanPrepared p = prepare_mean(m, b.first_op());
  EXPECT_EQ(p.quantized.mode, rt::kMeanIntegerDivide);
  EXPECT_EQ(rt::mean_reduced_count(p.shape), 3);  // axis -1 is the last
}

TEST(MeanPrepare, DuplicateAxesCountOnce) {
  ArithModel b;
  const ir::Model& m = mean(b, {2, 3, 4}, {1, -2, 1}, {2, 4}, 0.1f, 0, 0.2f, 0);
  EXPECT_EQ(rt::mean_reduced_count(prepare_mean(m, b.first_op()).shape), 3);
}

TEST(MeanPrepare, RejectsBadAxesAndShapes) {
  {
    ArithModel b;
    const ir::Model& m = mean(b, {2, 3}, {2}, {2}, 0.1f, 0, 0.1f, 0);
    EXPECT_THROW(prepare_mean(m, b.first_op()), Error);  // axis out of range
  }
  {
    ArithModel b;
    const ir::Model& m = mean(b, {2, 3}, {1}, {3}, 0.1f, 0, 0.1f, 0);
    EXPECT_THROW(prepare_mean(m, b.first_op()), Error);  // output holds 3, not 2
  }
  {
    ArithModel b;
    const int32_t in = b.tensor({2, 3}, DType::kInt8, 0.1f, 0);
    const int32_t axis = b.tensor({1}, DType::kInt32);  // not constant
    const int32_t out = b.tensor({2}, DType::kInt8, 0.1f, 0);
    const ir::Model& m = b.op(ir::OpType::kMean, {in, axis}, out, ir::ReducerOptions{});
    EXPECT_THROW(prepare_mean(m, b.first_op()), Error);
  }
}

TEST(MeanPrepare, RunsThroughTheExecutor) {
  // in scale 1 zp 0 -> out scale 0.5 zp -1 over axis 1: out = 2 * mean - 1.
  ArithModel b;
  const ir::Model& m = mean(b, {2, 4}, {1}, {2}, 1.0f, 0, 0.5f, -1);
  Executor ex(m);
  const int8_t x[] = {1, 2, 3, 4, -8, -8, -8, -4};
  ex.set_input(0, {reinterpret_cast<const uint8_t*>(x), 8});
  ex.invoke();
  const auto y = ex.output(0);
  EXPECT_EQ(static_cast<int8_t>(y[0]), 4);    // 2 * 2.5 - 1
  EXPECT_EQ(static_cast<int8_t>(y[1]), -15);  // 2 * -7 - 1
}

}  // namespace
}  // namespace kiln::exec
