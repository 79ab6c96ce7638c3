#include "runtime/pool2d_fast.h"

#include "runtime/average_pool2d.h"
#include "runtime/simd32.h"

namespace kiln {
namespace rt {

namespace {

// The largest window whose int8 sums fit 16-bit lanes.
const int32_t kMaxLaneTaps = 256;

// sum / count rounded half away from zero, as the reference divides.
inline int32_t rounded_average(int32_t sum, int32_t count) {
  const int32_t half = count / 2;
  return sum > 0 ? (sum + half) / count : (sum - half) / count;
}

}  // namespace

Status average_pool2d_int8_fast(const Pool2DParams& params, const Shape4& input_shape,
                                const int8_t* input, const Shape4& output_shape, int8_t* output) {
  if (!input || !output || params.act_min > params.act_max ||
      static_cast<int64_t>(params.filter_h) * params.filter_w > kMaxLaneTaps ||
      !pool2d_shapes_valid(params.window, params.filter_h, params.filter_w, input_shape,
                           output_shape))
    return average_pool2d_int8(params, input_shape, input, output_shape, output);

  const Window2D& win = params.window;
  const int32_t channels = input_shape.c;
  const int32_t input_row = input_shape.w * channels;
  const int32_t quads = channels >> 2;
  int8_t* out = output;  // NHWC: output positions are visited in memory order
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const int8_t* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      const WindowSpan rows = clip_window(in_y_origin, params.filter_h, input_shape.h);
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        const WindowSpan cols = clip_window(in_x_origin, params.filter_w, input_shape.w);
        if (rows.end <= rows.begin || cols.end <= cols.begin) return kBadArgument;
        // The window's first covered tap (channel 0) and its covered extent.
        const int8_t* first = input_batch + (in_y_origin + rows.begin) * input_row +
                              (in_x_origin + cols.begin) * channels;
        const int32_t covered_rows = rows.end - rows.begin;
        const int32_t covered_cols = cols.end - cols.begin;
        const int32_t count = covered_rows * covered_cols;
        for (int32_t q = 0; q < quads; ++q) {
          // Lanes: channels 4q and 4q + 2 in `even`, 4q + 1 and 4q + 3 in `odd`.
          int32_t even = 0, odd = 0;
          const int8_t* row = first + 4 * q;
          for (int32_t ky = 0; ky < covered_rows; ++ky, row += input_row) {
            const int8_t* tap = row;
            for (int32_t kx = 0; kx < covered_cols; ++kx, tap += channels) {
              const int32_t v = simd32::load4(tap);
              even = simd32::sxtab16(even, v);
              odd = simd32::sxtab16_odd(odd, v);
            }
          }
          const int32_t sums[4] = {simd32::half0(even), simd32::half0(odd), simd32::half1(even),
                                   simd32::half1(odd)};
          for (int32_t k = 0; k < 4; ++k)
            out[k] = static_cast<int8_t>(
                clamp_i32(rounded_average(sums[k], count), params.act_min, params.act_max));
          out += 4;
        }
        for (int32_t c = 4 * quads; c < channels; ++c) {
          int32_t sum = 0;
          const int8_t* row = first + c;
          for (int32_t ky = 0; ky < covered_rows; ++ky, row += input_row)
            for (int32_t kx = 0; kx < covered_cols; ++kx) sum += row[kx * channels];
          *out++ = static_cast<int8_t>(
              clamp_i32(rounded_average(sum, count), params.act_min, params.act_max));
        }
      }
    }
  }
  return kOk;
}

Status max_pool2d_int8_fast(const Pool2DParams& params, const Shape4& input_shape,
                            const int8_t* input, const Shape4& output_shape, int8_t* output) {
  if (!input || !output) return kBadArgument;
  if (!pool2d_shapes_valid(params.window, params.filter_h, params.filter_w, input_shape,
                           output_shape))
    return kBadArgument;
  if (params.act_min < -128 || params.act_max > 127 || params.act_min > params.act_max)
    return kBadArgument;

  const Window2D& win = params.window;
  const int32_t channels = input_shape.c;
  const int32_t input_row = input_shape.w * channels;
  const int32_t quads = channels >> 2;
  const int32_t low =
      simd32::pack_bytes(params.act_min, params.act_min, params.act_min, params.act_min);
  const int32_t high =
      simd32::pack_bytes(params.act_max, params.act_max, params.act_max, params.act_max);
  const int32_t lowest = simd32::pack_bytes(-128, -128, -128, -128);
  int8_t* out = output;
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const int8_t* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      const WindowSpan rows = clip_window(in_y_origin, params.filter_h, input_shape.h);
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        const WindowSpan cols = clip_window(in_x_origin, params.filter_w, input_shape.w);
        // An empty window (impossible with TFLite's padding) leaves the lowest value, as in the
        // reference; its first tap is then never formed.
        const bool empty = rows.end <= rows.begin || cols.end <= cols.begin;
        const int32_t covered_rows = empty ? 0 : rows.end - rows.begin;
        const int32_t covered_cols = empty ? 0 : cols.end - cols.begin;
        const int8_t* first = empty ? input_batch
                                    : input_batch + (in_y_origin + rows.begin) * input_row +
                                          (in_x_origin + cols.begin) * channels;
        for (int32_t q = 0; q < quads; ++q) {
          int32_t max = lowest;
          const int8_t* row = first + 4 * q;
          for (int32_t ky = 0; ky < covered_rows; ++ky, row += input_row) {
            const int8_t* tap = row;
            for (int32_t kx = 0; kx < covered_cols; ++kx, tap += channels)
              max = simd32::max_s8x4(max, simd32::load4(tap));
          }
          simd32::store4(out, simd32::min_s8x4(simd32::max_s8x4(max, low), high));
          out += 4;
        }
        for (int32_t c = 4 * quads; c < channels; ++c) {
          int32_t max = -128;
          const int8_t* row = first + c;
          for (int32_t ky = 0; ky < covered_rows; ++ky, row += input_row)
            for (int32_t kx = 0; kx < covered_cols; ++kx) max = max_i32(max, row[kx * channels]);
          *out++ = static_cast<int8_t>(clamp_i32(max, params.act_min, params.act_max));
        }
      }
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
