// kiln train: the whole learning stage of a project. From the samples of the training split it
// builds the pipeline description (window, DSP parameters, labels), computes and normalizes the
// features (plus augmented copies), trains the network with Kiln's engine, exports it as
// out/model.f32.tflite, quantizes it to out/model.int8.tflite with calibration on training windows,
// fits the optional K-means anomaly model, and writes out/pipeline.json and out/train.png.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nn/trainer.h"
#include "pipeline/trained_pipeline.h"
#include "project/project.h"
#include "project/sample_index.h"

namespace kiln::pipeline {

// The pipeline description from the configuration and the samples (before any statistics):
// checks that the samples share one sensor kind, rate and axis count, turns window_ms/stride_ms
// into frames, fills DSP defaults that depend on the data (image size and colour), and lists the
// labels in sorted order. The feature shape comes from running the DSP block on a first window.
TrainedPipeline describe_pipeline(const project::Project& project,
                                  const std::vector<project::SampleRecord>& samples);

struct TrainCallbacks {
  std::function<void(const std::string& stage)> on_stage;  // "features", "training", ...
  // From the feature workers, one call at a time; throwing stops training (e.g. to cancel it).
  std::function<void(size_t done, size_t total)> on_features;
  nn::EpochCallback on_epoch;
};

struct TrainReport {
  TrainedPipeline pipeline;
  nn::TrainResult training;  // empty history when there is no classifier
  int64_t parameters = 0;
  int64_t macs = 0;
  size_t train_windows = 0;      // original windows
  size_t augmented_windows = 0;  // extra copies
  std::vector<std::filesystem::path> written;
  double seconds = 0;
};

TrainReport train_project(const project::Project& project, const TrainCallbacks& callbacks = {});

// The network layers for the project: its preset or explicit layer list.
std::vector<nn::LayerSpec> network_layers(const project::ProjectConfig& config,
                                          const std::vector<int64_t>& feature_shape,
                                          int num_classes);

}  // namespace kiln::pipeline
