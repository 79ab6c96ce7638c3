#include "dsp/image.h"

#include <math.h>

namespace kiln {
namespace dsp {

namespace {

const int32_t kMaxSide = 4096;

// Affine map from output pixel index to source coordinate: source = offset + index * step, where
// coordinates are pixel centres (pixel i covers [i - 0.5, i + 0.5)).
struct AxisMap {
  float step;
  float offset;
};

AxisMap axis_map(float scale, float content_offset) {
  // Output pixel centre x + 0.5 lands at source position (x + 0.5 - content_offset) / scale,
  // whose pixel-centre coordinate is that minus 0.5.
  AxisMap m;
  m.step = 1.0f / scale;
  m.offset = (0.5f - content_offset) / scale - 0.5f;
  return m;
}

// Bilinear sample of channel `c` at source position (sx, sy), edges clamped.
float sample(const ImageInput& in, int32_t c, float sx, float sy) {
  const float max_x = static_cast<float>(in.width - 1);
  const float max_y = static_cast<float>(in.height - 1);
  sx = sx < 0.0f ? 0.0f : (sx > max_x ? max_x : sx);
  sy = sy < 0.0f ? 0.0f : (sy > max_y ? max_y : sy);
  const int32_t x0 = static_cast<int32_t>(sx);
  const int32_t y0 = static_cast<int32_t>(sy);
  const int32_t x1 = x0 + 1 < in.width ? x0 + 1 : x0;
  const int32_t y1 = y0 + 1 < in.height ? y0 + 1 : y0;
  const float fx = sx - static_cast<float>(x0);
  const float fy = sy - static_cast<float>(y0);
  const size_t row0 = static_cast<size_t>(y0) * static_cast<size_t>(in.width);
  const size_t row1 = static_cast<size_t>(y1) * static_cast<size_t>(in.width);
  const size_t ch = static_cast<size_t>(in.channels);
  const float p00 = in.pixels[(row0 + x0) * ch + c];
  const float p01 = in.pixels[(row0 + x1) * ch + c];
  const float p10 = in.pixels[(row1 + x0) * ch + c];
  const float p11 = in.pixels[(row1 + x1) * ch + c];
  const float top = p00 + (p01 - p00) * fx;
  const float bottom = p10 + (p11 - p10) * fx;
  return top + (bottom - top) * fy;
}

}  // namespace

const char* image_check(const ImageParams& params) {
  if (params.width < 1 || params.width > kMaxSide || params.height < 1 ||
      params.height > kMaxSide) {
    return "image width and height must be in [1, 4096]";
  }
  if (params.channels != 1 && params.channels != 3) return "channels must be 1 or 3";
  if (params.resize_mode != kResizeSquash && params.resize_mode != kResizeFitShortest &&
      params.resize_mode != kResizeFitLongest) {
    return "resize_mode must be squash, fit_shortest or fit_longest";
  }
  if (!(params.scale_min == params.scale_min) || !(params.scale_max == params.scale_max)) {
    return "scale_min and scale_max must be numbers";
  }
  return NULL;
}

int32_t image_num_values(const ImageParams& params) {
  return params.width * params.height * params.channels;
}

Status image_compute(const ImageParams& params, const ImageInput& input, float* out,
                     size_t out_capacity) {
  if (image_check(params) != NULL || input.pixels == NULL || input.width < 1 || input.height < 1 ||
      input.width > 65536 || input.height > 65536 || input.channels < 1 || input.channels > 4) {
    return rt::kBadArgument;
  }
  if (out_capacity < static_cast<size_t>(image_num_values(params))) return rt::kBadArgument;

  const float sx_scale = static_cast<float>(params.width) / static_cast<float>(input.width);
  const float sy_scale = static_cast<float>(params.height) / static_cast<float>(input.height);
  float scale_x = sx_scale, scale_y = sy_scale;
  if (params.resize_mode == kResizeFitShortest) {
    scale_x = scale_y = sx_scale > sy_scale ? sx_scale : sy_scale;
  } else if (params.resize_mode == kResizeFitLongest) {
    scale_x = scale_y = sx_scale < sy_scale ? sx_scale : sy_scale;
  }
  // Centre the scaled content in the output (negative offsets crop, positive ones pad).
  const float offset_x = 0.5f * (static_cast<float>(params.width) - scale_x * input.width);
  const float offset_y = 0.5f * (static_cast<float>(params.height) - scale_y * input.height);
  const AxisMap mx = axis_map(scale_x, offset_x);
  const AxisMap my = axis_map(scale_y, offset_y);

  const bool color_source = input.channels >= 3;
  const float range = (params.scale_max - params.scale_min) / 255.0f;
  float* o = out;
  for (int32_t y = 0; y < params.height; ++y) {
    const float sy = my.offset + static_cast<float>(y) * my.step;
    // Letterbox padding: outside the content area (pixel centres beyond the image border).
    const bool pad_row = sy < -0.5f || sy > static_cast<float>(input.height) - 0.5f;
    for (int32_t x = 0; x < params.width; ++x) {
      const float sx = mx.offset + static_cast<float>(x) * mx.step;
      const bool pad = pad_row || sx < -0.5f || sx > static_cast<float>(input.width) - 0.5f;
      float r, g, b;
      if (pad) {
        r = g = b = 0.0f;
      } else if (color_source) {
        r = sample(input, 0, sx, sy);
        g = sample(input, 1, sx, sy);
        b = sample(input, 2, sx, sy);
      } else {
        r = g = b = sample(input, 0, sx, sy);
      }
      if (params.channels == 3) {
        *o++ = params.scale_min + r * range;
        *o++ = params.scale_min + g * range;
        *o++ = params.scale_min + b * range;
      } else {
        const float luma = color_source ? 0.299f * r + 0.587f * g + 0.114f * b : r;
        *o++ = params.scale_min + luma * range;
      }
    }
  }
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
