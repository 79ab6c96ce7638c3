#include "exec/ops/relu.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "exec/executor.h"
#include "shape_model_builder.h"

namespace kiln::exec {
namespace {

using ir::DType;
using ir::OpType;
using testing::OpModelBuilder;

ir::Model& unary(OpModelBuilder& b, OpType type, DType dtype, float in_scale, int64_t in_zp,
                 float out_scale, int64_t out_zp, std::vector<int32_t> shape = {2, 3}) {
  const int32_t in = b.tensor(shape, dtype, in_scale, in_zp);
  const int32_t out = b.tensor(shape, dtype, out_scale, out_zp);
  return b.op(type, {in}, out);
}

TEST(ReluPrepare, Int8MultiplierAndBounds) {
  OpModelBuilder b;
  const ir::Model& m = unary(b, OpType::kRelu, DType::kInt8, 0.5f, -10, 0.25f, 5);
  const ReluPrepared p = prepare_relu(m, m.operators[0]);
  EXPECT_EQ(p.dtype, DType::kInt8);
  EXPECT_EQ(p.size, 6);
  // 0.5 / 0.25 = 2 = 0.5 * 2^2: mantissa 2^30, shift 2.
  EXPECT_EQ(p.quantized.output_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.output_shift, 2);
  EXPECT_EQ(p.quantized.input_zero_point, -10);
  EXPECT_EQ(p.quantized.output_zero_point, 5);
  EXPECT_EQ(p.quantized.activation_min, 5);  // real 0 in the output domain
  EXPECT_EQ(p.quantized.activation_max, 127);
}

TEST(ReluPrepare, Int8MultiplierMatchesScaleRatio) {
  OpModelBuilder b;
  const ir::Model& m = unary(b, OpType::kRelu, DType::kInt8, 0.0235f, -128, 0.0117f, -128);
  const ReluPrepared p = prepare_relu(m, m.operators[0]);
  const double ratio = 0.0235f / static_cast<double>(0.0117f);
  const double represented =
      p.quantized.output_multiplier * std::ldexp(1.0, p.quantized.output_shift - 31);
  EXPECT_NEAR(represented, ratio, ratio * 1e-9);
  EXPECT_GE(p.quantized.output_multiplier, 1 << 30);
  EXPECT_EQ(p.quantized.activation_min, -128);
}

TEST(ReluPrepare, Int16NeedsZeroZeroPoints) {
  OpModelBuilder b;
  const ir::Model& m = unary(b, OpType::kRelu, DType::kInt16, 0.001f, 3, 0.001f, 0);
  EXPECT_THROW(prepare_relu(m, m.operators[0]), Error);
  OpModelBuilder ok;
  const ir::Model& m2 = unary(ok, OpType::kRelu, DType::kInt16, 0.001f, 0, 0.002f, 0);
  EXPECT_EQ(prepare_relu(m2, m2.operators[0]).quantized.activation_min, 0);
}

TEST(ReluPrepare, RejectsTypeMismatchAndUnsupportedTypes) {
  OpModelBuilder b;
  const int32_t in = b.tensor({4}, DType::kInt8, 1.0f, 0);
  const int32_t out = b.tensor({4}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kRelu, {in}, out);
  EXPECT_THROW(prepare_relu(m, m.operators[0]), Error);
  OpModelBuilder b2;
  const ir::Model& m2 = unary(b2, OpType::kRelu6, DType::kUInt8, 1.0f, 0, 1.0f, 0);
  EXPECT_THROW(prepare_relu6(m2, m2.operators[0]), Error);
  OpModelBuilder b3;
  const ir::Model& m3 = unary(b3, OpType::kRelu, DType::kInt8, 0.0f, 0, 1.0f, 0);
  EXPECT_THROW(prepare_relu(m3, m3.operators[0]), Error);  // no input quantization
}

TEST(Relu6Prepare, Int8UsesInputQuantizationOnly) {
  // six = -100 + round(6 / 0.05) = 20; the output's (different) quantization is ignored, as in
  // TFLM.
  OpModelBuilder b;
  const ir::Model& m = unary(b, OpType::kRelu6, DType::kInt8, 0.05f, -100, 0.9f, 7);
  const Relu6Prepared p = prepare_relu6(m, m.operators[0]);
  EXPECT_EQ(p.quantized.lower, -100);
  EXPECT_EQ(p.quantized.upper, 20);
}

TEST(Relu6Prepare, Int8SixSaturatesAtTypeMax) {
  OpModelBuilder b;
  const ir::Model& m = unary(b, OpType::kRelu6, DType::kInt8, 0.01f, 0, 0.01f, 0);
  EXPECT_EQ(prepare_relu6(m, m.operators[0]).quantized.upper, 127);
}

TEST(Relu6Prepare, Int16) {
  OpModelBuilder b;
  const ir::Model& m = unary(b, OpType::kRelu6, DType::kInt16, 0.001f, 0, 0.001f, 0);
  const Relu6Prepared p = prepare_relu6(m, m.operators[0]);
  EXPECT_EQ(p.quantized.lower, 0);
  EXPECT_EQ(p.quantized.upper, 6000);
}

TEST(ReluKernel, Int8RequantizesThroughExecutor) {
  OpModelBuilder b;
  ir::Model& m = unary(b, OpType::kRelu, DType::kInt8, 0.5f, -10, 0.25f, 5, {5});
  Executor ex(m);
  ex.set_input(0, testing::bytes_of(std::vector<int8_t>{-10, -20, 0, 3, 100}));
  ex.invoke();
  // real 0, -5, 5, 6.5, 55 -> 5 + real / 0.25, clamped to [5, 127].
  EXPECT_EQ(testing::values_of<int8_t>(ex.output(0)), (std::vector<int8_t>{5, 5, 25, 31, 127}));
}

TEST(Relu6Kernel, FloatThroughExecutor) {
  OpModelBuilder b;
  ir::Model& m = unary(b, OpType::kRelu6, DType::kFloat32, 0.0f, 0, 0.0f, 0, {4});
  Executor ex(m);
  ex.set_input(0, testing::bytes_of(std::vector<float>{-1.0f, 0.5f, 6.5f, 3.0f}));
  ex.invoke();
  EXPECT_EQ(testing::values_of<float>(ex.output(0)), (std::vector<float>{0.0f, 0.5f, 6.0f, 3.0f}));
}

}  // namespace
}  // namespace kiln::exec
