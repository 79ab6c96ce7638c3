#include "exec/ops/depthwise_conv2d.h"

#include <gtest/gtest.h>

#include <cmath>

#include "conv_test_models.h"
#include "core/error.h"

namespace kiln {
namespace {

using ir::DType;
using testing::ModelBuilder;

// An int8 DEPTHWISE_CONV_2D like micro_speech's: input 1x49x40x1, filter 1x10x8x8 (depth
// multiplier 8, per-channel scales along axis 3), SAME padding, stride 2, output 1x25x20x8.
struct Int8Depthwise {
  ModelBuilder b;
  int32_t input, filter, bias, output;
  ir::DepthwiseConv2DOptions options;

  Int8Depthwise() {
    std::vector<float> scales;
    for (int c = 0; c < 8; ++c) scales.push_back(0.001f * static_cast<float>(c + 1));
    input = b.tensor("in", {1, 49, 40, 1}, DType::kInt8, {0.1f}, {-128});
    filter =
        b.tensor("w", {1, 10, 8, 8}, DType::kInt8, scales, {}, 3, std::vector<uint8_t>(640, 1));
    bias = b.tensor("b", {8}, DType::kInt32, {}, {}, 0, std::vector<uint8_t>(32, 0));
    output = b.tensor("out", {1, 25, 20, 8}, DType::kInt8, {0.2f}, {-128});
    options.padding = ir::Padding::kSame;
    options.stride_h = options.stride_w = 2;
    options.depth_multiplier = 8;
    options.activation = ir::Activation::kRelu;
  }
  exec::DepthwiseConv2DPrepared prepare() {
    b.op(ir::OpType::kDepthwiseConv2D, {input, filter, bias}, {output}, options);
    return exec::prepare_depthwise_conv2d(b.model, b.model.operators.back());
  }
};

TEST(PrepareDepthwiseConv2D, Int8Constants) {
  Int8Depthwise dw;
  const exec::DepthwiseConv2DPrepared p = dw.prepare();
  EXPECT_EQ(p.params.depth_multiplier, 8);
  EXPECT_EQ(p.params.input_offset, 128);
  EXPECT_EQ(p.params.output_offset, -128);
  EXPECT_EQ(p.params.act_min, -128);
  // Height: 25 outputs, total padding 24 * 2 + 10 - 49 = 9, 4 before; width: 19 * 2 + 8 - 40
  // = 6, 3 before.
  EXPECT_EQ(p.params.window.pad_h, 4);
  EXPECT_EQ(p.params.window.pad_w, 3);
  ASSERT_EQ(p.output_multiplier.size(), 8u);
  for (size_t c = 0; c < 8; ++c) {
    const double real = 0.1 * static_cast<double>(0.001f * static_cast<float>(c + 1)) / 0.2;
    const double represented =
        std::ldexp(static_cast<double>(p.output_multiplier[c]), p.output_shift[c] - 31);
    EXPECT_LE(std::abs(represented - real), std::ldexp(1.0, p.output_shift[c] - 32)) << c;
  }
}

void expect_error(Int8Depthwise& dw, const std::string& fragment) {
  try {
    dw.prepare();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PrepareDepthwiseConv2D, RejectsInconsistentOperators) {
  {
    Int8Depthwise dw;
    dw.options.depth_multiplier = 4;
    expect_error(dw, "expected input channels 1 x depth multiplier 4");
  }
  {
    Int8Depthwise dw;
    dw.b.model.tensors[dw.filter].quant.axis = 0;
    expect_error(dw, "quantized along axis 0, expected axis 3");
  }
  {
    Int8Depthwise dw;
    dw.b.model.tensors[dw.filter].shape = {8, 10, 8, 1};
    expect_error(dw, "must have shape [1, height, width, channels]");
  }
  {
    Int8Depthwise dw;
    dw.options.stride_h = 1;
    expect_error(dw, "gives 49x20");
  }
  {
    Int8Depthwise dw;
    dw.b.model.tensors[dw.bias].shape = {1};
    expect_error(dw, "bias 'b' has 1 elements, expected 8");
  }
}

TEST(PrepareDepthwiseConv2D, Int16NeedsInt64Bias) {
  Int8Depthwise dw;
  for (int32_t t : {dw.input, dw.output}) {
    dw.b.model.tensors[static_cast<size_t>(t)].dtype = DType::kInt16;
    dw.b.model.tensors[static_cast<size_t>(t)].quant.zero_point = {0};
  }
  expect_error(dw, "bias 'b' must be int64, got int32");
  dw.b.model.operators.clear();
  dw.b.model.tensors[dw.bias].dtype = DType::kInt64;
  const exec::DepthwiseConv2DPrepared p = dw.prepare();
  EXPECT_EQ(p.dtype, DType::kInt16);
  EXPECT_EQ(p.params.input_offset, 0);
  EXPECT_EQ(p.params.act_min, 0);
}

TEST(PrepareDepthwiseConv2D, Float32Constants) {
  ModelBuilder b;
  const int32_t in = b.tensor("in", {1, 6, 6, 2}, DType::kFloat32);
  const int32_t w = b.tensor("w", {1, 3, 3, 4}, DType::kFloat32);
  const int32_t out = b.tensor("out", {1, 6, 6, 4}, DType::kFloat32);
  ir::DepthwiseConv2DOptions options;
  options.padding = ir::Padding::kSame;
  options.depth_multiplier = 2;
  options.dilation_h = options.dilation_w = 2;
  options.activation = ir::Activation::kReluN1To1;
  b.op(ir::OpType::kDepthwiseConv2D, {in, w}, {out}, options);
  const exec::DepthwiseConv2DPrepared p =
      exec::prepare_depthwise_conv2d(b.model, b.model.operators[0]);
  EXPECT_EQ(p.dtype, DType::kFloat32);
  EXPECT_EQ(p.float_params.depth_multiplier, 2);
  EXPECT_EQ(p.float_params.window.pad_h, 2);  // effective window 5: total padding 4
  EXPECT_EQ(p.float_params.act_min, -1.0f);
  EXPECT_EQ(p.float_params.act_max, 1.0f);
}

}  // namespace
}  // namespace kiln
