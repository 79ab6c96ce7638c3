// The int8 pass on networks built by the training engine: float and int8 models run through the
// executor must agree, and the int8 model must follow TFLite's layout and survive a .tflite
// round trip byte for byte.
#include "quant/quantize_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "exec/executor.h"
#include "nn/export.h"
#include "nn/presets.h"
#include "nn/random.h"
#include "nn/sequential.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace kiln::quant {
namespace {

using ir::DType;
using ir::OpType;

// Random parameters with some spread in the biases, so logits differ clearly between classes.
void randomize(nn::Sequential& model, uint32_t seed) {
  nn::Rng rng(seed);
  for (nn::Parameter* p : model.parameters()) {
    auto& v = p->value.values;
    if (p->name.ends_with("running_variance") || p->name.ends_with("gamma")) {
      for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = rng.uniform(0.5f, 2.0f);
    } else if (p->name.ends_with("bias") || p->name.ends_with("beta") ||
               p->name.ends_with("running_mean")) {
      for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = rng.uniform(-0.5f, 0.5f);
    }
  }
}

CalibrationSet random_samples(size_t count, size_t size, uint32_t seed) {
  nn::Rng rng(seed);
  CalibrationSet samples(count, std::vector<float>(size));
  for (auto& s : samples)
    for (float& v : s) v = rng.uniform(-1.0f, 1.0f);
  return samples;
}

std::vector<float> run_float(exec::Executor& e, const std::vector<float>& x) {
  e.set_input(0, std::span(reinterpret_cast<const uint8_t*>(x.data()), x.size() * sizeof(float)));
  e.invoke();
  const auto out = e.output(0);
  std::vector<float> y(out.size() / sizeof(float));
  std::memcpy(y.data(), out.data(), out.size());
  return y;
}

size_t argmax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

struct Agreement {
  double top1 = 0;
  double max_abs_error = 0;
};

// Float model vs its float-io int8 quantization on `samples`.
Agreement compare(const ir::Model& float_model, const ir::Model& int8_model,
                  const CalibrationSet& samples) {
  exec::Executor f(float_model);
  exec::Executor q(int8_model);
  Agreement a;
  size_t same = 0;
  for (const auto& x : samples) {
    const std::vector<float> yf = run_float(f, x);
    const std::vector<float> yq = run_float(q, x);
    EXPECT_EQ(yf.size(), yq.size());
    same += argmax(yf) == argmax(yq);
    for (size_t i = 0; i < yf.size(); ++i)
      a.max_abs_error = std::max(a.max_abs_error, static_cast<double>(std::abs(yf[i] - yq[i])));
  }
  a.top1 = static_cast<double>(same) / static_cast<double>(samples.size());
  return a;
}

std::vector<OpType> op_types(const ir::Model& m) {
  std::vector<OpType> types;
  for (const ir::Operator& op : m.operators) types.push_back(op.type);
  return types;
}

// Checks TFLite's int8 layout: int8 activations, symmetric weights with the expected axis,
// int32 biases scaled by input x weight scale, and the float boundary.
void expect_int8_layout(const ir::Model& m) {
  ASSERT_EQ(m.inputs.size(), 1u);
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.tensor(m.inputs[0]).dtype, DType::kFloat32);
  EXPECT_EQ(m.tensor(m.outputs[0]).dtype, DType::kFloat32);
  EXPECT_EQ(m.operators.front().type, OpType::kQuantize);
  EXPECT_EQ(m.operators.back().type, OpType::kDequantize);
  for (size_t i = 1; i + 1 < m.operators.size(); ++i) {
    const ir::Operator& op = m.operators[i];
    const ir::Tensor& in = m.tensor(op.inputs[0]);
    const ir::Tensor& out = m.tensor(op.outputs[0]);
    EXPECT_EQ(in.dtype, DType::kInt8);
    EXPECT_EQ(out.dtype, DType::kInt8);
    ASSERT_EQ(out.quant.scale.size(), 1u);
    if (op.type == OpType::kConv2D || op.type == OpType::kDepthwiseConv2D ||
        op.type == OpType::kFullyConnected) {
      const ir::Tensor& w = m.tensor(op.inputs[1]);
      const ir::Tensor& b = m.tensor(op.inputs[2]);
      EXPECT_EQ(w.dtype, DType::kInt8);
      EXPECT_EQ(b.dtype, DType::kInt32);
      const size_t channels = static_cast<size_t>(out.shape.back());
      if (op.type == OpType::kFullyConnected) {
        EXPECT_EQ(w.quant.scale.size(), 1u);
      } else {
        EXPECT_EQ(w.quant.scale.size(), channels);
        EXPECT_EQ(w.quant.axis, op.type == OpType::kConv2D ? 0 : 3);
      }
      for (int64_t zp : w.quant.zero_point) EXPECT_EQ(zp, 0);
      for (size_t c = 0; c < w.quant.scale.size(); ++c)
        EXPECT_FLOAT_EQ(b.quant.scale.at(c), in.quant.scale[0] * w.quant.scale[c]);
      // Symmetric weights never use -128.
      for (uint8_t byte : w.data) EXPECT_NE(static_cast<int8_t>(byte), -128);
    }
    if (op.type == OpType::kSoftmax) {
      EXPECT_EQ(out.quant.scale[0], 1.0f / 256.0f);
      EXPECT_EQ(out.quant.zero_point[0], -128);
    }
    if (op.type == OpType::kMaxPool2D || op.type == OpType::kAveragePool2D ||
        op.type == OpType::kReshape) {
      EXPECT_EQ(out.quant, in.quant);
    }
  }
}

// Quantizes, checks layout, .tflite round trip, determinism, and agreement with float.
void check_preset(const std::string& preset, const nn::Shape& feature_shape, int classes,
                  uint32_t seed) {
  int64_t size = 1;
  for (int d : feature_shape) size *= d;
  nn::Sequential net({static_cast<int>(size)}, nn::preset_layers(preset, feature_shape, classes),
                     seed);
  randomize(net, seed + 1);
  const ir::Model float_model = nn::export_float_model(net, preset);
  const CalibrationSet calibration = random_samples(100, static_cast<size_t>(size), seed + 2);
  const ir::Model q = quantize_model(float_model, calibration);
  ir::validate(q);
  expect_int8_layout(q);

  const std::vector<uint8_t> bytes = tflite::write_model(q);
  EXPECT_EQ(tflite::read_model(bytes), q);
  // Same model and data: byte-identical file.
  EXPECT_EQ(tflite::write_model(quantize_model(float_model, calibration)), bytes);

  const Agreement a =
      compare(float_model, q, random_samples(200, static_cast<size_t>(size), seed + 3));
  EXPECT_GE(a.top1, 0.95) << preset;
  EXPECT_LT(a.max_abs_error, 0.1) << preset;
  std::printf("%s: top-1 agreement %.3f, max |p_float - p_int8| %.4f\n", preset.c_str(), a.top1,
              a.max_abs_error);
}

TEST(QuantizeModel, Dense) {
  check_preset("dense", {12}, 4, 10);
}
TEST(QuantizeModel, Conv1dSmall) {
  check_preset("conv1d-small", {20, 6}, 5, 20);
}
TEST(QuantizeModel, Conv2dSmall) {
  check_preset("conv2d-small", {12, 10}, 3, 30);
}
TEST(QuantizeModel, DsCnnWithDepthwise) {
  check_preset("ds-cnn", {16, 10}, 4, 40);
}

TEST(QuantizeModel, InputParamsComeFromCalibrationRange) {
  nn::Sequential net({4}, nn::preset_layers("dense", {4}, 3), 1);
  const ir::Model f = nn::export_float_model(net, "tiny");
  // Inputs spanning exactly [-1, 3]: scale 4/255, zero point round(-128 + 63.75) = -64.
  const CalibrationSet calibration{{-1.0f, 0.0f, 0.5f, 1.0f}, {0.25f, -0.5f, 3.0f, 0.0f}};
  const ir::Model q = quantize_model(f, calibration);
  const ir::Tensor& input_int8 = q.tensor(q.operators.front().outputs[0]);
  EXPECT_EQ(input_int8.name, "input_int8");
  EXPECT_EQ(q.tensor(q.inputs[0]).name, "input");
  EXPECT_FLOAT_EQ(input_int8.quant.scale[0], 4.0f / 255.0f);
  EXPECT_EQ(input_int8.quant.zero_point[0], -64);
  // The first layer's fused relu: its calibrated minimum is 0, so zero point -128.
  const ir::Tensor& hidden = q.tensor(q.operators[1].outputs[0]);
  EXPECT_EQ(hidden.quant.zero_point[0], -128);
  EXPECT_EQ(op_types(q), (std::vector<OpType>{OpType::kQuantize, OpType::kFullyConnected,
                                              OpType::kFullyConnected, OpType::kFullyConnected,
                                              OpType::kSoftmax, OpType::kDequantize}));
}

TEST(QuantizeModel, Int8InputsAndOutputsMatchTheFloatBoundaryModel) {
  nn::Sequential net({12}, nn::preset_layers("dense", {12}, 4), 5);
  randomize(net, 6);
  const ir::Model f = nn::export_float_model(net, "dense");
  const CalibrationSet calibration = random_samples(50, 12, 7);
  const ir::Model boundary = quantize_model(f, calibration);
  QuantizeOptions options;
  options.int8_io = true;
  const ir::Model direct = quantize_model(f, calibration, options);
  ir::validate(direct);
  EXPECT_EQ(direct.operators.size() + 2, boundary.operators.size());
  const ir::Tensor& in = direct.tensor(direct.inputs[0]);
  const ir::Tensor& out = direct.tensor(direct.outputs[0]);
  ASSERT_EQ(in.dtype, DType::kInt8);
  ASSERT_EQ(out.dtype, DType::kInt8);
  EXPECT_EQ(out.quant.scale[0], 1.0f / 256.0f);

  // Quantizing by hand with the input's parameters and dequantizing the int8 output must give
  // what the float-boundary model computes.
  exec::Executor e_direct(direct);
  exec::Executor e_boundary(boundary);
  const float scale = in.quant.scale[0];
  const auto zp = static_cast<double>(in.quant.zero_point[0]);
  for (const auto& x : random_samples(20, 12, 8)) {
    std::vector<int8_t> xq(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      xq[i] = static_cast<int8_t>(std::clamp(std::round(x[i] / scale) + zp, -128.0, 127.0));
    e_direct.set_input(0, std::span(reinterpret_cast<const uint8_t*>(xq.data()), xq.size()));
    e_direct.invoke();
    const std::vector<float> expected = run_float(e_boundary, x);
    const auto yq = e_direct.output(0);
    ASSERT_EQ(yq.size(), expected.size());
    for (size_t i = 0; i < yq.size(); ++i)
      EXPECT_FLOAT_EQ((static_cast<int8_t>(yq[i]) + 128) / 256.0f, expected[i]);
  }
}

TEST(QuantizeModel, PerChannelFullyConnectedOption) {
  nn::Sequential net({12}, nn::preset_layers("dense", {12}, 4), 9);
  randomize(net, 10);
  const ir::Model f = nn::export_float_model(net, "dense");
  const CalibrationSet calibration = random_samples(100, 12, 11);
  QuantizeOptions options;
  options.per_channel_fully_connected = true;
  const ir::Model q = quantize_model(f, calibration, options);
  const ir::Tensor& w = q.tensor(q.operators[1].inputs[1]);
  EXPECT_EQ(w.quant.scale.size(), static_cast<size_t>(w.shape[0]));
  EXPECT_EQ(tflite::read_model(tflite::write_model(q)), q);
  const Agreement a = compare(f, q, random_samples(200, 12, 12));
  EXPECT_GE(a.top1, 0.95);
}

TEST(QuantizeModel, UnfoldedBatchNormBecomesInt8MulAndAdd) {
  // A batchnorm first in the network has no layer to fold into: MUL and ADD by constants.
  std::vector<nn::LayerSpec> specs(3);
  specs[0].type = "batchnorm";
  specs[1].type = "dense";
  specs[1].units = 8;
  specs[1].activation = "relu";
  specs[2].type = "dense";
  specs[2].units = 3;
  nn::Sequential net({6}, specs, 13);
  randomize(net, 14);
  const ir::Model f = nn::export_float_model(net, "bn");
  const ir::Model q = quantize_model(f, random_samples(100, 6, 15));
  ASSERT_EQ(q.operators[1].type, OpType::kMul);
  ASSERT_EQ(q.operators[2].type, OpType::kAdd);
  EXPECT_EQ(q.tensor(q.operators[1].inputs[1]).dtype, DType::kInt8);
  EXPECT_EQ(q.tensor(q.operators[2].inputs[1]).dtype, DType::kInt8);
  const Agreement a = compare(f, q, random_samples(200, 6, 16));
  EXPECT_GE(a.top1, 0.95);
  EXPECT_LT(a.max_abs_error, 0.1);
}

TEST(QuantizeModel, RejectsBadInputs) {
  nn::Sequential net({4}, nn::preset_layers("dense", {4}, 3), 1);
  const ir::Model f = nn::export_float_model(net, "tiny");
  EXPECT_THROW(quantize_model(f, CalibrationSet{}), Error);
  EXPECT_THROW(quantize_model(f, CalibrationSet{{1.0f, 2.0f}}), Error);
  EXPECT_THROW(quantize_model(f, CalibrationSet{{1.0f, 2.0f, NAN, 0.0f}}), Error);
  // Already quantized: not a float model.
  const ir::Model q = quantize_model(f, CalibrationSet{{1.0f, 2.0f, 3.0f, 0.0f}});
  EXPECT_THROW(quantize_model(q, CalibrationSet{{1.0f, 2.0f, 3.0f, 0.0f}}), Error);
}

}  // namespace
}  // namespace kiln::quant
