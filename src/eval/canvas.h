// A small RGB raster for report plots: filled rectangles, thick and dashed polylines, and text in
// stb_easy_font's bitmap glyphs (Debian libstb-dev), horizontal or turned to read upwards.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/heatmap_png.h"

namespace kiln::eval {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

class Canvas {
 public:
  Canvas(int width, int height, Rgb background = Rgb{255, 255, 255});

  int width() const { return image_.width; }
  int height() const { return image_.height; }

  // Fills [x0, x1) x [y0, y1), clipped to the canvas.
  void fill(int x0, int y0, int x1, int y1, Rgb colour);
  // One-pixel outline of [x0, x1) x [y0, y1).
  void frame(int x0, int y0, int x1, int y1, Rgb colour);
  // Joins the points with lines of a square pen `thickness` wide. With dash > 0 the line is drawn
  // dash pixels on, dash pixels off, the pattern running on across the corners.
  void polyline(const std::vector<std::pair<int, int>>& points, Rgb colour, int thickness = 1,
                int dash = 0);

  // Text with its top-left corner at (x, y), glyphs enlarged `scale` times.
  void text(int x, int y, const std::string& s, Rgb colour, int scale = 1);
  // The same text turned a quarter left, reading upwards from row y; the glyph tops are at column
  // x, so it fills [x, x + text_height) horizontally.
  void text_upwards(int x, int y, const std::string& s, Rgb colour, int scale = 1);
  static int text_width(const std::string& s, int scale = 1);
  static int text_height(int scale = 1);  // of one line of capitals and digits

  data::RgbImage take() { return std::move(image_); }

 private:
  void plot(int x, int y, Rgb colour) { fill(x, y, x + 1, y + 1, colour); }

  data::RgbImage image_;
};

}  // namespace kiln::eval
