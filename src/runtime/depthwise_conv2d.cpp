#include "runtime/depthwise_conv2d.h"

#include "runtime/float_mac.h"

namespace kiln {
namespace rt {

namespace {

// Checks shared by both variants: the shapes agree with each other and with the window.
bool depthwise_shapes_valid(const Window2D& window, int32_t depth_multiplier,
                            const Shape4& input_shape, const Shape4& filter_shape,
                            const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return false;
  if (depth_multiplier < 1 || input_shape.n != output_shape.n || filter_shape.n != 1) return false;
  if (filter_shape.c != output_shape.c) return false;
  if (static_cast<int64_t>(input_shape.c) * depth_multiplier != output_shape.c) return false;
  return window2d_valid(window, input_shape, filter_shape.h, filter_shape.w, output_shape);
}

// The quantized depthwise loop shared by the int8 and int16x8 kernels: the exact sum of
// (input + input_offset) * filter over the window of each output, handed to `output_step`
// (bias, requantization, clamp) together with the output channel.
template <typename Input, typename Output, typename OutputStep>
void depthwise_conv2d_quantized(const DepthwiseConv2DParams& params, const Shape4& input_shape,
                                const Input* input, const Shape4& filter_shape,
                                const int8_t* filter, const Shape4& output_shape,
                                const OutputStep& output_step, Output* output) {
  const Window2D& win = params.window;
  const int32_t input_row = input_shape.w * input_shape.c;
  const int32_t filter_row = filter_shape.w * filter_shape.c;
  Output* out = output;  // NHWC: output positions are visited in memory order
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const Input* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        for (int32_t in_c = 0; in_c < input_shape.c; ++in_c) {
          for (int32_t m = 0; m < params.depth_multiplier; ++m) {
            const int32_t out_c = in_c * params.depth_multiplier + m;
            int64_t acc = 0;
            for (int32_t ky = 0; ky < filter_shape.h; ++ky) {
              const int32_t in_y = in_y_origin + ky * win.dilation_h;
              if (in_y < 0 || in_y >= input_shape.h) continue;  // zero padding adds nothing
              for (int32_t kx = 0; kx < filter_shape.w; ++kx) {
                const int32_t in_x = in_x_origin + kx * win.dilation_w;
                if (in_x < 0 || in_x >= input_shape.w) continue;
                const int32_t in_value =
                    input_batch[in_y * input_row + in_x * input_shape.c + in_c];
                const int32_t filter_value = filter[ky * filter_row + kx * filter_shape.c + out_c];
                acc += filter_value * (in_value + params.input_offset);
              }
            }
            *out++ = output_step(acc, out_c);
          }
        }
      }
    }
  }
}

}  // namespace

Status depthwise_conv2d_int8(const DepthwiseConv2DParams& params, const int32_t* output_multiplier,
                             const int32_t* output_shift, const Shape4& input_shape,
                             const int8_t* input, const Shape4& filter_shape, const int8_t* filter,
                             const int32_t* bias, const Shape4& output_shape, int8_t* output) {
  if (!output_multiplier || !output_shift || !input || !filter || !output) return kBadArgument;
  if (!depthwise_shapes_valid(params.window, params.depth_multiplier, input_shape, filter_shape,
                              output_shape))
    return kBadArgument;
  if (!int8_offset_valid(params.input_offset) || params.act_min > params.act_max)
    return kBadArgument;
  if (!requant_shifts_valid(output_shift, output_shape.c)) return kBadArgument;
  const Int8OutputStep step = {bias,
                               output_multiplier,
                               output_shift,
                               /*per-channel*/ 1,
                               params.output_offset,
                               params.act_min,
                               params.act_max};
  depthwise_conv2d_quantized(params, input_shape, input, filter_shape, filter, output_shape, step,
                             output);
  return kOk;
}

Status depthwise_conv2d_int16x8(const DepthwiseConv2DParams& params,
                                const int32_t* output_multiplier, const int32_t* output_shift,
                                const Shape4& input_shape, const int16_t* input,
                                const Shape4& filter_shape, const int8_t* filter,
                                const int64_t* bias, const Shape4& output_shape, int16_t* output) {
  if (!output_multiplier || !output_shift || !input || !filter || !output) return kBadArgument;
  if (!depthwise_shapes_valid(params.window, params.depth_multiplier, input_shape, filter_shape,
                              output_shape))
    return kBadArgument;
  if (params.input_offset != 0 || params.output_offset != 0 || params.act_min > params.act_max)
    return kBadArgument;
  if (!requant_shifts_valid(output_shift, output_shape.c, /*max_shift=*/14)) return kBadArgument;
  const int64_t terms = static_cast<int64_t>(filter_shape.h) * filter_shape.w;
  if (!int64_accumulation_valid(bias, output_shape.c, terms)) return kBadArgument;
  const Int16Bias64OutputStep step = {bias,
                                      output_multiplier,
                                      output_shift,
                                      /*per-channel*/ 1,
                                      params.act_min,
                                      params.act_max};
  depthwise_conv2d_quantized(params, input_shape, input, filter_shape, filter, output_shape, step,
                             output);
  return kOk;
}

namespace {

// The valid taps of one output position: `input` and `filter` point at the first valid tap
// (channel 0); the steps move one filter row / column on in each.
struct FloatDepthwiseWindow {
  const float* input;
  const float* filter;
  int32_t rows;
  int32_t cols;
  int32_t input_row_step;
  int32_t input_col_step;
  int32_t filter_row_step;
  int32_t filter_col_step;
};

// One output channel: input channel `in_c`, filter channel `out_c`, taps summed row by row.
float window_sum1(const FloatDepthwiseWindow& w, int32_t in_c, int32_t out_c) {
  float sum = 0.0f;
  const float* in_row = w.input + in_c;
  const float* f_row = w.filter + out_c;
  for (int32_t ky = 0; ky < w.rows; ++ky) {
    const float* in = in_row;
    const float* f = f_row;
    for (int32_t kx = 0; kx < w.cols; ++kx) {
      sum += *in * *f;
      in += w.input_col_step;
      f += w.filter_col_step;
    }
    in_row += w.input_row_step;
    f_row += w.filter_row_step;
  }
  return sum;
}

// Eight consecutive channels c..c+7 with depth multiplier 1: per channel the same taps in the
// same order as window_sum1 (the eight inputs and filter values of a tap lie side by side),
// then bias and clamp, stored to out[0..7]. The sums stay in registers (a local, not returned).
void window_outputs8(const FloatDepthwiseWindow& w, int32_t c, const float* bias, float act_min,
                     float act_max, float* out) {
  FloatSums8 acc = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const float* in_row = w.input + c;
  const float* f_row = w.filter + c;
  for (int32_t ky = 0; ky < w.rows; ++ky) {
    const float* in = in_row;
    const float* f = f_row;
    for (int32_t kx = 0; kx < w.cols; ++kx) {
      float_mul_add8(in, f, acc);
      in += w.input_col_step;
      f += w.filter_col_step;
    }
    in_row += w.input_row_step;
    f_row += w.filter_row_step;
  }
  const float sums[8] = {acc.s0, acc.s1, acc.s2, acc.s3, acc.s4, acc.s5, acc.s6, acc.s7};
  for (int32_t j = 0; j < 8; ++j) {
    const float bias_value = bias ? bias[c + j] : 0.0f;
    out[j] = clamp_f32(sums[j] + bias_value, act_min, act_max);
  }
}

}  // namespace

Status depthwise_conv2d_float(const DepthwiseConv2DFloatParams& params, const Shape4& input_shape,
                              const float* input, const Shape4& filter_shape, const float* filter,
                              const float* bias, const Shape4& output_shape, float* output) {
  if (!input || !filter || !output) return kBadArgument;
  if (!depthwise_shapes_valid(params.window, params.depth_multiplier, input_shape, filter_shape,
                              output_shape))
    return kBadArgument;

  const Window2D& win = params.window;
  const int32_t multiplier = params.depth_multiplier;
  const int32_t input_row = input_shape.w * input_shape.c;
  const float act_min = params.act_min;
  const float act_max = params.act_max;
  FloatDepthwiseWindow w;
  w.input_row_step = win.dilation_h * input_row;
  w.input_col_step = win.dilation_w * input_shape.c;
  w.filter_row_step = filter_shape.w * filter_shape.c;
  w.filter_col_step = filter_shape.c;
  float* out = output;
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const float* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      const WindowSpan rows =
          valid_taps(in_y_origin, filter_shape.h, win.dilation_h, input_shape.h);
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        const WindowSpan cols =
            valid_taps(in_x_origin, filter_shape.w, win.dilation_w, input_shape.w);
        w.rows = rows.end - rows.begin;
        w.cols = cols.end - cols.begin;
        // The first valid tap is inside the input whenever there is one; otherwise no tap is
        // read and the pointer is just the batch start.
        const int32_t first_offset =
            w.rows > 0 && w.cols > 0
                ? (in_y_origin + rows.begin * win.dilation_h) * input_row +
                      (in_x_origin + cols.begin * win.dilation_w) * input_shape.c
                : 0;
        w.input = input_batch + first_offset;
        w.filter = filter + rows.begin * w.filter_row_step + cols.begin * w.filter_col_step;
        int32_t out_c = 0;
        if (multiplier == 1) {
          for (; out_c + 8 <= output_shape.c; out_c += 8) {
            window_outputs8(w, out_c, bias, act_min, act_max, out);
            out += 8;
          }
        }
        // Output channel o reads input channel o / multiplier; outputs in channel order.
        for (; out_c < output_shape.c; ++out_c) {
          const float bias_value = bias ? bias[out_c] : 0.0f;
          *out++ =
              clamp_f32(window_sum1(w, out_c / multiplier, out_c) + bias_value, act_min, act_max);
        }
      }
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
