// Host side of the DSP blocks: loads an input file, turns `--set name=value` parameters into the
// device parameter structs (names as in Edge Impulse / the shared params.json), validates them,
// runs the device implementation with a workspace it allocates, and returns the feature matrix.
// Every problem becomes a one-line kiln::Error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "data/signal.h"

namespace kiln::data {

using ParamMap = std::map<std::string, std::string>;

using BlockInput = std::variant<Signal, Image>;

struct Features {
  std::vector<float> values;       // row-major
  std::vector<int64_t> shape;      // e.g. {frames, features}; {height, width, channels} for image
  std::vector<std::string> dims;   // names of the dimensions, e.g. {"frames", "features"}
  std::vector<std::string> notes;  // informational messages (e.g. frames truncated to the FFT)
};

// The block names: raw, flatten, spectral (alias spectral_analysis), spectrogram, mfe, mfcc, image.
std::vector<std::string> feature_block_names();

// Parameter names a block accepts (plus the input parameters sampling_frequency_hz, axes, dtype).
std::vector<std::string> feature_block_parameters(const std::string& block);

// Loads WAV / CSV / image / raw (.raw, .f32) by extension. Raw files and overrides use the input
// parameters sampling_frequency_hz, axes and dtype (int16|float32) from `params`.
BlockInput load_block_input(const std::filesystem::path& path, const ParamMap& params);

Features compute_features(const std::string& block, const BlockInput& input,
                          const ParamMap& params);

}  // namespace kiln::data
