#include "eval/canvas.h"

#include <algorithm>
#include <cstdlib>

// stb_easy_font is a public-domain header of static functions, not all of them used here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace kiln::eval {

namespace {

struct Quad {
  int x0, y0, x1, y1;  // glyph units, half-open
};

// The glyph rectangles of `s` laid out from (0, 0), in stb_easy_font's units.
std::vector<Quad> glyph_quads(const std::string& s) {
  std::string buffer = s;  // stb_easy_font takes a mutable char*
  // Each quad is 4 vertices of 16 bytes; ~270 bytes per character is the header's estimate.
  std::vector<char> vertices(64 * 16 * (buffer.size() + 1));
  const int count = stb_easy_font_print(0, 0, buffer.data(), nullptr, vertices.data(),
                                        static_cast<int>(vertices.size()));
  std::vector<Quad> quads;
  quads.reserve(count);
  for (int q = 0; q < count; ++q) {
    // Vertex 0 is the top-left corner and vertex 2 the bottom-right of an axis-aligned quad.
    float v0[2], v2[2];
    std::copy_n(reinterpret_cast<const char*>(vertices.data() + q * 64), sizeof(v0),
                reinterpret_cast<char*>(v0));
    std::copy_n(reinterpret_cast<const char*>(vertices.data() + q * 64 + 32), sizeof(v2),
                reinterpret_cast<char*>(v2));
    quads.push_back(Quad{static_cast<int>(v0[0]), static_cast<int>(v0[1]), static_cast<int>(v2[0]),
                         static_cast<int>(v2[1])});
  }
  return quads;
}

}  // namespace

Canvas::Canvas(int width, int height, Rgb background) {
  image_.width = std::max(width, 1);
  image_.height = std::max(height, 1);
  image_.pixels.resize(static_cast<size_t>(image_.width) * image_.height * 3);
  for (size_t i = 0; i < image_.pixels.size(); i += 3) {
    image_.pixels[i] = background.r;
    image_.pixels[i + 1] = background.g;
    image_.pixels[i + 2] = background.b;
  }
}

void Canvas::fill(int x0, int y0, int x1, int y1, Rgb colour) {
  x0 = std::max(x0, 0);
  y0 = std::max(y0, 0);
  x1 = std::min(x1, image_.width);
  y1 = std::min(y1, image_.height);
  for (int y = y0; y < y1; ++y) {
    uint8_t* p = &image_.pixels[(static_cast<size_t>(y) * image_.width + x0) * 3];
    for (int x = x0; x < x1; ++x, p += 3) {
      p[0] = colour.r;
      p[1] = colour.g;
      p[2] = colour.b;
    }
  }
}

void Canvas::frame(int x0, int y0, int x1, int y1, Rgb colour) {
  fill(x0, y0, x1, y0 + 1, colour);
  fill(x0, y1 - 1, x1, y1, colour);
  fill(x0, y0, x0 + 1, y1, colour);
  fill(x1 - 1, y0, x1, y1, colour);
}

void Canvas::polyline(const std::vector<std::pair<int, int>>& points, Rgb colour, int thickness,
                      int dash) {
  const int before = (thickness - 1) / 2;  // pen offset so the line is centred on the points
  long step = 0;                           // pixels along the whole line, for the dash pattern
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    // Bresenham: walk the major axis one pixel at a time, stepping the minor one on overflow.
    int x = points[i].first, y = points[i].second;
    const int x1 = points[i + 1].first, y1 = points[i + 1].second;
    const int dx = std::abs(x1 - x), dy = -std::abs(y1 - y);
    const int sx = x < x1 ? 1 : -1, sy = y < y1 ? 1 : -1;
    int error = dx + dy;
    while (true) {
      if (dash <= 0 || (step / dash) % 2 == 0) {
        fill(x - before, y - before, x - before + thickness, y - before + thickness, colour);
      }
      if (x == x1 && y == y1) break;
      ++step;
      const int twice = 2 * error;
      if (twice >= dy) {
        error += dy;
        x += sx;
      }
      if (twice <= dx) {
        error += dx;
        y += sy;
      }
    }
  }
  if (points.size() == 1) {
    fill(points[0].first - before, points[0].second - before, points[0].first - before + thickness,
         points[0].second - before + thickness, colour);
  }
}

void Canvas::text(int x, int y, const std::string& s, Rgb colour, int scale) {
  for (const Quad& q : glyph_quads(s)) {
    fill(x + q.x0 * scale, y + q.y0 * scale, x + q.x1 * scale, y + q.y1 * scale, colour);
  }
}

void Canvas::text_upwards(int x, int y, const std::string& s, Rgb colour, int scale) {
  // Turning a quarter left sends text coordinates (u along the line, v down the glyph) to
  // (x + v, y - u): the glyph tops face left and the line runs up from row y.
  for (const Quad& q : glyph_quads(s)) {
    fill(x + q.y0 * scale, y - q.x1 * scale, x + q.y1 * scale, y - q.x0 * scale, colour);
  }
}

int Canvas::text_width(const std::string& s, int scale) {
  std::string buffer = s;
  return stb_easy_font_width(buffer.data()) * scale;
}

int Canvas::text_height(int scale) {
  return 7 * scale;  // stb_easy_font capitals and digits span rows 0..6 below the top line
}

}  // namespace kiln::eval
