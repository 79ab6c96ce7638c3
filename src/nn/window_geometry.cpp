#include "nn/window_geometry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace kiln::nn {

namespace {

// Output size and leading padding along one axis.
void axis_geometry(int in, int window, int stride, ir::Padding padding, const std::string& who,
                   int* out, int* pad_before) {
  if (padding == ir::Padding::kSame) {
    *out = (in + stride - 1) / stride;
    const int total = std::max((*out - 1) * stride + window - in, 0);
    *pad_before = total / 2;
  } else {
    if (window > in)
      throw Error(fmt::format("{}: window {} is larger than the input {} with VALID padding", who,
                              window, in));
    *out = (in - window) / stride + 1;
    *pad_before = 0;
  }
}

std::vector<int> two_d(const std::vector<int>& v) {
  return v.size() == 1 ? std::vector<int>{v[0], v[0]} : v;
}

}  // namespace

WindowGeometry make_window_geometry(int in_h, int in_w, int channels, int window_h, int window_w,
                                    int stride_h, int stride_w, ir::Padding padding,
                                    const std::string& who) {
  if (in_h < 1 || in_w < 1 || channels < 1 || window_h < 1 || window_w < 1 || stride_h < 1 ||
      stride_w < 1)
    throw Error(fmt::format("{}: sizes and strides must be positive", who));
  WindowGeometry g;
  g.in_h = in_h;
  g.in_w = in_w;
  g.channels = channels;
  g.window_h = window_h;
  g.window_w = window_w;
  g.stride_h = stride_h;
  g.stride_w = stride_w;
  axis_geometry(in_h, window_h, stride_h, padding, who, &g.out_h, &g.pad_top);
  axis_geometry(in_w, window_w, stride_w, padding, who, &g.out_w, &g.pad_left);
  return g;
}

WindowGeometry window_geometry_for(const Shape& input, const std::vector<int>& window,
                                   const std::vector<int>& strides,
                                   const std::vector<int>& default_stride, ir::Padding padding,
                                   const std::string& who) {
  const std::vector<int>& stride = strides.empty() ? default_stride : strides;
  if (input.size() == 2) {
    if (window.size() != 1 || stride.size() != 1)
      throw Error(fmt::format("{}: a 1-D layer takes one window size and one stride", who));
    return make_window_geometry(1, input[0], input[1], 1, window[0], 1, stride[0], padding, who);
  }
  if (input.size() == 3) {
    if (window.empty() || window.size() > 2 || stride.empty() || stride.size() > 2)
      throw Error(fmt::format("{}: a 2-D layer takes one or two window sizes and strides", who));
    const std::vector<int> w = two_d(window), s = two_d(stride);
    return make_window_geometry(input[0], input[1], input[2], w[0], w[1], s[0], s[1], padding, who);
  }
  throw Error(fmt::format("{}: expected samples of shape [W, C] or [H, W, C], got {}", who,
                          shape_text(input)));
}

void im2col(const WindowGeometry& g, const float* image, float* patches) {
  const int row_values = g.window_w * g.channels;
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox = 0; ox < g.out_w; ++ox) {
      float* patch = patches + static_cast<int64_t>(oy * g.out_w + ox) * g.patch_size();
      const int x0 = ox * g.stride_w - g.pad_left;
      for (int ky = 0; ky < g.window_h; ++ky) {
        float* dst = patch + ky * row_values;
        const int iy = oy * g.stride_h - g.pad_top + ky;
        if (iy < 0 || iy >= g.in_h) {
          std::memset(dst, 0, sizeof(float) * static_cast<size_t>(row_values));
          continue;
        }
        // Copy the in-range run of the window row at once; zero the overhanging ends.
        const int kx_begin = std::max(0, -x0), kx_end = std::min(g.window_w, g.in_w - x0);
        if (kx_end <= kx_begin) {
          std::memset(dst, 0, sizeof(float) * static_cast<size_t>(row_values));
          continue;
        }
        std::memset(dst, 0, sizeof(float) * static_cast<size_t>(kx_begin * g.channels));
        const float* src = image + (static_cast<int64_t>(iy) * g.in_w + x0 + kx_begin) * g.channels;
        std::memcpy(dst + kx_begin * g.channels, src,
                    sizeof(float) * static_cast<size_t>((kx_end - kx_begin) * g.channels));
        std::memset(dst + kx_end * g.channels, 0,
                    sizeof(float) * static_cast<size_t>((g.window_w - kx_end) * g.channels));
      }
    }
  }
}

void col2im_add(const WindowGeometry& g, const float* patches, float* image) {
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox = 0; ox < g.out_w; ++ox) {
      const float* patch = patches + static_cast<int64_t>(oy * g.out_w + ox) * g.patch_size();
      const int x0 = ox * g.stride_w - g.pad_left;
      for (int ky = 0; ky < g.window_h; ++ky) {
        const int iy = oy * g.stride_h - g.pad_top + ky;
        if (iy < 0 || iy >= g.in_h) continue;
        const int kx_begin = std::max(0, -x0), kx_end = std::min(g.window_w, g.in_w - x0);
        if (kx_end <= kx_begin) continue;
        const float* src = patch + (ky * g.window_w + kx_begin) * g.channels;
        float* dst = image + (static_cast<int64_t>(iy) * g.in_w + x0 + kx_begin) * g.channels;
        for (int i = 0; i < (kx_end - kx_begin) * g.channels; ++i) dst[i] += src[i];
      }
    }
  }
}

ir::Padding parse_padding(const std::string& text, const std::string& who) {
  if (text == "same") return ir::Padding::kSame;
  if (text == "valid") return ir::Padding::kValid;
  throw Error(fmt::format("{}: padding must be \"same\" or \"valid\", got \"{}\"", who, text));
}

const char* padding_text(ir::Padding padding) {
  return padding == ir::Padding::kSame ? "same" : "valid";
}

}  // namespace kiln::nn
