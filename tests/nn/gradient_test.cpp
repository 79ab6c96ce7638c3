// Every layer's backward pass against central finite differences (see gradient_check.h).
#include <gtest/gtest.h>

#include "gradient_check.h"
#include "nn/activations.h"
#include "nn/average_pool.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/depthwise_conv2d.h"
#include "nn/dropout.h"
#include "nn/global_average_pool.h"
#include "nn/loss.h"
#include "nn/max_pool.h"
#include "nn/reshape.h"
#include "nn/softmax.h"

namespace kiln::nn {
namespace {

using testing::check_layer_gradients;
using testing::distinct_tensor;
using testing::kink_free_tensor;
using testing::random_tensor;

// Builds `layer` for samples of `sample` and gives its biases random values too (they start at
// zero, which would hide a bias that is ignored by forward).
void build(Layer& layer, const Shape& sample, Rng& rng) {
  layer.build(sample, "layer", rng);
  for (Parameter* p : layer.parameters())
    if (p->trainable && p->name.ends_with("bias"))
      p->value = random_tensor(p->value.shape, rng, -0.5f, 0.5f);
}

TEST(Gradient, Dense) {
  Rng rng(11);
  Dense layer(4);
  build(layer, {2, 3}, rng);
  check_layer_gradients(layer, random_tensor({3, 2, 3}, rng), rng);
}

TEST(Gradient, Conv1DSameStride2) {
  Rng rng(12);
  Conv1D layer(3, 3, 2, ir::Padding::kSame);
  build(layer, {7, 2}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{4, 3}));
  check_layer_gradients(layer, random_tensor({2, 7, 2}, rng), rng);
}

TEST(Gradient, Conv1DValid) {
  Rng rng(13);
  Conv1D layer(2, 4, 1, ir::Padding::kValid);
  build(layer, {6, 3}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{3, 2}));
  check_layer_gradients(layer, random_tensor({2, 6, 3}, rng), rng);
}

TEST(Gradient, Conv2DSameRectangularKernel) {
  Rng rng(14);
  Conv2D layer(3, {3, 2}, {2, 1}, ir::Padding::kSame);
  build(layer, {5, 4, 2}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{3, 4, 3}));
  check_layer_gradients(layer, random_tensor({2, 5, 4, 2}, rng), rng);
}

TEST(Gradient, Conv2DValid) {
  Rng rng(15);
  Conv2D layer(2, {2}, {}, ir::Padding::kValid);
  build(layer, {4, 3, 3}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{3, 2, 2}));
  check_layer_gradients(layer, random_tensor({2, 4, 3, 3}, rng), rng);
}

TEST(Gradient, DepthwiseConv2DSameStride2Multiplier2) {
  Rng rng(16);
  DepthwiseConv2D layer({3}, {2}, ir::Padding::kSame, 2);
  build(layer, {5, 5, 2}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{3, 3, 4}));
  check_layer_gradients(layer, random_tensor({2, 5, 5, 2}, rng), rng);
}

TEST(Gradient, DepthwiseConv2DValid) {
  Rng rng(17);
  DepthwiseConv2D layer({2, 3}, {}, ir::Padding::kValid, 1);
  build(layer, {4, 4, 3}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{3, 2, 3}));
  check_layer_gradients(layer, random_tensor({2, 4, 4, 3}, rng), rng);
}

TEST(Gradient, MaxPool1DSamePadsOddLength) {
  Rng rng(18);
  MaxPool layer({2}, {}, ir::Padding::kSame);
  build(layer, {7, 3}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{4, 3}));
  check_layer_gradients(layer, distinct_tensor({2, 7, 3}, rng), rng);
}

TEST(Gradient, MaxPool2DOverlappingValid) {
  Rng rng(19);
  MaxPool layer({3}, {1}, ir::Padding::kValid);
  build(layer, {4, 5, 2}, rng);
  EXPECT_EQ(layer.output_shape(), (Shape{2, 3, 2}));
  check_layer_gradients(layer, distinct_tensor({2, 4, 5, 2}, rng), rng);
}

TEST(Gradient, AveragePool1DSame) {
  Rng rng(20);
  AveragePool layer({3}, {2}, ir::Padding::kSame);
  build(layer, {6, 2}, rng);
  check_layer_gradients(layer, random_tensor({2, 6, 2}, rng), rng);
}

TEST(Gradient, AveragePool2DSameAndValid) {
  Rng rng(21);
  AveragePool same({2, 3}, {2}, ir::Padding::kSame);
  build(same, {5, 5, 2}, rng);
  check_layer_gradients(same, random_tensor({2, 5, 5, 2}, rng), rng);
  AveragePool valid({2}, {1}, ir::Padding::kValid);
  build(valid, {3, 4, 2}, rng);
  check_layer_gradients(valid, random_tensor({2, 3, 4, 2}, rng), rng);
}

TEST(Gradient, GlobalAveragePool1DAnd2D) {
  Rng rng(22);
  GlobalAveragePool one_d, two_d;
  build(one_d, {5, 3}, rng);
  check_layer_gradients(one_d, random_tensor({2, 5, 3}, rng), rng);
  build(two_d, {3, 4, 2}, rng);
  EXPECT_EQ(two_d.output_shape(), (Shape{2}));
  check_layer_gradients(two_d, random_tensor({2, 3, 4, 2}, rng), rng);
}

TEST(Gradient, ReshapeAndFlatten) {
  Rng rng(23);
  Reshape reshape({-1, 3});
  build(reshape, {12}, rng);
  EXPECT_EQ(reshape.output_shape(), (Shape{4, 3}));
  check_layer_gradients(reshape, random_tensor({2, 12}, rng), rng);
  Flatten flatten;
  build(flatten, {2, 3, 2}, rng);
  EXPECT_EQ(flatten.output_shape(), (Shape{12}));
  check_layer_gradients(flatten, random_tensor({2, 2, 3, 2}, rng), rng);
}

TEST(Gradient, DropoutWithAFixedMask) {
  Rng rng(24);
  Dropout layer(0.5f);
  build(layer, {4, 3}, rng);
  check_layer_gradients(layer, random_tensor({3, 4, 3}, rng), rng, [&] { layer.reseed(99); });
}

TEST(Gradient, BatchNormTraining) {
  Rng rng(25);
  BatchNorm layer(0.9f, 1e-3f);
  build(layer, {3, 2}, rng);
  for (Parameter* p : layer.parameters())
    if (p->trainable) p->value = random_tensor(p->value.shape, rng, 0.5f, 1.5f);
  check_layer_gradients(layer, random_tensor({4, 3, 2}, rng, -2.0f, 2.0f), rng);
}

TEST(Gradient, ReLUAndReLU6) {
  Rng rng(26);
  ReLU relu;
  build(relu, {5, 2}, rng);
  check_layer_gradients(relu, kink_free_tensor({3, 5, 2}, rng), rng);
  ReLU6 relu6;
  build(relu6, {5, 2}, rng);
  check_layer_gradients(relu6, kink_free_tensor({3, 5, 2}, rng, true), rng);
}

TEST(Gradient, Softmax) {
  Rng rng(27);
  Softmax layer;
  build(layer, {5}, rng);
  check_layer_gradients(layer, random_tensor({3, 5}, rng, -2.0f, 2.0f), rng);
}

TEST(Gradient, WeightedSoftmaxCrossEntropy) {
  Rng rng(28);
  const Tensor logits = random_tensor({4, 3}, rng, -2.0f, 2.0f);
  const std::vector<int32_t> labels = {0, 2, 1, 2};
  const std::vector<float> weights = {0.5f, 2.0f, 1.5f};
  const LossResult analytic = softmax_cross_entropy(logits, labels, weights);
  std::vector<double> numeric(12);
  Tensor z = logits;
  for (Eigen::Index i = 0; i < 12; ++i) {
    const float saved = z.values[i];
    z.values[i] = saved + testing::kStep;
    const double plus = softmax_cross_entropy(z, labels, weights).loss;
    z.values[i] = saved - testing::kStep;
    const double minus = softmax_cross_entropy(z, labels, weights).loss;
    z.values[i] = saved;
    numeric[static_cast<size_t>(i)] = (plus - minus) / (2.0 * testing::kStep);
  }
  testing::expect_gradients_match(analytic.grad, numeric, "loss");
}

}  // namespace
}  // namespace kiln::nn
