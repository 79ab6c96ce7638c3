// Fake quantization for quantization-aware training: the rounding matches the int8 QUANTIZE
// kernel, gradients pass straight through inside the grid and stop outside it, weight fake
// quantization rounds as export does, fake-quant layers sit where the int8 model has its
// quantized tensors, and the trainer switches them on at the configured epoch.
#include "nn/fake_quant.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "gradient_check.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/depthwise_conv2d.h"
#include "nn/presets.h"
#include "nn/qat.h"
#include "nn/sequential.h"
#include "nn/trainer.h"
#include "runtime/quantize.h"
#include "synthetic_data.h"

namespace kiln::nn {
namespace {

using testing::random_tensor;

// A fake-quant layer over samples of `sample` with its range set to [min, max].
FakeQuant ranged_layer(const Shape& sample, float min, float max) {
  FakeQuant fq("t");
  Rng rng(1);
  fq.build(sample, "fq", rng);
  fq.parameters().at(0)->value.values << min, max;
  fq.set_active(true);
  return fq;
}

TEST(FakeQuant, GridFollowsTheCalibrationRule) {
  // [-1, 3]: scale 4 / 255, zero point -128 - (-1) / scale = -128 + 63.75 -> -64.
  const Int8Grid g = activation_grid({-1.0f, 3.0f});
  EXPECT_FLOAT_EQ(g.scale, 4.0f / 255.0f);
  EXPECT_EQ(g.zero_point, -64);
  EXPECT_FLOAT_EQ(g.lowest(), -64.0f * 4.0f / 255.0f);
  EXPECT_FLOAT_EQ(g.highest(), 191.0f * 4.0f / 255.0f);
  // A range above 0 is widened to include it: [0, 2].
  const Int8Grid positive = activation_grid({0.5f, 2.0f});
  EXPECT_FLOAT_EQ(positive.scale, 2.0f / 255.0f);
  EXPECT_EQ(positive.zero_point, -128);
}

TEST(FakeQuant, RoundsHalfAwayFromZeroAndClamps) {
  // Range [0, 255]: scale exactly 1, zero point -128, representable values 0..255.
  FakeQuant fq = ranged_layer({6}, 0.0f, 255.0f);
  Tensor x({1, 6});
  x.values << 2.5f, 1.49f, -0.5f, -3.0f, 254.5f, 300.0f;
  const Tensor y = fq.forward(x, Mode::kInference);
  // 2.5 -> 3 (ties away from zero); -0.5 -> -1 -> code -129 clamps to -128 = real 0.
  const float expected[] = {3.0f, 1.0f, 0.0f, 0.0f, 255.0f, 255.0f};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y.values[i], expected[i]) << i;
}

TEST(FakeQuant, MatchesTheInt8QuantizeKernelOnRandomValues) {
  Rng rng(3);
  for (const auto& [min, max] : {std::pair{-1.0f, 3.0f}, {-0.3f, 0.0f}, {-5.0f, 7.0f}}) {
    FakeQuant fq = ranged_layer({2000}, min, max);
    const Int8Grid g = fq.grid();
    Tensor x = random_tensor({1, 2000}, rng, 1.5f * min - 1.0f, 1.5f * max + 1.0f);
    // Exact ties of the grid too, where the rounding direction matters.
    for (int i = 0; i < 200; ++i) x.values[i] = g.scale * (static_cast<float>(i - 100) + 0.5f);
    const Tensor y = fq.forward(x, Mode::kInference);
    std::vector<int8_t> codes(2000);
    ASSERT_EQ(rt::quantize_float_int8({2000, g.scale, g.zero_point}, x.data(), codes.data()),
              rt::kOk);
    for (int i = 0; i < 2000; ++i) {
      // Back to real as DEQUANTIZE does it, in double, then to float.
      const float real = static_cast<float>(static_cast<double>(g.scale) *
                                            static_cast<double>(codes[i] - g.zero_point));
      ASSERT_EQ(y.values[i], real) << "value " << x.values[i];
    }
  }
}

TEST(FakeQuant, StraightThroughInsideTheGridZeroOutside) {
  FakeQuant fq = ranged_layer({8}, -1.0f, 3.0f);
  Tensor x({1, 8});
  x.values << -3.0f, -1.5f, -0.7f, 0.01f, 1.3f, 2.9f, 3.5f, 10.0f;
  fq.forward(x, Mode::kTrain);  // also moves the range a little toward this batch's
  const Int8Grid g = fq.grid();
  Rng rng(4);
  const Tensor upstream = random_tensor({1, 8}, rng);
  const Tensor dx = fq.backward(upstream);
  for (int i = 0; i < 8; ++i) {
    const bool inside = x.values[i] >= g.lowest() && x.values[i] <= g.highest();
    EXPECT_EQ(dx.values[i], inside ? upstream.values[i] : 0.0f) << x.values[i];
  }
  // The grid edges are about -1.0 and 3.0, so the inside/outside split is as written above.
  EXPECT_EQ(dx.values[0], 0.0f);
  EXPECT_EQ(dx.values[1], 0.0f);
  EXPECT_EQ(dx.values[2], upstream.values[2]);
  EXPECT_EQ(dx.values[6], 0.0f);
}

TEST(FakeQuant, StraightThroughIsTheStaircaseSlope) {
  // Over a step of ten grid steps the staircase rises like the identity inside the grid (slope
  // 1 within 1/10) and is flat outside it (slope exactly 0): what backward claims.
  FakeQuant fq = ranged_layer({1}, -1.0f, 3.0f);
  const Int8Grid g = fq.grid();
  const float h = 10.0f * g.scale;
  auto at = [&](float v) {
    Tensor x({1, 1});
    x.values[0] = v;
    return fq.forward(x, Mode::kInference).values[0];
  };
  Rng rng(5);
  for (int k = 0; k < 50; ++k) {
    const float inside = rng.uniform(g.lowest() + h, g.highest() - h);
    EXPECT_NEAR((at(inside + h) - at(inside - h)) / (2.0f * h), 1.0f, 0.1f) << inside;
    const float above = rng.uniform(g.highest() + h, g.highest() + 5.0f);
    EXPECT_EQ(at(above + h) - at(above - h), 0.0f) << above;
    const float below = rng.uniform(g.lowest() - 5.0f, g.lowest() - h);
    EXPECT_EQ(at(below + h) - at(below - h), 0.0f) << below;
  }
}

TEST(FakeQuant, InactiveIsTheIdentityButRecordsTheRange) {
  FakeQuant fq("t", 0.5f);
  Rng rng(6);
  fq.build({3}, "fq", rng);
  Tensor a({1, 3});
  a.values << -1.0f, 0.3f, 2.0f;
  const Tensor y = fq.forward(a, Mode::kTrain);
  EXPECT_TRUE((y.values == a.values).all());
  EXPECT_EQ(fq.range(), (quant::TensorRange{-1.0f, 2.0f}));  // the first batch as it is
  Tensor b({1, 3});
  b.values << -3.0f, 0.0f, 4.0f;
  fq.forward(b, Mode::kTrain);
  EXPECT_EQ(fq.range(), (quant::TensorRange{-2.0f, 3.0f}));  // then half way, decay 0.5
  fq.forward(a, Mode::kInference);
  EXPECT_EQ(fq.range(), (quant::TensorRange{-2.0f, 3.0f}));  // inference records nothing
  const Tensor dy = random_tensor({1, 3}, rng);
  fq.forward(b, Mode::kTrain);
  EXPECT_TRUE((fq.backward(dy).values == dy.values).all());
}

TEST(FakeQuant, FollowerUsesItsLeadersGrid) {
  FakeQuant leader = ranged_layer({4}, 0.0f, 255.0f);
  FakeQuant follower(&leader);
  Rng rng(7);
  follower.build({4}, "follower", rng);
  follower.set_active(true);
  EXPECT_TRUE(follower.parameters().empty());
  Tensor x({1, 4});
  x.values << 0.4f, 0.6f, 7.5f, 256.0f;
  follower.forward(x, Mode::kTrain);  // a follower records nothing
  EXPECT_EQ(leader.range(), (quant::TensorRange{0.0f, 255.0f}));
  const Tensor y = follower.forward(x, Mode::kInference);
  const float expected[] = {0.0f, 1.0f, 8.0f, 255.0f};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y.values[i], expected[i]);
}

TEST(FakeQuant, WeightsRoundPerChannelOrPerTensor) {
  Tensor w({2, 3});
  w.values << 0.25f, -1.0f, 0.1f, 2.0f, 0.3f, -0.01f;
  // Row 0: scale 1/127, 0.25 * 127 = 31.75 -> 32, 0.1 * 127 = 12.7 -> 13.
  // Row 1: scale 2/127, 0.3 * 63.5 = 19.05 -> 19, -0.01 * 63.5 = -0.635 -> -1.
  const Tensor per_channel = fake_quantize_weights(w, 0);
  const float s0 = 1.0f / 127.0f, s1 = 2.0f / 127.0f;
  const float expected[] = {32 * s0, -127 * s0, 13 * s0, 127 * s1, 19 * s1, -1 * s1};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(per_channel.values[i], expected[i]) << i;
  // One scale (2/127) for all: 0.25 * 63.5 = 15.875 -> 16, -1 -> -63.5 -> -64, 0.1 -> 6.35 -> 6.
  const Tensor per_tensor = fake_quantize_weights(w, -1);
  const float expected_tensor[] = {16 * s1, -64 * s1, 6 * s1, 127 * s1, 19 * s1, -1 * s1};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(per_tensor.values[i], expected_tensor[i]) << i;
}

// With weight fake quantization on, a layer must compute, and back-propagate, exactly like the
// same layer holding the rounded weights, and its weight gradient must reach the float weights
// unchanged (straight through).
void expect_weight_straight_through(Layer& quantized, Layer& reference, const Shape& sample,
                                    int32_t channel_axis) {
  Rng rng(8);
  quantized.build(sample, "q", rng);
  Rng same(8);
  reference.build(sample, "r", same);
  Parameter& w = *quantized.parameters()[0];
  reference.parameters()[0]->value = fake_quantize_weights(w.value, channel_axis);
  quantized.set_weight_fake_quant(true);

  Shape batch{3};
  batch.insert(batch.end(), sample.begin(), sample.end());
  const Tensor x = random_tensor(batch, rng);
  const Tensor yq = quantized.forward(x, Mode::kTrain);
  const Tensor yr = reference.forward(x, Mode::kTrain);
  EXPECT_TRUE((yq.values == yr.values).all());
  const Tensor dy = random_tensor(yq.shape, rng);
  const Tensor dxq = quantized.backward(dy);
  const Tensor dxr = reference.backward(dy);
  EXPECT_TRUE((dxq.values == dxr.values).all());
  EXPECT_TRUE((w.grad.values == reference.parameters()[0]->grad.values).all());

  // The rounding is visible: without it the output differs.
  quantized.set_weight_fake_quant(false);
  const Tensor yf = quantized.forward(x, Mode::kInference);
  EXPECT_GT((yf.values - yq.values).abs().maxCoeff(), 1e-5f);
}

TEST(FakeQuant, ConvWeightsStraightThrough) {
  Conv1D q(4, 3, 1, ir::Padding::kSame), r(4, 3, 1, ir::Padding::kSame);
  expect_weight_straight_through(q, r, {9, 3}, 0);
}

TEST(FakeQuant, DenseWeightsStraightThrough) {
  Dense q(5), r(5);
  expect_weight_straight_through(q, r, {7}, -1);
}

TEST(FakeQuant, DepthwiseWeightsStraightThrough) {
  DepthwiseConv2D q({3}, {}, ir::Padding::kSame, 2), r({3}, {}, ir::Padding::kSame, 2);
  expect_weight_straight_through(q, r, {4, 4, 2}, 2);
}

// Type and (for fake quantization) observed tensor of every layer, in order.
std::vector<std::string> layout(const Sequential& model) {
  std::vector<std::string> out;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    const Layer& l = model.layer(i);
    if (const auto* fq = dynamic_cast<const FakeQuant*>(&l))
      out.push_back(std::string(fq->is_follower() ? "follow:" : "fq:") + fq->tensor());
    else
      out.push_back(std::string(l.type()));
  }
  return out;
}

TEST(Qat, FakeQuantizationGoesWhereTheInt8ModelQuantizes) {
  Sequential model({20, 5}, preset_layers("conv1d-small", {20, 5}, 3), 1);
  const int64_t params = model.num_trainable_parameters();
  add_fake_quantization(model);
  const std::vector<std::string> expected = {"fq:input",  "reshape",     "conv1d",     "relu",
                                             "fq:conv1d", "max_pool1d",  "dropout",    "conv1d",
                                             "relu",      "fq:conv1d_1", "max_pool1d", "dropout",
                                             "flatten",   "dense",       "fq:dense"};
  EXPECT_EQ(layout(model), expected);
  EXPECT_EQ(model.num_trainable_parameters(), params);
  EXPECT_EQ(model.num_logit_layers(), model.num_layers());
  EXPECT_THROW(add_fake_quantization(model), Error);
}

TEST(Qat, BatchnormGroupsAndAveragePools) {
  std::vector<LayerSpec> specs = layer_specs_from_json(nlohmann::json::parse(R"([
        {"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same"},
        {"type": "batchnorm"}, {"type": "dropout", "rate": 0.1}, {"type": "relu"},
        {"type": "average_pool2d", "pool": 2},
        {"type": "relu6"},
        {"type": "global_average_pool"},
        {"type": "dense", "units": 3, "activation": "softmax"}])"),
                                                       "layers");
  Sequential model({6, 6, 2}, specs, 1);
  add_fake_quantization(model);
  const std::vector<std::string> expected = {"fq:input",
                                             "conv2d",
                                             "batchnorm",
                                             "dropout",
                                             "relu",
                                             "fq:conv2d",
                                             "average_pool2d",
                                             "follow:conv2d",
                                             "relu6",
                                             "fq:relu6",
                                             "global_average_pool",
                                             "follow:relu6",
                                             "dense",
                                             "fq:dense",
                                             "softmax"};
  EXPECT_EQ(layout(model), expected);
  EXPECT_EQ(model.num_logit_layers(), model.num_layers() - 1);
}

TEST(Qat, TrainerSwitchesFakeQuantizationOn) {
  const Dataset data = testing::bump_sequences(60, 12, 3, 3, 2);
  Sequential model({12, 3}, preset_layers("conv1d-small", {12, 3}, 3), 1);
  add_fake_quantization(model);
  TrainConfig config;
  config.epochs = 4;
  config.qat_start_epoch = qat_start_epoch(config.epochs);
  EXPECT_EQ(config.qat_start_epoch, 2);
  const TrainResult r = train(model, data, nullptr, config);
  ASSERT_EQ(r.history.size(), 4u);
  EXPECT_FALSE(r.history[1].quantized);
  EXPECT_TRUE(r.history[2].quantized);
  EXPECT_EQ(r.qat_epoch, 3);
  for (size_t i = 0; i < model.num_layers(); ++i)
    if (const auto* fq = dynamic_cast<const FakeQuant*>(&model.layer(i))) {
      EXPECT_TRUE(fq->active());
      EXPECT_LT(fq->range().min, fq->range().max);
    }

  Sequential plain({12, 3}, preset_layers("conv1d-small", {12, 3}, 3), 1);
  EXPECT_THROW(train(plain, data, nullptr, config), Error);  // no fake quantization to switch
}

TEST(Qat, EarlyStoppingInTheFloatEpochsStartsTheQuantizedOnes) {
  // Labels shuffled away from the features: the network can only memorize, so the validation
  // loss soon stops improving.
  Dataset data = testing::bump_sequences(60, 12, 3, 3, 2);
  Rng rng(9);
  rng.shuffle(data.labels);
  Sequential model({12, 3}, preset_layers("conv1d-small", {12, 3}, 3), 1);
  add_fake_quantization(model);
  TrainConfig config;
  config.epochs = 40;
  config.learning_rate = 0.02f;
  config.validation_fraction = 0.3f;
  config.early_stopping_patience = 2;
  config.qat_start_epoch = 30;
  const TrainResult r = train(model, data, nullptr, config);
  EXPECT_GT(r.qat_epoch, 0);
  EXPECT_LT(r.qat_epoch, 31);
  EXPECT_TRUE(r.history.back().quantized);
  EXPECT_GE(r.best_epoch, r.qat_epoch);  // the weights kept come from a quantized epoch
}

}  // namespace
}  // namespace kiln::nn
