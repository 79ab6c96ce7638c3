// Forward passes on inputs small enough to work out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "nn/activations.h"
#include "nn/average_pool.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/depthwise_conv2d.h"
#include "nn/dropout.h"
#include "nn/loss.h"
#include "nn/max_pool.h"
#include "nn/softmax.h"

namespace kiln::nn {
namespace {

Tensor tensor(Shape shape, std::vector<float> values) {
  Tensor t(std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.size()), values.size());
  for (size_t i = 0; i < values.size(); ++i) t.values[static_cast<Eigen::Index>(i)] = values[i];
  return t;
}

std::vector<float> values_of(const Tensor& t) {
  return std::vector<float>(t.values.data(), t.values.data() + t.values.size());
}

void set_weights(Layer& layer, std::vector<float> weights, std::vector<float> bias) {
  auto params = layer.parameters();
  params[0]->value = tensor(params[0]->value.shape, std::move(weights));
  params[1]->value = tensor(params[1]->value.shape, std::move(bias));
}

TEST(Layers, DenseIsInputTimesWeightsTransposedPlusBias) {
  Rng rng(1);
  Dense layer(2);
  layer.build({2}, "dense", rng);
  set_weights(layer, {1, 2, 3, 4}, {0.5f, -1});
  const Tensor y = layer.forward(tensor({2, 2}, {1, 1, 2, -1}), Mode::kInference);
  // Row 1: [1*1 + 1*2 + 0.5, 1*3 + 1*4 - 1]; row 2: [2 - 2 + 0.5, 6 - 4 - 1].
  EXPECT_EQ(values_of(y), (std::vector<float>{3.5f, 6, 0.5f, 1}));
}

TEST(Layers, Conv1DSamePadsOneZeroOnEachSide) {
  Rng rng(1);
  Conv1D layer(1, 3, 1, ir::Padding::kSame);
  layer.build({3, 1}, "conv1d", rng);
  set_weights(layer, {1, 10, 100}, {0});
  const Tensor y = layer.forward(tensor({1, 3, 1}, {1, 2, 3}), Mode::kInference);
  // [0 1 2] . [1 10 100] = 210, [1 2 3] . = 321, [2 3 0] . = 32.
  EXPECT_EQ(values_of(y), (std::vector<float>{210, 321, 32}));
}

TEST(Layers, Conv2DSameStride2PadsAfterWhenOdd) {
  Rng rng(1);
  Conv2D layer(1, {3}, {2}, ir::Padding::kSame);
  layer.build({4, 4, 1}, "conv2d", rng);
  set_weights(layer, std::vector<float>(9, 1.0f), {0});
  std::vector<float> image(16);
  for (int i = 0; i < 16; ++i) image[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  const Tensor y = layer.forward(tensor({1, 4, 4, 1}, image), Mode::kInference);
  // Total padding 1 per axis goes after (TFLite): windows cover rows/cols {0,1,2} and {2,3,pad}.
  EXPECT_EQ(values_of(y), (std::vector<float>{54, 45, 72, 54}));
}

TEST(Layers, Conv2DChannelsAndFiltersUseTfliteLayout) {
  Rng rng(1);
  Conv2D layer(2, {1}, {}, ir::Padding::kValid);
  layer.build({1, 1, 3}, "conv2d", rng);
  // Filter f, input channel c at [f, 0, 0, c].
  set_weights(layer, {1, 2, 3, -1, 0, 1}, {10, 20});
  const Tensor y = layer.forward(tensor({1, 1, 1, 3}, {1, 1, 2}), Mode::kInference);
  EXPECT_EQ(values_of(y), (std::vector<float>{1 + 2 + 6 + 10, -1 + 0 + 2 + 20}));
}

TEST(Layers, DepthwiseMultiplierOrdersOutputChannelsByInputChannel) {
  Rng rng(1);
  DepthwiseConv2D layer({1}, {}, ir::Padding::kValid, 2);
  layer.build({1, 1, 2}, "dw", rng);
  set_weights(layer, {1, 2, 3, 4}, {0, 0, 0, 1});
  const Tensor y = layer.forward(tensor({1, 1, 1, 2}, {2, 3}), Mode::kInference);
  EXPECT_EQ(values_of(y), (std::vector<float>{2, 4, 9, 13}));
}

TEST(Layers, PoolsWithSamePaddingSeeOnlyInRangeValues) {
  Rng rng(1);
  MaxPool max_pool({2}, {}, ir::Padding::kSame);
  max_pool.build({3, 1}, "max", rng);
  EXPECT_EQ(values_of(max_pool.forward(tensor({1, 3, 1}, {1, 5, -2}), Mode::kInference)),
            (std::vector<float>{5, -2}));
  AveragePool average_pool({2}, {}, ir::Padding::kSame);
  average_pool.build({3, 1}, "avg", rng);
  // The last window holds one real value: its average is that value, not half of it.
  EXPECT_EQ(values_of(average_pool.forward(tensor({1, 3, 1}, {1, 5, -2}), Mode::kInference)),
            (std::vector<float>{3, -2}));
}

TEST(Layers, BatchNormTrainingNormalizesAndMovesRunningStatistics) {
  Rng rng(1);
  BatchNorm layer(0.9f, 1e-3f);
  layer.build({1}, "bn", rng);
  const Tensor y = layer.forward(tensor({2, 1}, {1, 3}), Mode::kTrain);
  // Batch mean 2, biased variance 1.
  const float inv_std = static_cast<float>(1.0 / std::sqrt(1.0 + 1e-3));
  EXPECT_NEAR(y.values[0], -inv_std, 1e-6);
  EXPECT_NEAR(y.values[1], inv_std, 1e-6);
  auto params = layer.parameters();
  EXPECT_NEAR(params[2]->value.values[0], 0.1f * 2.0f, 1e-7);         // running mean
  EXPECT_NEAR(params[3]->value.values[0], 0.9f * 1.0f + 0.1f, 1e-6);  // running variance

  // Inference uses the running statistics: (x - 0.2) / sqrt(1 + eps) * gamma + beta.
  params[0]->value.values[0] = 2.0f;
  params[1]->value.values[0] = 0.5f;
  const Tensor z = layer.forward(tensor({1, 1}, {1.2f}), Mode::kInference);
  EXPECT_NEAR(z.values[0], (1.2 - 0.2) / std::sqrt(1.0 + 1e-3) * 2.0 + 0.5, 1e-5);
}

TEST(Layers, DropoutScalesSurvivorsAndIsIdentityAtInference) {
  Rng rng(1);
  Dropout layer(0.25f);
  layer.build({1000}, "dropout", rng);
  const Tensor x = tensor({1, 1000}, std::vector<float>(1000, 3.0f));
  EXPECT_EQ(values_of(layer.forward(x, Mode::kInference)), values_of(x));
  const Tensor y = layer.forward(x, Mode::kTrain);
  int dropped = 0;
  for (Eigen::Index i = 0; i < y.values.size(); ++i) {
    if (y.values[i] == 0.0f)
      ++dropped;
    else
      EXPECT_FLOAT_EQ(y.values[i], 4.0f);  // 3 / (1 - 0.25)
  }
  EXPECT_GT(dropped, 200);
  EXPECT_LT(dropped, 300);
}

TEST(Layers, ReLU6ClampsBothEnds) {
  Rng rng(1);
  ReLU6 layer;
  layer.build({4}, "relu6", rng);
  EXPECT_EQ(values_of(layer.forward(tensor({1, 4}, {-1, 0.5f, 6, 7}), Mode::kInference)),
            (std::vector<float>{0, 0.5f, 6, 6}));
}

TEST(Layers, SoftmaxCrossEntropyByHand) {
  // Logits [0, ln 3]: probabilities [1/4, 3/4].
  const Tensor logits = tensor({2, 2}, {0, std::log(3.0f), 0, std::log(3.0f)});
  const std::vector<int32_t> labels = {1, 0};
  const LossResult plain = softmax_cross_entropy(logits, labels);
  EXPECT_NEAR(plain.loss, (-std::log(0.75) - std::log(0.25)) / 2, 1e-6);
  EXPECT_EQ(plain.correct, 1);
  // d/dz = (p - onehot) / batch.
  EXPECT_NEAR(plain.grad.values[0], 0.25 / 2, 1e-7);
  EXPECT_NEAR(plain.grad.values[1], -0.25 / 2, 1e-7);
  EXPECT_NEAR(plain.grad.values[2], -0.75 / 2, 1e-7);

  const std::vector<float> weights = {3.0f, 1.0f};
  const LossResult weighted = softmax_cross_entropy(logits, labels, weights);
  EXPECT_NEAR(weighted.loss, (-std::log(0.75) * 1 - std::log(0.25) * 3) / 4, 1e-6);
  EXPECT_NEAR(weighted.grad.values[2], -0.75 * 3 / 4, 1e-7);

  EXPECT_THROW(softmax_cross_entropy(logits, std::vector<int32_t>{0, 2}), Error);
}

TEST(Layers, WrongInputShapeIsAnError) {
  Rng rng(1);
  Conv1D layer(2, 3, 1, ir::Padding::kSame);
  layer.build({5, 2}, "conv1d", rng);
  EXPECT_THROW(layer.forward(Tensor({1, 5, 3}), Mode::kInference), Error);
  Conv2D conv(2, {3}, {}, ir::Padding::kValid);
  EXPECT_THROW(conv.build({2, 5, 1}, "conv2d", rng), Error);  // VALID window taller than input
}

}  // namespace
}  // namespace kiln::nn
