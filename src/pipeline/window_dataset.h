// The windows of many project samples as feature vectors, computed on both cores. Results are
// assembled in sample order and every random draw is seeded by the sample's position, so the
// output does not depend on thread timing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "pipeline/trained_pipeline.h"
#include "project/project_config.h"
#include "project/sample_index.h"

namespace kiln::pipeline {

struct WindowSet {
  std::vector<std::vector<float>> features;  // one vector per window
  std::vector<int32_t> labels;               // label index per window, -1 if not in the list
  std::vector<int32_t> sample_of;            // index into the samples given
  std::vector<bool> augmented;               // an augmented copy, not an original window
  size_t size() const { return features.size(); }
};

struct WindowSetOptions {
  bool normalize = true;  // apply the pipeline's normalization (needs it set)
  // Augmented copies per window (0 = none) and their settings; the seed mixes with the sample
  // position and copy number.
  int copies = 0;
  project::AugmentationConfig augmentation;
  uint64_t seed = 1;
  // Called after each sample, from the worker threads (one call at a time). An exception it throws
  // stops the work and is rethrown by build_window_set unchanged.
  std::function<void(size_t done, size_t total)> progress;
};

// Windows of `samples` (paths relative to `root`); label indexes by position in pipeline.labels.
WindowSet build_window_set(const TrainedPipeline& pipeline, const std::filesystem::path& root,
                           const std::vector<project::SampleRecord>& samples,
                           const WindowSetOptions& options);

}  // namespace kiln::pipeline
