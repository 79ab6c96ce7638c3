// Feature statistics of the training split, computed once at training time and stored in
// pipeline.json; applying them is dsp::normalize_features (device code).
#pragma once

#include <vector>

#include "pipeline/trained_pipeline.h"

namespace kiln::pipeline {

// Mean and reciprocal standard deviation per channel (values are channel-interleaved, `channels`
// the last dimension), accumulated in double in a fixed order. A channel that never varies gets
// inv_std 1, so it maps to 0 rather than to infinity.
NormalizationStats compute_normalization(const std::vector<std::vector<float>>& features,
                                         int channels);

}  // namespace kiln::pipeline
