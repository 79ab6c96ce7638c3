// Draws a feature matrix as a heatmap PNG so a person can look at it: rows (frames) along the x
// axis, features along the y axis (feature 0 at the bottom), a colour bar with the value range,
// axis ticks and labels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace kiln::data {

struct HeatmapLabels {
  std::string title;
  std::string x_label;  // e.g. "frame"
  std::string y_label;  // e.g. "feature"
};

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // RGB, row-major
};

// values: rows x cols, row-major.
RgbImage render_heatmap(std::span<const float> values, int rows, int cols,
                        const HeatmapLabels& labels);
void write_png(const std::filesystem::path& path, const RgbImage& image);

}  // namespace kiln::data
