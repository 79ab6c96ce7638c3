#include "data/heatmap_png.h"

#include <fmt/format.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"

// stb_easy_font is a public-domain single header of static functions; not all of them are used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace kiln::data {

namespace {

struct Rgb {
  uint8_t r, g, b;
};

// A perceptually ordered dark-to-bright ramp (purple, blue, teal, green, yellow).
Rgb ramp_colour(float t) {
  static constexpr std::array<Rgb, 5> kStops = {
      Rgb{48, 18, 59}, Rgb{62, 95, 200}, Rgb{31, 184, 154}, Rgb{181, 222, 43}, Rgb{253, 231, 37}};
  if (!(t == t)) return Rgb{128, 128, 128};  // NaN
  t = std::clamp(t, 0.0f, 1.0f) * (kStops.size() - 1);
  const size_t i = std::min(static_cast<size_t>(t), kStops.size() - 2);
  const float f = t - static_cast<float>(i);
  auto mix = [f](uint8_t a, uint8_t b) {
    return static_cast<uint8_t>(std::lround(a + (static_cast<float>(b) - a) * f));
  };
  return Rgb{mix(kStops[i].r, kStops[i + 1].r), mix(kStops[i].g, kStops[i + 1].g),
             mix(kStops[i].b, kStops[i + 1].b)};
}

class Canvas {
 public:
  Canvas(int width, int height)
      : image_{width, height, std::vector<uint8_t>(width * height * 3, 255)} {}

  void fill(int x0, int y0, int x1, int y1, Rgb c) {
    x0 = std::max(x0, 0);
    y0 = std::max(y0, 0);
    x1 = std::min(x1, image_.width);
    y1 = std::min(y1, image_.height);
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        uint8_t* p = &image_.pixels[(static_cast<size_t>(y) * image_.width + x) * 3];
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
      }
    }
  }

  // Text with its top-left corner at (x, y), stb_easy_font glyphs scaled by `scale`.
  void text(int x, int y, const std::string& s, int scale = 1) {
    std::string buffer = s;
    std::vector<char> quads(16 * 4 * (buffer.size() * 40 + 16));
    unsigned char colour[4] = {0, 0, 0, 255};
    const int count = stb_easy_font_print(0, 0, buffer.data(), colour, quads.data(),
                                          static_cast<int>(quads.size()));
    for (int q = 0; q < count; ++q) {
      // Each vertex: x, y, z floats and 4 colour bytes; the quad is axis-aligned.
      const float* v0 = reinterpret_cast<const float*>(quads.data() + q * 64);
      const float* v2 = reinterpret_cast<const float*>(quads.data() + q * 64 + 32);
      fill(x + static_cast<int>(v0[0]) * scale, y + static_cast<int>(v0[1]) * scale,
           x + static_cast<int>(v2[0]) * scale, y + static_cast<int>(v2[1]) * scale, Rgb{0, 0, 0});
    }
  }

  static int text_width(const std::string& s, int scale = 1) {
    std::string buffer = s;
    return stb_easy_font_width(buffer.data()) * scale;
  }

  RgbImage take() { return std::move(image_); }

 private:
  RgbImage image_;
};

std::string tick(float v) {
  return fmt::format("{:.3g}", v);
}

}  // namespace

RgbImage render_heatmap(std::span<const float> values, int rows, int cols,
                        const HeatmapLabels& labels) {
  if (rows < 1 || cols < 1 || values.size() < static_cast<size_t>(rows) * cols) {
    throw Error("heatmap: no values to draw");
  }
  // Cells are enlarged for small matrices and subsampled for large ones.
  const int plot_w = std::clamp(rows * std::clamp(800 / rows, 1, 16), 1, 1600);
  const int plot_h = std::clamp(cols * std::clamp(400 / cols, 1, 16), 1, 800);
  const int left = 70, right = 110, top = 40, bottom = 50;
  Canvas canvas(left + plot_w + right, top + plot_h + bottom);

  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < static_cast<size_t>(rows) * cols; ++i) {
    if (std::isfinite(values[i])) {
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
  }
  if (!(lo <= hi)) lo = hi = 0;
  const float span = hi > lo ? hi - lo : 1.0f;

  for (int py = 0; py < plot_h; ++py) {
    const int col = (plot_h - 1 - py) * cols / plot_h;  // feature 0 at the bottom
    for (int px = 0; px < plot_w; ++px) {
      const int row = px * rows / plot_w;
      const float v = values[static_cast<size_t>(row) * cols + col];
      const float t = hi > lo ? (v - lo) / span : 0.5f;
      canvas.fill(left + px, top + py, left + px + 1, top + py + 1, ramp_colour(t));
    }
  }

  const Rgb black{0, 0, 0};
  canvas.fill(left - 1, top, left, top + plot_h + 1, black);                    // y axis
  canvas.fill(left - 1, top + plot_h, left + plot_w, top + plot_h + 1, black);  // x axis
  for (int r : {0, (rows - 1) / 2, rows - 1}) {
    const int x = left + (r * plot_w + plot_w / 2) / rows;
    canvas.fill(x, top + plot_h, x + 1, top + plot_h + 5, black);
    canvas.text(x - Canvas::text_width(std::to_string(r)) / 2, top + plot_h + 8, std::to_string(r));
  }
  for (int c : {0, (cols - 1) / 2, cols - 1}) {
    const int y = top + plot_h - 1 - (c * plot_h + plot_h / 2) / cols;
    canvas.fill(left - 5, y, left - 1, y + 1, black);
    canvas.text(left - 8 - Canvas::text_width(std::to_string(c)), y - 3, std::to_string(c));
  }
  canvas.text(left + plot_w / 2 - Canvas::text_width(labels.x_label, 2) / 2, top + plot_h + 24,
              labels.x_label, 2);
  canvas.text(4, top - 18, labels.y_label, 2);
  canvas.text(left + plot_w / 2 - Canvas::text_width(labels.title, 2) / 2, 6, labels.title, 2);

  // Colour bar with its value range.
  const int bar_x = left + plot_w + 20;
  for (int py = 0; py < plot_h; ++py) {
    canvas.fill(bar_x, top + py, bar_x + 16, top + py + 1,
                ramp_colour(1.0f - static_cast<float>(py) / std::max(plot_h - 1, 1)));
  }
  canvas.text(bar_x + 20, top, tick(hi));
  canvas.text(bar_x + 20, top + plot_h - 7, tick(lo));
  return canvas.take();
}

void write_png(const std::filesystem::path& path, const RgbImage& image) {
  if (!stbi_write_png(path.string().c_str(), image.width, image.height, 3, image.pixels.data(),
                      image.width * 3)) {
    throw Error(fmt::format("{}: cannot write PNG", path.string()));
  }
}

}  // namespace kiln::data
