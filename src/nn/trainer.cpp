#include "nn/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "nn/loss.h"
#include "nn/optimizer.h"
#include "nn/qat.h"

namespace kiln::nn {

namespace {

Shape sample_shape(const Tensor& t) {
  return Shape(t.shape.begin() + 1, t.shape.end());
}

void check_dataset(const Dataset& data, const Sequential& model, const char* what) {
  check_batch_shape(data.features, model.input_shape(), what);
  if (data.labels.size() != static_cast<size_t>(data.size()))
    throw Error(fmt::format("{}: {} labels for {} samples", what, data.labels.size(), data.size()));
  for (int32_t label : data.labels)
    if (label < 0 || label >= model.num_classes())
      throw Error(fmt::format("{}: label {} is outside the model's {} classes", what, label,
                              model.num_classes()));
}

void check_config(const TrainConfig& c, const Sequential& model) {
  if (c.epochs < 1) throw Error("training.epochs: must be at least 1");
  if (c.batch_size < 1) throw Error("training.batch_size: must be at least 1");
  if (!(c.learning_rate > 0.0f)) throw Error("training.learning_rate: must be positive");
  if (!(c.momentum >= 0.0f && c.momentum < 1.0f))
    throw Error("training.momentum: must be in [0, 1)");
  if (c.lr_schedule != "constant" && c.lr_schedule != "cosine")
    throw Error("training.lr_schedule: must be \"constant\" or \"cosine\"");
  if (!(c.validation_fraction >= 0.0f && c.validation_fraction < 1.0f))
    throw Error("training.validation_fraction: must be in [0, 1)");
  if (c.early_stopping_patience < 0) throw Error("training.early_stopping_patience: must be >= 0");
  if (c.qat_start_epoch < -1 || c.qat_start_epoch >= c.epochs)
    throw Error(fmt::format("training: QAT start epoch {} is outside the {} epochs",
                            c.qat_start_epoch, c.epochs));
  if (c.qat_start_epoch >= 0 && !has_fake_quantization(model))
    throw Error("training: quantization-aware training needs a model with fake quantization");
  if (!c.class_weights.empty()) {
    if (c.class_weights.size() != static_cast<size_t>(model.num_classes()))
      throw Error(fmt::format("training.class_weights: {} weights for {} classes",
                              c.class_weights.size(), model.num_classes()));
    for (float w : c.class_weights)
      if (!(w >= 0.0f && std::isfinite(w)))
        throw Error("training.class_weights: weights must be finite and non-negative");
  }
}

float scheduled_rate(const TrainConfig& c, int epoch) {
  if (c.lr_schedule == "cosine")
    return c.learning_rate * 0.5f *
           (1.0f + std::cos(std::numbers::pi_v<float> * static_cast<float>(epoch) /
                            static_cast<float>(c.epochs)));
  return c.learning_rate;
}

// Copies the samples order[begin, begin + count) into `batch` and `labels`.
void gather(const Dataset& data, const std::vector<int32_t>& order, size_t begin, int count,
            Tensor& batch, std::vector<int32_t>& labels) {
  const int64_t sample = data.features.sample_size();
  batch = Tensor::batch_of(count, sample_shape(data.features));
  labels.resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const int32_t index = order[begin + static_cast<size_t>(i)];
    batch.values.segment(i * sample, sample) = data.features.values.segment(index * sample, sample);
    labels[static_cast<size_t>(i)] = data.labels[static_cast<size_t>(index)];
  }
}

}  // namespace

Dataset select_samples(const Dataset& data, std::span<const int32_t> indices) {
  Dataset out;
  std::vector<int32_t> order(indices.begin(), indices.end());
  for (int32_t i : order)
    if (i < 0 || i >= data.size())
      throw Error(fmt::format("sample index {} is outside the {} samples", i, data.size()));
  gather(data, order, 0, static_cast<int>(order.size()), out.features, out.labels);
  return out;
}

std::pair<Dataset, Dataset> split_validation(const Dataset& data, float fraction, uint32_t seed) {
  if (!(fraction >= 0.0f && fraction < 1.0f))
    throw Error(fmt::format("validation fraction {} is outside [0, 1)", fraction));
  int32_t classes = 0;
  for (int32_t label : data.labels) classes = std::max(classes, label + 1);
  std::vector<std::vector<int32_t>> by_class(static_cast<size_t>(classes));
  for (int32_t i = 0; i < data.size(); ++i)
    by_class[static_cast<size_t>(data.labels[static_cast<size_t>(i)])].push_back(i);
  Rng rng(derive_seed(seed, 2));
  std::vector<int32_t> train_indices, validation_indices;
  for (auto& members : by_class) {
    rng.shuffle(members);
    const size_t held =
        static_cast<size_t>(std::lround(fraction * static_cast<float>(members.size())));
    validation_indices.insert(validation_indices.end(), members.begin(),
                              members.begin() + static_cast<std::ptrdiff_t>(held));
    train_indices.insert(train_indices.end(), members.begin() + static_cast<std::ptrdiff_t>(held),
                         members.end());
  }
  // Keep the original sample order inside each part.
  std::sort(train_indices.begin(), train_indices.end());
  std::sort(validation_indices.begin(), validation_indices.end());
  return {select_samples(data, train_indices), select_samples(data, validation_indices)};
}

std::vector<float> balanced_class_weights(std::span<const int32_t> labels, int num_classes) {
  std::vector<int64_t> counts(static_cast<size_t>(num_classes), 0);
  for (int32_t label : labels) {
    if (label < 0 || label >= num_classes)
      throw Error(fmt::format("label {} is outside [0, {})", label, num_classes));
    ++counts[static_cast<size_t>(label)];
  }
  std::vector<float> weights(static_cast<size_t>(num_classes), 0.0f);
  for (size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0)
      weights[c] =
          static_cast<float>(static_cast<double>(labels.size()) /
                             (static_cast<double>(num_classes) * static_cast<double>(counts[c])));
  return weights;
}

Evaluation evaluate(Sequential& model, const Dataset& data, std::span<const float> class_weights,
                    int batch_size) {
  check_dataset(data, model, "evaluation data");
  if (batch_size < 1) throw Error("evaluate: batch size must be positive");
  std::vector<int32_t> order(static_cast<size_t>(data.size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  Evaluation result;
  double weighted_loss = 0.0, weight_total = 0.0;
  int correct = 0;
  Tensor batch;
  std::vector<int32_t> labels;
  for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(batch_size)) {
    const int count =
        static_cast<int>(std::min(order.size() - begin, static_cast<size_t>(batch_size)));
    gather(data, order, begin, count, batch, labels);
    const LossResult loss =
        softmax_cross_entropy(model.forward_logits(batch, Mode::kInference), labels, class_weights);
    double batch_weight = 0.0;
    for (int32_t label : labels)
      batch_weight += class_weights.empty() ? 1.0 : class_weights[static_cast<size_t>(label)];
    weighted_loss += loss.loss * batch_weight;
    weight_total += batch_weight;
    correct += loss.correct;
  }
  result.loss = weight_total > 0.0 ? weighted_loss / weight_total : 0.0;
  result.accuracy = data.size() > 0 ? static_cast<double>(correct) / data.size() : 0.0;
  return result;
}

TrainResult train(Sequential& model, const Dataset& train_data, const Dataset* validation,
                  const TrainConfig& config, const EpochCallback& on_epoch) {
  check_config(config, model);
  check_dataset(train_data, model, "training data");
#ifdef _OPENMP
  // Eigen splits products across OpenMP threads when built with it; one thread keeps the
  // summation order, and so the weights, fixed.
  Eigen::setNbThreads(1);
#endif
  const Dataset* train_set = &train_data;
  std::pair<Dataset, Dataset> split;
  if (validation == nullptr && config.validation_fraction > 0.0f) {
    split = split_validation(train_data, config.validation_fraction, config.seed);
    train_set = &split.first;
    if (split.second.size() > 0) validation = &split.second;
  }
  if (validation != nullptr) check_dataset(*validation, model, "validation data");
  if (train_set->size() < 1) throw Error("training data is empty");

  const std::span<const float> weights(config.class_weights);
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(config.optimizer, config.momentum);
  const std::vector<Parameter*> parameters = model.parameters();
  Rng shuffler(derive_seed(config.seed, 1));
  std::vector<int32_t> order(static_cast<size_t>(train_set->size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);

  TrainResult result;
  double best_loss = INFINITY;
  std::vector<Eigen::ArrayXf> best_state;
  int epochs_without_improvement = 0;
  Tensor batch;
  std::vector<int32_t> labels;
  int qat_start = config.qat_start_epoch;  // early stopping in the float epochs moves it forward
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    if (epoch == qat_start) {
      if (!best_state.empty()) model.set_state(best_state);
      set_fake_quantization(model, true);
      result.qat_epoch = epoch + 1;
      best_loss = INFINITY;
      best_state.clear();
      epochs_without_improvement = 0;
    }
    const auto start = std::chrono::steady_clock::now();
    EpochStats stats;
    stats.quantized = qat_start >= 0 && epoch >= qat_start;
    stats.epoch = epoch + 1;
    stats.epochs = config.epochs;
    stats.learning_rate = scheduled_rate(config, epoch);
    shuffler.shuffle(order);
    double loss_sum = 0.0, weight_sum = 0.0;
    int correct = 0;
    for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(config.batch_size)) {
      const int count =
          static_cast<int>(std::min(order.size() - begin, static_cast<size_t>(config.batch_size)));
      gather(*train_set, order, begin, count, batch, labels);
      const LossResult loss =
          softmax_cross_entropy(model.forward_logits(batch, Mode::kTrain), labels, weights);
      model.backward(loss.grad);
      optimizer->step(parameters, stats.learning_rate);
      loss_sum += loss.loss * count;
      weight_sum += count;
      correct += loss.correct;
    }
    stats.loss = loss_sum / weight_sum;
    stats.accuracy = static_cast<double>(correct) / static_cast<double>(order.size());
    if (validation != nullptr) {
      const Evaluation v = evaluate(model, *validation, weights);
      stats.has_validation = true;
      stats.val_loss = v.loss;
      stats.val_accuracy = v.accuracy;
    }
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.history.push_back(stats);
    if (on_epoch) on_epoch(stats);

    const double monitored = stats.has_validation ? stats.val_loss : stats.loss;
    if (monitored < best_loss) {
      best_loss = monitored;
      result.best_epoch = stats.epoch;
      epochs_without_improvement = 0;
      if (config.early_stopping_patience > 0 && config.restore_best_weights)
        best_state = model.state();
    } else if (config.early_stopping_patience > 0 &&
               ++epochs_without_improvement >= config.early_stopping_patience) {
      if (qat_start > epoch) {
        qat_start = epoch + 1;  // no quantized epoch yet: start them rather than stop
        continue;
      }
      result.stopped_early = epoch + 1 < config.epochs;
      break;
    }
  }
  if (config.early_stopping_patience > 0 && config.restore_best_weights && !best_state.empty())
    model.set_state(best_state);
  return result;
}

}  // namespace kiln::nn
