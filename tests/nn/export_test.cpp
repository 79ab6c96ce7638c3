// Export round trip: engine network -> ir::Model -> .tflite bytes -> ir::Model -> Kiln's executor,
// whose float kernels must reproduce the engine's inference outputs.
#include "nn/export.h"

#include <gtest/gtest.h>

#include <cstring>

#include "exec/executor.h"
#include "gradient_check.h"
#include "nn/presets.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace kiln::nn {
namespace {

using testing::random_tensor;

// Gives every parameter random values, including batchnorm statistics, so that folding is
// exercised with non-trivial numbers.
void randomize(Sequential& model, uint32_t seed) {
  Rng rng(seed);
  for (Parameter* p : model.parameters()) {
    if (p->name.ends_with("running_variance") || p->name.ends_with("gamma"))
      p->value = random_tensor(p->value.shape, rng, 0.5f, 2.0f);
    else if (p->name.ends_with("bias") || p->name.ends_with("beta") ||
             p->name.ends_with("running_mean"))
      p->value = random_tensor(p->value.shape, rng, -0.5f, 0.5f);
  }
}

std::vector<ir::OpType> op_types(const ir::Model& m) {
  std::vector<ir::OpType> types;
  for (const ir::Operator& op : m.operators) types.push_back(op.type);
  return types;
}

// Runs `samples` random inputs through the engine and through the exported .tflite in the
// executor; returns the re-read model.
ir::Model expect_executor_matches(Sequential& model, int samples, uint32_t seed) {
  const ir::Model exported = export_float_model(model, "test");
  const std::vector<uint8_t> bytes = tflite::write_model(exported);
  EXPECT_EQ(bytes, tflite::write_model(exported));  // the writer is deterministic
  const ir::Model loaded = tflite::read_model(bytes);
  exec::Executor executor(loaded);

  Rng rng(seed);
  Shape batch{samples};
  batch.insert(batch.end(), model.input_shape().begin(), model.input_shape().end());
  const Tensor inputs = random_tensor(batch, rng);
  const Tensor expected = model.predict(inputs);
  const int64_t sample = inputs.sample_size();
  const int classes = model.num_classes();
  for (int n = 0; n < samples; ++n) {
    const float* x = inputs.data() + n * sample;
    executor.set_input(0, std::span(reinterpret_cast<const uint8_t*>(x),
                                    static_cast<size_t>(sample) * sizeof(float)));
    executor.invoke();
    const auto out = executor.output(0);
    EXPECT_EQ(out.size(), static_cast<size_t>(classes) * sizeof(float));
    std::vector<float> probabilities(static_cast<size_t>(classes));
    std::memcpy(probabilities.data(), out.data(), out.size());
    for (int c = 0; c < classes; ++c)
      EXPECT_NEAR(probabilities[static_cast<size_t>(c)], expected.values[n * classes + c], 1e-5)
          << "sample " << n << " class " << c;
  }
  return loaded;
}

TEST(Export, Conv1dSmallBecomesHeightOneConv2D) {
  Sequential model({49 * 13}, preset_layers("conv1d-small", {49, 13}, 10), 1);
  randomize(model, 2);
  const ir::Model m = expect_executor_matches(model, 4, 3);
  using ir::OpType;
  EXPECT_EQ(op_types(m), (std::vector<OpType>{OpType::kReshape, OpType::kConv2D, OpType::kMaxPool2D,
                                              OpType::kConv2D, OpType::kMaxPool2D, OpType::kReshape,
                                              OpType::kFullyConnected, OpType::kSoftmax}));
  EXPECT_EQ(m.tensor(m.inputs[0]).shape, (std::vector<int32_t>{1, 637}));
  EXPECT_EQ(m.tensor(m.operators[0].outputs[0]).shape, (std::vector<int32_t>{1, 1, 49, 13}));
  const ir::Operator& conv = m.operators[1];
  EXPECT_EQ(m.tensor(conv.inputs[1]).shape, (std::vector<int32_t>{8, 1, 3, 13}));
  const auto& options = std::get<ir::Conv2DOptions>(conv.options);
  EXPECT_EQ(options.activation, ir::Activation::kRelu);
  EXPECT_EQ(options.padding, ir::Padding::kSame);
  // 49 -> pool 25 -> pool 13 frames of 16 channels.
  EXPECT_EQ(m.tensor(m.operators[6].inputs[1]).shape, (std::vector<int32_t>{10, 13 * 16}));
  EXPECT_EQ(m.tensor(m.outputs[0]).shape, (std::vector<int32_t>{1, 10}));
}

TEST(Export, Conv2dSmall) {
  Sequential model({12, 10}, preset_layers("conv2d-small", {12, 10}, 3), 4);
  randomize(model, 5);
  expect_executor_matches(model, 3, 6);
}

TEST(Export, DenseFusesRelu) {
  Sequential model({7}, preset_layers("dense", {7}, 4), 7);
  randomize(model, 8);
  const ir::Model m = expect_executor_matches(model, 5, 9);
  ASSERT_EQ(m.operators.size(), 4u);  // three FULLY_CONNECTED and SOFTMAX
  EXPECT_EQ(std::get<ir::FullyConnectedOptions>(m.operators[0].options).activation,
            ir::Activation::kRelu);
  EXPECT_EQ(m.tensor(m.operators[0].inputs[1]).shape, (std::vector<int32_t>{20, 7}));
}

TEST(Export, DsCnnFoldsEveryBatchNorm) {
  Sequential model({16, 10}, preset_layers("ds-cnn", {16, 10}, 5), 10);
  randomize(model, 11);
  const ir::Model m = expect_executor_matches(model, 2, 12);
  int depthwise = 0;
  for (const ir::Operator& op : m.operators) {
    EXPECT_NE(op.type, ir::OpType::kMul);  // nothing left unfolded
    EXPECT_NE(op.type, ir::OpType::kRelu);
    if (op.type == ir::OpType::kDepthwiseConv2D) {
      ++depthwise;
      EXPECT_EQ(m.tensor(op.inputs[1]).shape, (std::vector<int32_t>{1, 3, 3, 64}));
      EXPECT_EQ(std::get<ir::DepthwiseConv2DOptions>(op.options).activation, ir::Activation::kRelu);
    }
  }
  EXPECT_EQ(depthwise, 4);
}

TEST(Export, StandaloneBatchNormRelu6PoolsAndMultiplier) {
  auto spec = [](const char* json) {
    return layer_spec_from_json(nlohmann::json::parse(json), "test");
  };
  const std::vector<LayerSpec> layers = {
      spec(R"({"type": "reshape", "shape": [6, 4, 2]})"),
      spec(R"({"type": "batchnorm"})"),
      spec(R"({"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same"})"),
      spec(R"({"type": "dropout", "rate": 0.5})"),
      spec(R"({"type": "batchnorm"})"),
      spec(R"({"type": "relu6"})"),
      spec(R"({"type": "depthwise_conv2d", "kernel": [3, 2], "strides": 2, "padding": "same",
               "depth_multiplier": 2, "activation": "relu"})"),
      spec(R"({"type": "average_pool2d", "pool": 2, "padding": "same"})"),
      spec(R"({"type": "relu"})"),
      spec(R"({"type": "conv2d", "filters": 3, "kernel": 1})"),
      spec(R"({"type": "global_average_pool"})"),
      spec(R"({"type": "dense", "units": 3, "activation": "softmax"})"),
  };
  Sequential model({48}, layers, 13);
  randomize(model, 14);
  const ir::Model m = expect_executor_matches(model, 3, 15);
  using ir::OpType;
  EXPECT_EQ(op_types(m),
            (std::vector<OpType>{OpType::kReshape, OpType::kMul, OpType::kAdd, OpType::kConv2D,
                                 OpType::kDepthwiseConv2D, OpType::kAveragePool2D, OpType::kRelu,
                                 OpType::kConv2D, OpType::kAveragePool2D, OpType::kReshape,
                                 OpType::kFullyConnected, OpType::kSoftmax}));
  EXPECT_EQ(std::get<ir::Conv2DOptions>(m.operators[3].options).activation, ir::Activation::kRelu6);
}

TEST(Export, OneDimensionalPoolsAndGlobalPool) {
  auto spec = [](const char* json) {
    return layer_spec_from_json(nlohmann::json::parse(json), "test");
  };
  const std::vector<LayerSpec> layers = {
      spec(R"({"type": "conv1d", "filters": 4, "kernel": 3, "strides": 2})"),
      spec(R"({"type": "batchnorm"})"),
      spec(R"({"type": "relu"})"),
      spec(R"({"type": "average_pool1d", "pool": 2, "padding": "same"})"),
      spec(R"({"type": "max_pool1d", "pool": 2, "strides": 1})"),
      spec(R"({"type": "global_average_pool"})"),
      spec(R"({"type": "dense", "units": 2})"),
  };
  Sequential model({15, 3}, layers, 16);
  randomize(model, 17);
  expect_executor_matches(model, 3, 18);
}

TEST(Export, SameTrainingGivesIdenticalBytes) {
  auto exported = [] {
    Sequential model({20}, preset_layers("dense", {20}, 3), 21);
    randomize(model, 22);
    return tflite::write_model(export_float_model(model, "same"));
  };
  EXPECT_EQ(exported(), exported());
}

}  // namespace
}  // namespace kiln::nn
