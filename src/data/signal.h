// In-memory forms of the inputs the feature blocks read: a multi-axis time series or an 8-bit
// image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::data {

// A time series with `axes` values per time step, interleaved (x0 y0 z0 x1 y1 z1 ...).
struct Signal {
  double sampling_frequency_hz = 0;
  int axes = 0;
  std::vector<std::string> axis_names;
  std::vector<float> samples;

  size_t frames() const { return axes > 0 ? samples.size() / static_cast<size_t>(axes) : 0; }
};

// Row-major pixels with interleaved channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

}  // namespace kiln::data
