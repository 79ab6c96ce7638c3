// The training loop: seeded shuffling into mini-batches, an optional validation split, early
// stopping and a per-epoch callback for progress display. Everything is single-threaded with a
// fixed order of operations, so the same data, configuration and seeds give bit-identical
// weights.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nn/sequential.h"

namespace kiln::nn {

struct Dataset {
  Tensor features;              // [samples, sample shape...]
  std::vector<int32_t> labels;  // one class index per sample

  int size() const { return features.batch(); }
};

// The samples at `indices`, in that order.
Dataset select_samples(const Dataset& data, std::span<const int32_t> indices);
// Splits off round(fraction * count) samples of each class for validation, chosen by a seeded
// shuffle; returns {train, validation}.
std::pair<Dataset, Dataset> split_validation(const Dataset& data, float fraction, uint32_t seed);
// Weights count / (classes * count_c): every class contributes equally to the loss.
std::vector<float> balanced_class_weights(std::span<const int32_t> labels, int num_classes);

struct TrainConfig {
  int epochs = 30;
  int batch_size = 32;
  float learning_rate = 0.005f;
  std::string optimizer = "adam";        // "adam" or "sgd"
  float momentum = 0.9f;                 // sgd only
  std::string lr_schedule = "constant";  // "constant" or "cosine" (decays to 0 at the end)
  uint32_t seed = 1;                     // shuffling and the validation split
  float validation_fraction = 0.0f;      // used when train() gets no validation set
  int early_stopping_patience = 0;       // epochs without improvement before stopping; 0 = never
  bool restore_best_weights = true;  // with early stopping on, end with the best epoch's weights
  std::vector<float> class_weights;  // one per class, empty = all 1
  // Quantization-aware training (see qat.h): the 0-based epoch from which fake quantization is on;
  // -1 = never. The model must have fake quantization added. Starting it restores the best
  // weights so far (with early stopping and restore_best_weights) and restarts the search for the
  // best epoch, so that the weights training ends with were trained quantized; early stopping
  // during the float epochs starts the quantized ones early instead of ending the run.
  int qat_start_epoch = -1;
};

struct EpochStats {
  int epoch = 0;  // 1-based
  int epochs = 0;
  float learning_rate = 0.0f;
  double loss = 0.0;      // mean training loss over the epoch's batches (training mode)
  double accuracy = 0.0;  // fraction of training samples classified right during the epoch
  bool has_validation = false;
  double val_loss = 0.0;
  double val_accuracy = 0.0;
  double seconds = 0.0;    // wall time of the epoch
  bool quantized = false;  // trained with fake quantization
};

struct TrainResult {
  std::vector<EpochStats> history;
  int best_epoch = 0;  // 1-based epoch with the lowest monitored loss
  bool stopped_early = false;
  int qat_epoch = 0;  // 1-based first epoch with fake quantization, 0 = none
};

using EpochCallback = std::function<void(const EpochStats&)>;

// Trains `model` in place. The monitored loss for early stopping is the validation loss when
// there is a validation set (given, or split from `train_data` by config.validation_fraction),
// else the training loss. Throws kiln::Error on inconsistent data or configuration.
TrainResult train(Sequential& model, const Dataset& train_data, const Dataset* validation,
                  const TrainConfig& config, const EpochCallback& on_epoch = {});

struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
};

// Inference-mode loss and accuracy.
Evaluation evaluate(Sequential& model, const Dataset& data,
                    std::span<const float> class_weights = {}, int batch_size = 256);

}  // namespace kiln::nn
