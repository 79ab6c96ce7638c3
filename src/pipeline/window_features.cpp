#include "pipeline/window_features.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "dsp/normalize.h"

namespace kiln::pipeline {

std::vector<data::Signal> cut_windows(const data::Signal& signal, int window_frames,
                                      int stride_frames, bool zero_pad) {
  if (window_frames <= 0 || stride_frames <= 0 || signal.axes <= 0) {
    throw Error("window and stride must be positive");
  }
  const size_t axes = static_cast<size_t>(signal.axes);
  const size_t frames = signal.frames();
  const size_t window = static_cast<size_t>(window_frames);
  std::vector<data::Signal> windows;
  auto make = [&](size_t start) {
    data::Signal w;
    w.sampling_frequency_hz = signal.sampling_frequency_hz;
    w.axes = signal.axes;
    w.axis_names = signal.axis_names;
    w.samples.assign(window * axes, 0.0f);
    const size_t take = std::min(window, frames - start);
    std::copy_n(signal.samples.begin() + static_cast<std::ptrdiff_t>(start * axes), take * axes,
                w.samples.begin());
    windows.push_back(std::move(w));
  };
  if (frames < window) {
    if (zero_pad && frames > 0) make(0);
    return windows;
  }
  for (size_t start = 0; start + window <= frames; start += static_cast<size_t>(stride_frames)) {
    make(start);
  }
  return windows;
}

data::BlockInput load_sample(const TrainedPipeline& p, const std::filesystem::path& file) {
  data::BlockInput input = data::load_block_input(file, {});
  if (p.sensor == "image") {
    if (!std::holds_alternative<data::Image>(input)) {
      throw Error(
          fmt::format("{}: the pipeline classifies images, not time series", file.string()));
    }
    return input;
  }
  if (!std::holds_alternative<data::Signal>(input)) {
    throw Error(fmt::format("{}: the pipeline classifies time series, not images", file.string()));
  }
  const data::Signal& s = std::get<data::Signal>(input);
  if (std::fabs(s.sampling_frequency_hz - p.sample_rate_hz) > 1e-6 * p.sample_rate_hz) {
    throw Error(fmt::format("{}: sampled at {} Hz but the pipeline was trained at {} Hz",
                            file.string(), s.sampling_frequency_hz, p.sample_rate_hz));
  }
  if (s.axes != p.axes) {
    throw Error(fmt::format("{}: has {} axes but the pipeline was trained on {}", file.string(),
                            s.axes, p.axes));
  }
  return input;
}

std::vector<data::BlockInput> sample_windows(const TrainedPipeline& p,
                                             const data::BlockInput& input, bool zero_pad) {
  std::vector<data::BlockInput> out;
  if (std::holds_alternative<data::Image>(input)) {
    out.push_back(input);
    return out;
  }
  for (data::Signal& w :
       cut_windows(std::get<data::Signal>(input), p.window_frames, p.stride_frames, zero_pad)) {
    out.emplace_back(std::move(w));
  }
  return out;
}

std::vector<float> raw_features(const TrainedPipeline& p, const data::BlockInput& window,
                                std::vector<int64_t>* shape) {
  data::Features f = data::compute_features(p.dsp_block, window, p.dsp_params);
  if (shape) {
    *shape = f.shape;
  } else if (f.shape != p.feature_shape) {
    throw Error(fmt::format("features of shape [{}] do not match the trained shape [{}]",
                            fmt::join(f.shape, ", "), fmt::join(p.feature_shape, ", ")));
  }
  return std::move(f.values);
}

void normalize(const TrainedPipeline& p, std::vector<float>& features) {
  const size_t channels = p.normalization.mean.size();
  if (channels == 0 || features.size() % channels != 0) {
    throw Error("feature count is not a multiple of the normalization channels");
  }
  dsp::normalize_features(features.data(), features.size(), p.normalization.mean.data(),
                          p.normalization.inv_std.data(), static_cast<int32_t>(channels));
}

std::vector<std::vector<float>> file_features(const TrainedPipeline& p,
                                              const std::filesystem::path& file) {
  const data::BlockInput input = load_sample(p, file);
  std::vector<std::vector<float>> out;
  for (const data::BlockInput& w : sample_windows(p, input, p.zero_pad)) {
    std::vector<float> f = raw_features(p, w);
    normalize(p, f);
    out.push_back(std::move(f));
  }
  if (out.empty()) {
    throw Error(fmt::format("{}: shorter than one window and padding is off", file.string()));
  }
  return out;
}

}  // namespace kiln::pipeline
