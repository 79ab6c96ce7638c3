#include "runtime/average_pool2d.h"

namespace kiln {
namespace rt {

Status average_pool2d_int8(const Pool2DParams& params, const Shape4& input_shape,
                           const int8_t* input, const Shape4& output_shape, int8_t* output) {
  if (!input || !output) return kBadArgument;
  if (!pool2d_shapes_valid(params.window, params.filter_h, params.filter_w, input_shape,
                           output_shape))
    return kBadArgument;
  // An int32 sum of up to 2^24 int8 values cannot overflow.
  if (static_cast<int64_t>(params.filter_h) * params.filter_w > (int64_t{1} << 24))
    return kBadArgument;
  if (params.act_min > params.act_max) return kBadArgument;

  const Window2D& win = params.window;
  const int32_t input_row = input_shape.w * input_shape.c;
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
        const int32_t count = (rows.end - rows.begin) * (cols.end - cols.begin);
        for (int32_t c = 0; c < input_shape.c; ++c) {
          int32_t sum = 0;
          for (int32_t ky = rows.begin; ky < rows.end; ++ky) {
            const int8_t* in_row = input_batch + (in_y_origin + ky) * input_row + c;
            for (int32_t kx = cols.begin; kx < cols.end; ++kx)
              sum += in_row[(in_x_origin + kx) * input_shape.c];
          }
          // Division rounding half away from zero (C++ division truncates toward zero).
          const int32_t average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          *out++ = static_cast<int8_t>(clamp_i32(average, params.act_min, params.act_max));
        }
      }
    }
  }
  return kOk;
}

Status average_pool2d_float(const Pool2DFloatParams& params, const Shape4& input_shape,
                            const float* input, const Shape4& output_shape, float* output) {
  if (!input || !output) return kBadArgument;
  if (!pool2d_shapes_valid(params.window, params.filter_h, params.filter_w, input_shape,
                           output_shape))
    return kBadArgument;

  const Window2D& win = params.window;
  const int32_t input_row = input_shape.w * input_shape.c;
  float* out = output;
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const float* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      const WindowSpan rows = clip_window(in_y_origin, params.filter_h, input_shape.h);
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        const WindowSpan cols = clip_window(in_x_origin, params.filter_w, input_shape.w);
        if (rows.end <= rows.begin || cols.end <= cols.begin) return kBadArgument;
        // The reference counts in float; the count is a small integer, so this is exact.
        const float count = static_cast<float>((rows.end - rows.begin) * (cols.end - cols.begin));
        for (int32_t c = 0; c < input_shape.c; ++c) {
          float total = 0.0f;  // rows, then columns, as the reference sums
          for (int32_t ky = rows.begin; ky < rows.end; ++ky) {
            const float* in_row = input_batch + (in_y_origin + ky) * input_row + c;
            for (int32_t kx = cols.begin; kx < cols.end; ++kx)
              total += in_row[(in_x_origin + kx) * input_shape.c];
          }
          *out++ = clamp_f32(total / count, params.act_min, params.act_max);
        }
      }
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
