// DEPTHWISE_CONV_2D: each input channel convolved with its own depth_multiplier filters, int8
// (per-channel requantization), int16 activations with int8 weights ("16x8") and float32,
// bit-exact with TFLite Micro's reference kernels.
//
// Shapes: input [N, H, W, C_in], filter [1, KH, KW, C_out], bias [C_out] (optional), output
// [N, OH, OW, C_out] with C_out = C_in * depth_multiplier. Output channel c * depth_multiplier + m
// reads input channel c only.
#ifndef KILN_RUNTIME_DEPTHWISE_CONV2D_H_
#define KILN_RUNTIME_DEPTHWISE_CONV2D_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln {
namespace rt {

struct DepthwiseConv2DParams {
  Window2D window;
  int32_t depth_multiplier;  // output channels per input channel
  int32_t input_offset;      // minus the input zero point, in [-127, 128]; 0 for int16
  int32_t output_offset;     // the output zero point; 0 for int16
  int32_t act_min;           // clamp in the output's quantized domain (fused activation)
  int32_t act_max;
};

struct DepthwiseConv2DFloatParams {
  Window2D window;
  int32_t depth_multiplier;
  float act_min;  // fused activation clamp
  float act_max;
};

// output = clamp(requant_o(sum (input + input_offset) * filter + bias[o]) + output_offset), with
// requant_o multiplying by output_multiplier[o] * 2^(output_shift[o] - 31) (one entry per output
// channel). bias may be null.
Status depthwise_conv2d_int8(const DepthwiseConv2DParams& params, const int32_t* output_multiplier,
                             const int32_t* output_shift, const Shape4& input_shape,
                             const int8_t* input, const Shape4& filter_shape, const int8_t* filter,
                             const int32_t* bias, const Shape4& output_shape, int8_t* output);

// int16 activations, int8 weights, int64 bias (may be null), zero points 0: output =
// clamp(requant_o(sum input * filter + bias[o])) with a 64-bit accumulator and the reference's
// 64-bit requantization (multiplier rounded to 16 bits, shifts up to 14).
Status depthwise_conv2d_int16x8(const DepthwiseConv2DParams& params,
                                const int32_t* output_multiplier, const int32_t* output_shift,
                                const Shape4& input_shape, const int16_t* input,
                                const Shape4& filter_shape, const int8_t* filter,
                                const int64_t* bias, const Shape4& output_shape, int16_t* output);

// output = clamp(sum input * filter + bias[o]), summed in the reference's order. bias may be null.
Status depthwise_conv2d_float(const DepthwiseConv2DFloatParams& params, const Shape4& input_shape,
                              const float* input, const Shape4& filter_shape, const float* filter,
                              const float* bias, const Shape4& output_shape, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_DEPTHWISE_CONV2D_H_
