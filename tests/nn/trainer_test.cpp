#include "nn/trainer.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "core/error.h"
#include "nn/presets.h"
#include "synthetic_data.h"

namespace kiln::nn {
namespace {

using testing::blobs;
using testing::bump_sequences;

LayerSpec dense_spec(int units, const char* activation) {
  LayerSpec s;
  s.type = "dense";
  s.units = units;
  s.activation = activation;
  return s;
}

bool same_bits(const std::vector<Eigen::ArrayXf>& a, const std::vector<Eigen::ArrayXf>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].size() != b[i].size() ||
        std::memcmp(a[i].data(), b[i].data(), sizeof(float) * static_cast<size_t>(a[i].size())) !=
            0)
      return false;
  return true;
}

TEST(Trainer, DenseSeparatesTwoGaussianBlobs) {
  const Dataset train_data = blobs({{-1, -1}, {1, 1}}, {0, 1}, 200, 0.5f, 1);
  const Dataset test_data = blobs({{-1, -1}, {1, 1}}, {0, 1}, 200, 0.5f, 2);
  Sequential model({2}, {dense_spec(8, "relu"), dense_spec(2, "")}, 7);
  TrainConfig config;
  config.epochs = 5;
  config.batch_size = 16;
  config.learning_rate = 0.02f;
  train(model, train_data, nullptr, config);
  // The Bayes error of these blobs is about 0.2%.
  EXPECT_GT(evaluate(model, test_data).accuracy, 0.95);
}

TEST(Trainer, HiddenLayerLearnsXorClusters) {
  const std::vector<std::array<float, 2>> centres = {{-1, -1}, {1, 1}, {-1, 1}, {1, -1}};
  const Dataset train_data = blobs(centres, {0, 0, 1, 1}, 100, 0.25f, 3);
  const Dataset test_data = blobs(centres, {0, 0, 1, 1}, 100, 0.25f, 4);
  Sequential model({2}, {dense_spec(16, "relu"), dense_spec(2, "")}, 5);
  TrainConfig config;
  config.epochs = 15;
  config.batch_size = 16;
  config.learning_rate = 0.02f;
  const TrainResult result = train(model, train_data, nullptr, config);
  EXPECT_GT(evaluate(model, test_data).accuracy, 0.95);
  EXPECT_LT(result.history.back().loss, result.history.front().loss);
}

TEST(Trainer, SgdWithMomentumAlsoLearns) {
  const Dataset train_data = blobs({{-1, -1}, {1, 1}}, {0, 1}, 200, 0.5f, 5);
  Sequential model({2}, {dense_spec(8, "relu"), dense_spec(2, "")}, 7);
  TrainConfig config;
  config.optimizer = "sgd";
  config.momentum = 0.9f;
  config.learning_rate = 0.05f;
  config.epochs = 5;
  train(model, train_data, nullptr, config);
  EXPECT_GT(evaluate(model, train_data).accuracy, 0.95);
}

TEST(Trainer, Conv1dSmallLearnsWhereTheBumpIs) {
  const Dataset data = bump_sequences(240, 16, 4, 4, 6);
  Sequential model({64}, preset_layers("conv1d-small", {16, 4}, 4), 3);
  Dataset flat = data;
  flat.features.shape = {240, 64};
  TrainConfig config;
  config.epochs = 8;
  config.learning_rate = 0.01f;
  config.validation_fraction = 0.25f;
  const TrainResult result = train(model, flat, nullptr, config);
  EXPECT_TRUE(result.history.back().has_validation);
  EXPECT_GT(result.history.back().val_accuracy, 0.95);
}

// Same data, configuration and seeds: the same bits, through dropout, shuffling, the validation
// split and Adam. Another seed: other weights.
TEST(Trainer, SameSeedGivesBitIdenticalWeights) {
  const Dataset data = bump_sequences(90, 12, 5, 3, 8);
  auto run = [&](uint32_t seed) {
    Sequential model({12, 5}, preset_layers("conv1d-small", {12, 5}, 3), seed);
    TrainConfig config;
    config.epochs = 2;
    config.batch_size = 8;
    config.seed = seed;
    config.validation_fraction = 0.2f;
    const TrainResult result = train(model, data, nullptr, config);
    return std::make_pair(model.state(), result.history.back().val_loss);
  };
  const auto first = run(42), second = run(42), other = run(43);
  EXPECT_TRUE(same_bits(first.first, second.first));
  EXPECT_EQ(first.second, second.second);
  EXPECT_FALSE(same_bits(first.first, other.first));
}

TEST(Trainer, EarlyStoppingRestoresTheBestEpoch) {
  // Validation labels are the opposite of the training labels: the better the model fits the
  // training data, the worse its validation loss, so the first epoch is the best.
  const Dataset train_data = blobs({{-1, -1}, {1, 1}}, {0, 1}, 100, 0.5f, 9);
  Dataset validation = blobs({{-1, -1}, {1, 1}}, {1, 0}, 50, 0.5f, 10);
  Sequential model({2}, {dense_spec(8, "relu"), dense_spec(2, "")}, 11);
  TrainConfig config;
  config.epochs = 20;
  config.learning_rate = 0.02f;
  config.early_stopping_patience = 2;
  int callbacks = 0;
  const TrainResult result =
      train(model, train_data, &validation, config, [&](const EpochStats& s) {
        ++callbacks;
        EXPECT_EQ(s.epoch, callbacks);
        EXPECT_EQ(s.epochs, 20);
      });
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(callbacks, static_cast<int>(result.history.size()));
  EXPECT_EQ(static_cast<int>(result.history.size()), result.best_epoch + 2);
  const double best_loss = result.history[static_cast<size_t>(result.best_epoch - 1)].val_loss;
  EXPECT_EQ(evaluate(model, validation).loss, best_loss);
}

TEST(Trainer, ValidationSplitIsStratifiedAndDisjoint) {
  Dataset data;
  data.features = Tensor({30, 1});
  for (int i = 0; i < 30; ++i) {
    data.features.values[i] = static_cast<float>(i);
    data.labels.push_back(i < 20 ? 0 : 1);
  }
  const auto [train_part, validation] = split_validation(data, 0.3f, 1);
  EXPECT_EQ(train_part.size() + validation.size(), 30);
  int held[2] = {0, 0};
  for (int32_t label : validation.labels) ++held[label];
  EXPECT_EQ(held[0], 6);  // 30% of 20
  EXPECT_EQ(held[1], 3);  // 30% of 10
  std::vector<bool> seen(30, false);
  for (const Dataset* part : {&train_part, &validation})
    for (int i = 0; i < part->size(); ++i) {
      const int original = static_cast<int>(part->features.values[i]);
      EXPECT_FALSE(seen[static_cast<size_t>(original)]);
      seen[static_cast<size_t>(original)] = true;
      EXPECT_EQ(part->labels[static_cast<size_t>(i)], original < 20 ? 0 : 1);
    }
}

TEST(Trainer, BalancedClassWeights) {
  const std::vector<int32_t> labels = {0, 0, 0, 1};
  // 4 samples / (2 classes * count).
  EXPECT_EQ(balanced_class_weights(labels, 2), (std::vector<float>{4.0f / 6.0f, 2.0f}));
}

TEST(Trainer, BadConfigurationNamesTheField) {
  const Dataset data = blobs({{-1, -1}, {1, 1}}, {0, 1}, 4, 0.5f, 1);
  Sequential model({2}, {dense_spec(2, "")}, 1);
  TrainConfig config;
  config.batch_size = 0;
  try {
    train(model, data, nullptr, config);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("batch_size"), std::string::npos);
  }
  config = TrainConfig();
  config.class_weights = {1.0f};
  EXPECT_THROW(train(model, data, nullptr, config), Error);
}

}  // namespace
}  // namespace kiln::nn
