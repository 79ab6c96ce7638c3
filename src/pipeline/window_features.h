// From a sample file to the network's inputs: load it, cut it into windows of the trained input
// size, run the DSP block on each window and normalize the features. Training, testing,
// classification and the deployed library all go through these steps in this order.
#pragma once

#include <filesystem>
#include <vector>

#include "data/feature_blocks.h"
#include "pipeline/trained_pipeline.h"

namespace kiln::pipeline {

// Windows of `window_frames` time steps every `stride_frames`, from the start. A signal shorter
// than one window becomes one window zero-padded at the end (or none without zero_pad); the tail
// after the last whole window of a longer signal is dropped.
std::vector<data::Signal> cut_windows(const data::Signal& signal, int window_frames,
                                      int stride_frames, bool zero_pad);

// Loads a sample file and checks that it fits the pipeline (sensor kind, rate, axes). Throws
// kiln::Error naming the file otherwise.
data::BlockInput load_sample(const TrainedPipeline& pipeline, const std::filesystem::path& file);

// The windows of a loaded sample (an image is one window).
std::vector<data::BlockInput> sample_windows(const TrainedPipeline& pipeline,
                                             const data::BlockInput& input, bool zero_pad = true);

// DSP features of one window, before normalization; their shape must equal feature_shape unless
// `shape` is given to receive it (used once, while the pipeline is being built).
std::vector<float> raw_features(const TrainedPipeline& pipeline, const data::BlockInput& window,
                                std::vector<int64_t>* shape = nullptr);

// Normalizes in place with the device's function.
void normalize(const TrainedPipeline& pipeline, std::vector<float>& features);

// Every window of a file, normalized: one feature vector per window.
std::vector<std::vector<float>> file_features(const TrainedPipeline& pipeline,
                                              const std::filesystem::path& file);

}  // namespace kiln::pipeline
