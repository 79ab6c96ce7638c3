#include "project/sample_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "data/feature_blocks.h"

namespace kiln::project {

namespace {

constexpr int kPlotWidth = 640;
constexpr int kWaveHeight = 200;
constexpr int kMargin = 8;

// Distinct colours for up to six axes, then repeated.
constexpr std::array<std::array<uint8_t, 3>, 6> kAxisColours = {
    {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}}};

void put(data::RgbImage& image, int x, int y, const std::array<uint8_t, 3>& colour) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const size_t at = (static_cast<size_t>(y) * image.width + x) * 3;
  for (int k = 0; k < 3; ++k) image.pixels[at + k] = colour[k];
}

// Per pixel column, a vertical stroke from the minimum to the maximum of the frames it covers,
// so no peak is lost however long the sample.
data::RgbImage render_waveform(const data::Signal& s, int width) {
  data::RgbImage image{width, kWaveHeight,
                       std::vector<uint8_t>(static_cast<size_t>(width) * kWaveHeight * 3, 255)};
  const size_t frames = s.frames();
  if (frames == 0 || s.axes <= 0) return image;
  const auto [lo_it, hi_it] = std::minmax_element(s.samples.begin(), s.samples.end());
  const float lo = *lo_it, hi = *hi_it;
  const float span = hi > lo ? hi - lo : 1.0f;
  const int plot_w = width - 2 * kMargin, plot_h = kWaveHeight - 2 * kMargin;
  auto y_of = [&](float v) {
    return kMargin + plot_h - 1 - static_cast<int>(std::lround((v - lo) / span * (plot_h - 1)));
  };
  for (int x = 0; x < width; ++x) put(image, x, y_of(std::clamp(0.0f, lo, hi)), {200, 200, 200});
  const size_t axes = static_cast<size_t>(s.axes);
  for (int column = 0; column < plot_w; ++column) {
    const size_t first = frames * static_cast<size_t>(column) / static_cast<size_t>(plot_w);
    const size_t last =
        std::max(first + 1, frames * static_cast<size_t>(column + 1) / static_cast<size_t>(plot_w));
    for (size_t a = 0; a < axes; ++a) {
      // Starting at the previous column's last frame joins neighbouring strokes into a line.
      const size_t from = first > 0 ? first - 1 : first;
      float mn = s.samples[from * axes + a], mx = mn;
      for (size_t f = from; f < last && f < frames; ++f) {
        mn = std::min(mn, s.samples[f * axes + a]);
        mx = std::max(mx, s.samples[f * axes + a]);
      }
      for (int y = y_of(mx); y <= y_of(mn); ++y) {
        put(image, kMargin + column, y, kAxisColours[a % kAxisColours.size()]);
      }
    }
  }
  return image;
}

data::RgbImage stack(const data::RgbImage& top, const data::RgbImage& bottom) {
  const int width = std::max(top.width, bottom.width);
  data::RgbImage out{
      width, top.height + bottom.height,
      std::vector<uint8_t>(static_cast<size_t>(width) * (top.height + bottom.height) * 3, 255)};
  auto blit = [&](const data::RgbImage& part, int y0) {
    for (int y = 0; y < part.height; ++y) {
      std::copy_n(part.pixels.begin() + static_cast<ptrdiff_t>(y) * part.width * 3,
                  static_cast<size_t>(part.width) * 3,
                  out.pixels.begin() + (static_cast<ptrdiff_t>(y0 + y) * width) * 3);
    }
  };
  blit(top, 0);
  blit(bottom, top.height);
  return out;
}

data::RgbImage image_to_rgb(const data::Image& image) {
  data::RgbImage out{image.width, image.height,
                     std::vector<uint8_t>(static_cast<size_t>(image.width) * image.height * 3)};
  const size_t c = static_cast<size_t>(image.channels);
  for (size_t p = 0; p < static_cast<size_t>(image.width) * image.height; ++p) {
    for (size_t k = 0; k < 3; ++k) out.pixels[p * 3 + k] = image.pixels[p * c + (c >= 3 ? k : 0)];
  }
  return out;
}

}  // namespace

data::RgbImage render_sample_plot(const Project& project, const SampleRecord& sample,
                                  std::vector<std::string>& notes) {
  const data::BlockInput input = data::load_block_input(project.root / sample.path, {});
  if (const data::Image* image = std::get_if<data::Image>(&input)) return image_to_rgb(*image);
  const data::Signal& signal = std::get<data::Signal>(input);
  const data::RgbImage wave = render_waveform(signal, kPlotWidth);

  const std::string& block = project.config.dsp.block;
  data::Features features;
  try {
    const data::ParamMap params(project.config.dsp.params.begin(), project.config.dsp.params.end());
    features = data::compute_features(block, input, params);
  } catch (const Error& e) {
    notes.push_back(fmt::format("features not drawn: {}", e.what()));
    return wave;
  }
  if (features.shape.size() != 2 || features.values.empty()) return wave;
  const int rows = static_cast<int>(features.shape[0]), cols = static_cast<int>(features.shape[1]);
  const data::HeatmapLabels labels{fmt::format("{} {}: {}", sample.label, sample.id, block),
                                   features.dims[0], features.dims[1]};
  return stack(wave, data::render_heatmap(features.values, rows, cols, labels));
}

}  // namespace kiln::project
