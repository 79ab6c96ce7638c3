#include "exec/ops/conv2d.h"

#include <gtest/gtest.h>

#include <cmath>

#include "conv_test_models.h"
#include "core/error.h"
#include "exec/executor.h"
#include "exec/prepare_util.h"

namespace kiln {
namespace {

using ir::DType;
using testing::ModelBuilder;

// An int8 CONV_2D: input 1x5x5x2 (scale 0.5, zero point -3), filter 3x3x3x2 with the given
// scales, bias int32[3], output 1x3x3x3 (scale 0.25, zero point 5), SAME padding, stride 2.
struct Int8Conv {
  ModelBuilder b;
  int32_t input, filter, bias, output;
  ir::Conv2DOptions options;

  explicit Int8Conv(std::vector<float> filter_scales, int32_t filter_axis = 0) {
    input = b.tensor("in", {1, 5, 5, 2}, DType::kInt8, {0.5f}, {-3});
    filter = b.tensor("w", {3, 3, 3, 2}, DType::kInt8, filter_scales, {}, filter_axis,
                      std::vector<uint8_t>(54, 1));
    bias = b.tensor("b", {3}, DType::kInt32, {}, {}, 0, std::vector<uint8_t>(12, 0));
    output = b.tensor("out", {1, 3, 3, 3}, DType::kInt8, {0.25f}, {5});
    options.padding = ir::Padding::kSame;
    options.stride_h = options.stride_w = 2;
    options.activation = ir::Activation::kRelu;
  }
  exec::Conv2DPrepared prepare() {
    b.op(ir::OpType::kConv2D, {input, filter, bias}, {output}, options);
    return exec::prepare_conv2d(b.model, b.model.operators.back());
  }
};

TEST(PrepareConv2D, Int8PerChannelConstants) {
  Int8Conv conv({0.01f, 0.02f, 0.04f});
  const exec::Conv2DPrepared p = conv.prepare();
  EXPECT_EQ(p.dtype, DType::kInt8);
  EXPECT_TRUE(p.has_bias);
  EXPECT_EQ(p.params.input_offset, 3);
  EXPECT_EQ(p.params.output_offset, 5);
  EXPECT_EQ(p.params.act_min, 5);  // RELU: real 0 is the zero point
  EXPECT_EQ(p.params.act_max, 127);
  // SAME, 5 -> 3 with a 3-wide window and stride 2: total padding 2, one before.
  EXPECT_EQ(p.params.window.pad_h, 1);
  EXPECT_EQ(p.params.window.pad_w, 1);
  EXPECT_EQ(p.params.window.stride_h, 2);
  EXPECT_EQ(p.params.window.dilation_w, 1);
  EXPECT_EQ(p.output_shape.c, 3);
  ASSERT_EQ(p.output_multiplier.size(), 3u);
  // Real multipliers 0.5 * s / 0.25 = 0.02, 0.04, 0.08, each within half a unit of the
  // 31-bit mantissa.
  const float scales[] = {0.01f, 0.02f, 0.04f};
  for (size_t c = 0; c < 3; ++c) {
    const double real = 0.5 * static_cast<double>(scales[c]) / 0.25;
    const double represented =
        std::ldexp(static_cast<double>(p.output_multiplier[c]), p.output_shift[c] - 31);
    EXPECT_LE(std::abs(represented - real), std::ldexp(1.0, p.output_shift[c] - 32)) << c;
  }
  EXPECT_EQ(p.output_shift[1], p.output_shift[0] + 1);  // powers of two apart
  EXPECT_EQ(p.output_multiplier[1], p.output_multiplier[0]);
}

TEST(PrepareConv2D, MultiplierIsFormedInDoubleFromFloatScales) {
  // For these scales the float product input x filter rounds differently from the double one;
  // convolutions use the double product (the exact quantization of 0.014302060008049011 *
  // 0.008489593863487244 / 0.38424956798553467 is 1389734824 * 2^-42).
  ModelBuilder b;
  const int32_t in = b.tensor("in", {1, 1, 1, 1}, DType::kInt8, {0.014302060008049011f}, {0});
  const int32_t w = b.tensor("w", {1, 1, 1, 1}, DType::kInt8, {0.008489593863487244f}, {}, 0,
                             std::vector<uint8_t>(1, 1));
  const int32_t out = b.tensor("out", {1, 1, 1, 1}, DType::kInt8, {0.38424956798553467f}, {0});
  b.op(ir::OpType::kConv2D, {in, w}, {out}, ir::Conv2DOptions{});
  const exec::Conv2DPrepared p = exec::prepare_conv2d(b.model, b.model.operators[0]);
  EXPECT_FALSE(p.has_bias);
  ASSERT_EQ(p.output_multiplier.size(), 1u);
  EXPECT_EQ(p.output_multiplier[0], 1389734824);
  EXPECT_EQ(p.output_shift[0], -11);
}

TEST(PrepareConv2D, PerTensorFilterScaleIsBroadcast) {
  Int8Conv conv({0.02f});
  const exec::Conv2DPrepared p = conv.prepare();
  ASSERT_EQ(p.output_multiplier.size(), 3u);
  EXPECT_EQ(p.output_multiplier[0], p.output_multiplier[2]);
  EXPECT_EQ(p.output_shift[0], p.output_shift[2]);
}

TEST(PrepareConv2D, Float32Constants) {
  ModelBuilder b;
  const int32_t in = b.tensor("in", {2, 7, 7, 3}, DType::kFloat32);
  const int32_t w = b.tensor("w", {4, 3, 3, 3}, DType::kFloat32);
  const int32_t out = b.tensor("out", {2, 3, 3, 4}, DType::kFloat32);
  ir::Conv2DOptions options;
  options.padding = ir::Padding::kValid;
  options.dilation_h = options.dilation_w = 2;
  options.stride_h = options.stride_w = 1;
  options.activation = ir::Activation::kRelu6;
  b.op(ir::OpType::kConv2D, {in, w, ir::kNoTensor}, {out}, options);
  const exec::Conv2DPrepared p = exec::prepare_conv2d(b.model, b.model.operators[0]);
  EXPECT_EQ(p.dtype, DType::kFloat32);
  EXPECT_FALSE(p.has_bias);
  EXPECT_EQ(p.float_params.window.dilation_h, 2);
  EXPECT_EQ(p.float_params.window.pad_h, 0);
  EXPECT_EQ(p.float_params.act_min, 0.0f);
  EXPECT_EQ(p.float_params.act_max, 6.0f);
  EXPECT_TRUE(p.output_multiplier.empty());
}

// Expects prepare_conv2d to throw an error mentioning `fragment`.
void expect_error(Int8Conv& conv, const std::string& fragment) {
  try {
    conv.prepare();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PrepareConv2D, RejectsInconsistentOperators) {
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.output].shape = {1, 5, 5, 3};  // VALID-sized output under SAME
    expect_error(conv, "gives 3x3");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.bias].shape = {4};
    expect_error(conv, "bias 'b' has 4 elements, expected 3");
  }
  {
    Int8Conv conv({0.01f, 0.02f});
    expect_error(conv, "has 2 scales, expected 1 or 3");
  }
  {
    Int8Conv conv({0.01f, 0.02f, 0.04f}, /*filter_axis=*/3);
    expect_error(conv, "quantized along axis 3, expected axis 0");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.filter].dtype = DType::kFloat32;
    expect_error(conv, "filter 'w' must be int8, got float32");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.bias].dtype = DType::kInt8;
    expect_error(conv, "bias 'b' must be int32");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.input].shape = {5, 5, 2};
    expect_error(conv, "input 'in' must have rank 4");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.input].shape = {1, 5, 5, 3};
    expect_error(conv, "input has 3 channels, not a multiple of the filter's 2");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.output].quant.zero_point = {200};
    expect_error(conv, "zero point 200");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.input].quant = {};
    expect_error(conv, "input 'in' has no quantization parameters");
  }
  {
    Int8Conv conv({0.01f});
    conv.options.activation = ir::Activation::kTanh;
    expect_error(conv, "TANH");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.input].dtype = DType::kUInt8;
    expect_error(conv, "input type uint8 is not supported");
  }
}

TEST(Conv2DKernel, RunsThroughTheExecutor) {
  // Input 1..9 (scale 1), filter [1 2; 3 4] (scale 0.5), output scale 1: the hand-checked sums
  // 37, 47, 67, 77 halved and rounded.
  ModelBuilder b;
  const int32_t in = b.tensor("in", {1, 3, 3, 1}, DType::kInt8, {1.0f}, {0});
  const int32_t w = b.tensor("w", {1, 2, 2, 1}, DType::kInt8, {0.5f}, {}, 0,
                             testing::raw_bytes(std::vector<int8_t>{1, 2, 3, 4}));
  const int32_t out = b.tensor("out", {1, 2, 2, 1}, DType::kInt8, {1.0f}, {0});
  b.op(ir::OpType::kConv2D, {in, w}, {out}, ir::Conv2DOptions{});
  exec::Executor executor(b.model);
  const std::vector<int8_t> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  executor.set_input(0, testing::raw_bytes(input));
  executor.invoke();
  const auto output = executor.output(0);
  EXPECT_EQ(std::vector<uint8_t>(output.begin(), output.end()),
            testing::raw_bytes(std::vector<int8_t>{19, 24, 34, 39}));
}

TEST(PrepareConv2D, Int16ActivationsWithInt64Bias) {
  Int8Conv conv({0.01f, 0.02f, 0.04f});
  for (int32_t t : {conv.input, conv.output}) {
    conv.b.model.tensors[static_cast<size_t>(t)].dtype = DType::kInt16;
    conv.b.model.tensors[static_cast<size_t>(t)].quant.zero_point = {0};
  }
  conv.b.model.tensors[conv.bias].dtype = DType::kInt64;
  conv.b.model.tensors[conv.bias].data.assign(24, 0);
  const exec::Conv2DPrepared p = conv.prepare();
  EXPECT_EQ(p.dtype, DType::kInt16);
  EXPECT_EQ(p.bias_dtype, DType::kInt64);
  EXPECT_EQ(p.params.input_offset, 0);
  EXPECT_EQ(p.params.output_offset, 0);
  EXPECT_EQ(p.params.act_min, 0);  // RELU
  EXPECT_EQ(p.params.act_max, 32767);
  EXPECT_EQ(p.output_multiplier.size(), 3u);
}

TEST(PrepareConv2D, Int16RejectsNonZeroZeroPointsAndInt8Bias) {
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.input].dtype = DType::kInt16;
    conv.b.model.tensors[conv.output].dtype = DType::kInt16;
    expect_error(conv, "int16 with zero point -3");
  }
  {
    Int8Conv conv({0.01f});
    conv.b.model.tensors[conv.input].dtype = DType::kInt16;
    conv.b.model.tensors[conv.output].dtype = DType::kInt16;
    conv.b.model.tensors[conv.bias].dtype = DType::kInt8;
    expect_error(conv, "bias 'b' must be int32 or int64, got int8");
  }
}

TEST(Conv2DKernel, Int16RunsThroughTheExecutorWithAndWithoutBias) {
  // The hand-checked convolution again with int16 activations: 37, 47, 67, 77 halved.
  for (const bool with_bias : {false, true}) {
    ModelBuilder b;
    const int32_t in = b.tensor("in", {1, 3, 3, 1}, DType::kInt16, {1.0f}, {0});
    const int32_t w = b.tensor("w", {1, 2, 2, 1}, DType::kInt8, {0.5f}, {}, 0,
                               testing::raw_bytes(std::vector<int8_t>{1, 2, 3, 4}));
    const int32_t bias = b.tensor("b", {1}, DType::kInt64, {0.5f}, {0}, 0,
                                  testing::raw_bytes(std::vector<int64_t>{2}));
    const int32_t out = b.tensor("out", {1, 2, 2, 1}, DType::kInt16, {1.0f}, {0});
    b.op(ir::OpType::kConv2D, {in, w, with_bias ? bias : ir::kNoTensor}, {out},
         ir::Conv2DOptions{});
    exec::Executor executor(b.model);
    executor.set_input(0, testing::raw_bytes(std::vector<int16_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
    executor.invoke();
    const auto output = executor.output(0);
    EXPECT_EQ(std::vector<uint8_t>(output.begin(), output.end()),
              testing::raw_bytes(with_bias ? std::vector<int16_t>{20, 25, 35, 40}
                                           : std::vector<int16_t>{19, 24, 34, 39}));
  }
}

TEST(ConvFamily, LeavesOtherOperatorsToOtherFamilies) {
  ModelBuilder b;
  const int32_t x = b.tensor("x", {1, 4}, DType::kInt8, {1.0f}, {0});
  const int32_t y = b.tensor("y", {1, 4}, DType::kInt8, {1.0f}, {0});
  b.op(ir::OpType::kAdd, {x, x}, {y}, ir::ElementwiseOptions{});
  EXPECT_EQ(exec::make_conv_family_kernel(b.model, b.model.operators[0]), nullptr);
}

}  // namespace
}  // namespace kiln
