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
#include "dsp/flatten.h"
#include "dsp/image.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/raw.h"
#include "dsp/spectral_analysis.h"
#include "dsp/spectrogram.h"

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

// A block's parameters resolved into its device struct: exactly what compute_features() runs, so
// a deployed library built from it computes the same features.
using DeviceBlockParams =
    std::variant<dsp::RawParams, dsp::FlattenParams, dsp::SpectralParams, dsp::SpectrogramParams,
                 dsp::MfeParams, dsp::MfccParams, dsp::ImageParams>;

struct ResolvedBlock {
  std::string block;  // canonical name ("spectral", not "spectral_analysis")
  DeviceBlockParams params;
  std::vector<std::string> notes;  // as in Features::notes
};

// Resolves and validates `params` for windows of `window_frames` time steps of `axes` values
// sampled at `sample_rate_hz` (the rate is overridden by a sampling_frequency_hz parameter; rate,
// axes and frames are ignored for image). Throws the errors compute_features() would.
ResolvedBlock resolve_block(const std::string& block, const ParamMap& params, double sample_rate_hz,
                            int axes, size_t window_frames);

Features compute_features(const std::string& block, const BlockInput& input,
                          const ParamMap& params);

}  // namespace kiln::data
