// Definitions shared by the convolution-family kernels (convolution, depthwise convolution,
// pooling, fully connected): the sliding-window geometry, and the cheap argument checks each
// kernel runs before its loops so that inconsistent arguments return kBadArgument instead of
// reading out of bounds or overflowing index arithmetic.
#ifndef KILN_RUNTIME_CONV_COMMON_H_
#define KILN_RUNTIME_CONV_COMMON_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/fixed_point.h"

namespace kiln {
namespace rt {

// Where a 2-D window sits in the input for each output position: output (y, x) reads input rows
// y * stride_h - pad_h + k * dilation_h for filter row k (columns likewise). Positions outside
// the input are implicit zero padding and contribute nothing.
struct Window2D {
  int32_t stride_h;
  int32_t stride_w;
  int32_t dilation_h;  // 1 = dense window
  int32_t dilation_w;
  int32_t pad_h;  // padding rows before the first input row
  int32_t pad_w;  // padding columns before the first input column
};

// Every dimension at least 1 and the element count representable in int32.
inline bool shape4_valid(const Shape4& s) {
  if (s.n < 1 || s.h < 1 || s.w < 1 || s.c < 1) return false;
  const int64_t elements = static_cast<int64_t>(s.n) * s.h * s.w * s.c;
  return elements <= INT32_MAX;
}

// Positive strides and dilations, padding between zero and the window's reach (TFLite's
// padding never exceeds it), and every input coordinate the `output` positions can reach with a
// `filter_h` x `filter_w` window representable in int32, so index arithmetic cannot overflow.
inline bool window2d_valid(const Window2D& w, const Shape4& input, int32_t filter_h,
                           int32_t filter_w, const Shape4& output) {
  if (w.stride_h < 1 || w.stride_w < 1 || w.dilation_h < 1 || w.dilation_w < 1) return false;
  if (filter_h < 1 || filter_w < 1) return false;
  const int64_t span_h = static_cast<int64_t>(filter_h - 1) * w.dilation_h;
  const int64_t span_w = static_cast<int64_t>(filter_w - 1) * w.dilation_w;
  if (w.pad_h < 0 || w.pad_w < 0 || w.pad_h > span_h || w.pad_w > span_w) return false;
  const int64_t reach_h = static_cast<int64_t>(output.h - 1) * w.stride_h + span_h;
  const int64_t reach_w = static_cast<int64_t>(output.w - 1) * w.stride_w + span_w;
  return reach_h <= INT32_MAX && reach_w <= INT32_MAX &&
         static_cast<int64_t>(input.h) + w.pad_h <= INT32_MAX &&
         static_cast<int64_t>(input.w) + w.pad_w <= INT32_MAX;
}

// Requantization shifts the fixed-point multiplies handle: for the 32-bit one a left shift of at
// most 30 bits (as the reference requires) and a right shift of at most 31; the 64-bit one
// (int16 activations with 64-bit bias) allows left shifts up to 14.
inline bool requant_shifts_valid(const int32_t* shift, int32_t count, int32_t max_shift = 30) {
  for (int32_t i = 0; i < count; ++i)
    if (shift[i] < -31 || shift[i] > max_shift) return false;
  return true;
}

// A zero point of an int8 tensor, negated: the offset the quantized kernels add to inputs.
inline bool int8_offset_valid(int32_t offset) {
  return offset >= -127 && offset <= 128;
}

// The 64-bit requantization assumes an accumulator below 2^47 in magnitude: int16 x int8
// products are below 2^22, so at most 2^24 of them (`terms`) plus biases below 2^46 stay there.
inline bool int64_accumulation_valid(const int64_t* bias, int32_t count, int64_t terms) {
  if (terms > (int64_t{1} << 24)) return false;
  if (!bias) return true;
  for (int32_t i = 0; i < count; ++i)
    if (bias[i] < -(int64_t{1} << 46) || bias[i] > (int64_t{1} << 46)) return false;
  return true;
}

// Output steps of the quantized kernels: each turns the exact sum of products of one output
// channel into the stored value (bias, requantization, zero point, activation clamp). Channel c
// uses multiplier[c * multiplier_step]: step 1 for per-channel requantization, 0 for per-tensor.
//
// The reference accumulates in int32 (int64 for int16 activations with int64 bias) and lets a
// (practically impossible) overflow wrap; the kernels here sum exactly in int64 and wrap to 32
// bits once, which gives the same value without undefined behaviour.

// int8 activations, int32 bias: 32-bit requantization, output zero point added.
struct Int8OutputStep {
  const int32_t* bias;  // may be null
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t multiplier_step;
  int32_t output_offset;
  int32_t act_min;
  int32_t act_max;

  int8_t operator()(int64_t acc, int32_t c) const {
    if (bias) acc += bias[c];
    const int32_t q = c * multiplier_step;
    const int32_t scaled =
        multiply_by_quantized_multiplier(static_cast<int32_t>(acc), multiplier[q], shift[q]);
    const int32_t shifted = static_cast<int32_t>(static_cast<int64_t>(scaled) + output_offset);
    return static_cast<int8_t>(clamp_i32(shifted, act_min, act_max));
  }
};

// int16 activations with int32 bias (or none): the reference accumulates in 32 bits and uses the
// 32-bit requantization; int16 zero points are 0.
struct Int16Bias32OutputStep {
  const int32_t* bias;  // may be null
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t multiplier_step;
  int32_t act_min;
  int32_t act_max;

  int16_t operator()(int64_t acc, int32_t c) const {
    if (bias) acc += bias[c];
    const int32_t q = c * multiplier_step;
    const int32_t scaled =
        multiply_by_quantized_multiplier(static_cast<int32_t>(acc), multiplier[q], shift[q]);
    return static_cast<int16_t>(clamp_i32(scaled, act_min, act_max));
  }
};

// int16 activations with int64 bias (or none, for depthwise): 64-bit accumulator and the
// reference's 64-bit requantization, which first rounds the multiplier to 16 bits.
struct Int16Bias64OutputStep {
  const int64_t* bias;  // may be null; within the bounds of int64_accumulation_valid
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t multiplier_step;
  int32_t act_min;
  int32_t act_max;

  int16_t operator()(int64_t acc, int32_t c) const {
    if (bias) acc += bias[c];
    const int32_t q = c * multiplier_step;
    const int32_t scaled = multiply_by_quantized_multiplier_64(acc, multiplier[q], shift[q]);
    return static_cast<int16_t>(clamp_i32(scaled, act_min, act_max));
  }
};

// Pooling: a filter_h x filter_w window (no dilation) per output position.
struct Pool2DParams {
  Window2D window;  // dilation must be 1
  int32_t filter_h;
  int32_t filter_w;
  int32_t act_min;  // clamp in the output's quantized domain (fused activation)
  int32_t act_max;
};

struct Pool2DFloatParams {
  Window2D window;  // dilation must be 1
  int32_t filter_h;
  int32_t filter_w;
  float act_min;  // fused activation clamp
  float act_max;
};

// Checks shared by the pooling kernels: input and output agree on batches and channels, and
// the undilated window fits the index arithmetic.
inline bool pool2d_shapes_valid(const Window2D& window, int32_t filter_h, int32_t filter_w,
                                const Shape4& input_shape, const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(output_shape)) return false;
  if (input_shape.n != output_shape.n || input_shape.c != output_shape.c) return false;
  if (window.dilation_h != 1 || window.dilation_w != 1) return false;
  return window2d_valid(window, input_shape, filter_h, filter_w, output_shape);
}

// The filter offsets [begin, end) of a pooling window starting at input coordinate `origin`
// that fall inside an input of `input_size` along one axis.
struct WindowSpan {
  int32_t begin;
  int32_t end;
};
inline WindowSpan clip_window(int32_t origin, int32_t filter_size, int32_t input_size) {
  WindowSpan span;
  span.begin = max_i32(0, -origin);
  span.end = min_i32(filter_size, input_size - origin);
  return span;
}

// The filter taps k in [0, size) whose coordinate origin + k * dilation falls inside [0, extent):
// always one contiguous range, so a window's loops run over it without per-tap bounds checks.
// No overflow: the window checks bound pad + extent, and origin >= -pad.
inline WindowSpan valid_taps(int32_t origin, int32_t size, int32_t dilation, int32_t extent) {
  WindowSpan span;
  if (dilation == 1) {
    span = clip_window(origin, size, extent);
  } else {
    span.begin = origin >= 0 ? 0 : min_i32(size, (-origin - 1) / dilation + 1);
    span.end = origin >= extent ? 0 : min_i32(size, (extent - 1 - origin) / dilation + 1);
  }
  if (span.end < span.begin) span.end = span.begin;  // window entirely outside the input
  return span;
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_CONV_COMMON_H_
