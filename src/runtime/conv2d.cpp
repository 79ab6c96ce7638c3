#include "runtime/conv2d.h"

#include "runtime/float_mac.h"

namespace kiln {
namespace rt {

namespace {

// Checks shared by both variants: the shapes agree with each other and with the window.
bool conv2d_shapes_valid(const Window2D& window, const Shape4& input_shape,
                         const Shape4& filter_shape, const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return false;
  if (input_shape.n != output_shape.n || filter_shape.n != output_shape.c) return false;
  if (input_shape.c % filter_shape.c != 0) return false;
  const int32_t groups = input_shape.c / filter_shape.c;
  if (output_shape.c % groups != 0) return false;
  return window2d_valid(window, input_shape, filter_shape.h, filter_shape.w, output_shape);
}

// The quantized convolution loop shared by the int8 and int16x8 kernels: the exact sum of
// (input + input_offset) * filter over the window of each output, handed to `output_step`
// (bias, requantization, clamp) together with the output channel.
template <typename Input, typename Output, typename OutputStep>
void conv2d_quantized(const Conv2DParams& params, const Shape4& input_shape, const Input* input,
                      const Shape4& filter_shape, const int8_t* filter, const Shape4& output_shape,
                      const OutputStep& output_step, Output* output) {
  const Window2D& win = params.window;
  const int32_t group_depth = filter_shape.c;  // input channels each filter sees
  const int32_t filters_per_group = output_shape.c / (input_shape.c / group_depth);
  const int32_t filter_size = filter_shape.h * filter_shape.w * group_depth;
  const int32_t input_row = input_shape.w * input_shape.c;
  Output* out = output;  // NHWC: output positions are visited in memory order
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const Input* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        for (int32_t out_c = 0; out_c < output_shape.c; ++out_c) {
          const int32_t in_c_first = (out_c / filters_per_group) * group_depth;
          const int8_t* filter_c = filter + out_c * filter_size;
          int64_t acc = 0;
          for (int32_t ky = 0; ky < filter_shape.h; ++ky) {
            const int32_t in_y = in_y_origin + ky * win.dilation_h;
            if (in_y < 0 || in_y >= input_shape.h) continue;  // zero padding adds nothing
            for (int32_t kx = 0; kx < filter_shape.w; ++kx) {
              const int32_t in_x = in_x_origin + kx * win.dilation_w;
              if (in_x < 0 || in_x >= input_shape.w) continue;
              const Input* in_px =
                  input_batch + in_y * input_row + in_x * input_shape.c + in_c_first;
              const int8_t* filter_px = filter_c + (ky * filter_shape.w + kx) * group_depth;
              for (int32_t i = 0; i < group_depth; ++i)
                acc += filter_px[i] * (in_px[i] + params.input_offset);
            }
          }
          *out++ = output_step(acc, out_c);
        }
      }
    }
  }
}

// Checks shared by the int16x8 variants.
bool conv2d_int16x8_valid(const Conv2DParams& params, const int32_t* output_multiplier,
                          const int32_t* output_shift, const Shape4& input_shape,
                          const int16_t* input, const Shape4& filter_shape, const int8_t* filter,
                          const Shape4& output_shape, const int16_t* output, int32_t max_shift) {
  if (!output_multiplier || !output_shift || !input || !filter || !output) return false;
  if (!conv2d_shapes_valid(params.window, input_shape, filter_shape, output_shape)) return false;
  if (params.input_offset != 0 || params.output_offset != 0 || params.act_min > params.act_max)
    return false;
  return requant_shifts_valid(output_shift, output_shape.c, max_shift);
}

}  // namespace

Status conv2d_int8(const Conv2DParams& params, const int32_t* output_multiplier,
                   const int32_t* output_shift, const Shape4& input_shape, const int8_t* input,
                   const Shape4& filter_shape, const int8_t* filter, const int32_t* bias,
                   const Shape4& output_shape, int8_t* output) {
  if (!output_multiplier || !output_shift || !input || !filter || !output) return kBadArgument;
  if (!conv2d_shapes_valid(params.window, input_shape, filter_shape, output_shape))
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
  conv2d_quantized(params, input_shape, input, filter_shape, filter, output_shape, step, output);
  return kOk;
}

Status conv2d_int16x8_bias64(const Conv2DParams& params, const int32_t* output_multiplier,
                             const int32_t* output_shift, const Shape4& input_shape,
                             const int16_t* input, const Shape4& filter_shape, const int8_t* filter,
                             const int64_t* bias, const Shape4& output_shape, int16_t* output) {
  if (!conv2d_int16x8_valid(params, output_multiplier, output_shift, input_shape, input,
                            filter_shape, filter, output_shape, output, /*max_shift=*/14))
    return kBadArgument;
  const int64_t terms = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  if (!int64_accumulation_valid(bias, output_shape.c, terms)) return kBadArgument;
  const Int16Bias64OutputStep step = {bias,
                                      output_multiplier,
                                      output_shift,
                                      /*per-channel*/ 1,
                                      params.act_min,
                                      params.act_max};
  conv2d_quantized(params, input_shape, input, filter_shape, filter, output_shape, step, output);
  return kOk;
}

Status conv2d_int16x8_bias32(const Conv2DParams& params, const int32_t* output_multiplier,
                             const int32_t* output_shift, const Shape4& input_shape,
                             const int16_t* input, const Shape4& filter_shape, const int8_t* filter,
                             const int32_t* bias, const Shape4& output_shape, int16_t* output) {
  if (!conv2d_int16x8_valid(params, output_multiplier, output_shift, input_shape, input,
                            filter_shape, filter, output_shape, output, /*max_shift=*/30))
    return kBadArgument;
  const Int16Bias32OutputStep step = {bias,
                                      output_multiplier,
                                      output_shift,
                                      /*per-channel*/ 1,
                                      params.act_min,
                                      params.act_max};
  conv2d_quantized(params, input_shape, input, filter_shape, filter, output_shape, step, output);
  return kOk;
}

namespace {

// Where the window of one output position reads: its valid filter rows and columns, and how
// its input is cut into contiguous runs. With column dilation 1 and one group, each filter row
// reads one run of (columns x channels) values, laid out in the same order in input and filter;
// otherwise each tap is a run of `group_depth` channels.
struct FloatConvWindow {
  const float* input;  // input at the window's first valid row and column, first channel
  WindowSpan rows;
  int32_t runs;             // runs per filter row
  int32_t run_length;       // values per run
  int32_t input_run_step;   // input distance between runs of one row
  int32_t input_row_step;   // input distance between consecutive filter rows
  int32_t filter_row_step;  // filter distance between consecutive filter rows
  int32_t filter_first;     // filter offset of the first valid (row, column) tap
};

// The window sums of four consecutive output channels whose filters start at `filter` and are
// `filter_size` apart, in the reference order (rows, columns, channels) per channel.
FloatSums4 window_sums4(const FloatConvWindow& w, const float* filter, int32_t filter_size) {
  FloatSums4 sums = {0.0f, 0.0f, 0.0f, 0.0f};
  const float* in_row = w.input;
  const float* f_row = filter + w.filter_first;
  for (int32_t ky = w.rows.begin; ky < w.rows.end; ++ky) {
    const float* in = in_row;
    const float* f = f_row;
    for (int32_t r = 0; r < w.runs; ++r) {
      float_dot4(in, f, f + filter_size, f + 2 * filter_size, f + 3 * filter_size, w.run_length,
                 sums);
      in += w.input_run_step;
      f += w.run_length;
    }
    in_row += w.input_row_step;
    f_row += w.filter_row_step;
  }
  return sums;
}

float window_sum1(const FloatConvWindow& w, const float* filter) {
  float sum = 0.0f;
  const float* in_row = w.input;
  const float* f_row = filter + w.filter_first;
  for (int32_t ky = w.rows.begin; ky < w.rows.end; ++ky) {
    const float* in = in_row;
    const float* f = f_row;
    for (int32_t r = 0; r < w.runs; ++r) {
      sum = float_dot1(in, f, w.run_length, sum);
      in += w.input_run_step;
      f += w.run_length;
    }
    in_row += w.input_row_step;
    f_row += w.filter_row_step;
  }
  return sum;
}

}  // namespace

Status conv2d_float(const Conv2DFloatParams& params, const Shape4& input_shape, const float* input,
                    const Shape4& filter_shape, const float* filter, const float* bias,
                    const Shape4& output_shape, float* output) {
  if (!input || !filter || !output) return kBadArgument;
  if (!conv2d_shapes_valid(params.window, input_shape, filter_shape, output_shape))
    return kBadArgument;

  const Window2D& win = params.window;
  const int32_t group_depth = filter_shape.c;
  const int32_t groups = input_shape.c / group_depth;
  const int32_t filters_per_group = output_shape.c / groups;
  const int32_t filter_size = filter_shape.h * filter_shape.w * group_depth;
  const int32_t input_row = input_shape.w * input_shape.c;
  const float act_min = params.act_min;
  const float act_max = params.act_max;
  float* out = output;
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const float* input_batch = input + batch * input_shape.h * input_row;
    for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
      const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
      FloatConvWindow w;
      w.rows = valid_taps(in_y_origin, filter_shape.h, win.dilation_h, input_shape.h);
      w.input_row_step = win.dilation_h * input_row;
      w.filter_row_step = filter_shape.w * group_depth;
      for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
        const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
        const WindowSpan cols =
            valid_taps(in_x_origin, filter_shape.w, win.dilation_w, input_shape.w);
        const int32_t valid_cols = cols.end - cols.begin;
        const bool dense = win.dilation_w == 1 && groups == 1;
        w.runs = valid_cols == 0 ? 0 : (dense ? 1 : valid_cols);
        w.run_length = dense ? valid_cols * group_depth : group_depth;
        w.input_run_step = win.dilation_w * input_shape.c;
        w.filter_first = (w.rows.begin * filter_shape.w + cols.begin) * group_depth;
        const int32_t first_y = in_y_origin + w.rows.begin * win.dilation_h;
        const int32_t first_x = in_x_origin + cols.begin * win.dilation_w;
        // Only dereferenced when the window holds a valid tap, i.e. inside the input.
        const int32_t first_offset = w.rows.end > w.rows.begin && valid_cols > 0
                                         ? first_y * input_row + first_x * input_shape.c
                                         : 0;
        for (int32_t g = 0; g < groups; ++g) {
          w.input = input_batch + first_offset + g * group_depth;
          const int32_t c_end = (g + 1) * filters_per_group;
          int32_t c = g * filters_per_group;
          // Four channels at a time, then one at a time; the outputs are stored in channel
          // order either way (NHWC).
          for (; c + 4 <= c_end; c += 4) {
            const FloatSums4 s = window_sums4(w, filter + c * filter_size, filter_size);
            const float sums[4] = {s.s0, s.s1, s.s2, s.s3};
            for (int32_t j = 0; j < 4; ++j) {
              const float bias_value = bias ? bias[c + j] : 0.0f;
              *out++ = clamp_f32(sums[j] + bias_value, act_min, act_max);
            }
          }
          for (; c < c_end; ++c) {
            const float bias_value = bias ? bias[c] : 0.0f;
            *out++ =
                clamp_f32(window_sum1(w, filter + c * filter_size) + bias_value, act_min, act_max);
          }
        }
      }
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
