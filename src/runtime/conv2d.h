// CONV_2D: 2-D convolution over NHWC tensors, int8 (per-channel requantization), int16
// activations with int8 weights ("16x8") and float32, bit-exact with TFLite Micro's reference
// kernels.
//
// Shapes: input [N, H, W, C_in], filter [C_out, KH, KW, C_in / groups], bias [C_out] (optional),
// output [N, OH, OW, C_out]. groups = C_in / filter.c; output channel o reads the input channels
// of group o / (C_out / groups). Ordinary convolutions have groups = 1.
#ifndef KILN_RUNTIME_CONV2D_H_
#define KILN_RUNTIME_CONV2D_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln {
namespace rt {

struct Conv2DParams {
  Window2D window;
  int32_t input_offset;   // minus the input zero point, in [-127, 128]; 0 for int16
  int32_t output_offset;  // the output zero point; 0 for int16
  int32_t act_min;        // clamp in the output's quantized domain (fused activation)
  int32_t act_max;
};

struct Conv2DFloatParams {
  Window2D window;
  float act_min;  // fused activation clamp
  float act_max;
};

// output = clamp(requant_o(sum (input + input_offset) * filter + bias[o]) + output_offset), where
// requant_o multiplies by output_multiplier[o] * 2^(output_shift[o] - 31) (one entry per output
// channel). bias may be null.
Status conv2d_int8(const Conv2DParams& params, const int32_t* output_multiplier,
                   const int32_t* output_shift, const Shape4& input_shape, const int8_t* input,
                   const Shape4& filter_shape, const int8_t* filter, const int32_t* bias,
                   const Shape4& output_shape, int8_t* output);

// int16 activations, int8 weights, zero points 0: output = clamp(requant_o(sum input * filter +
// bias[o])). The reference's arithmetic depends on the bias type: with an int64 bias it
// accumulates in 64 bits and requantizes with its 64-bit routine (multiplier rounded to 16 bits,
// shifts up to 14); with an int32 bias, or none, in 32 bits exactly like int8. bias may be null.
Status conv2d_int16x8_bias64(const Conv2DParams& params, const int32_t* output_multiplier,
                             const int32_t* output_shift, const Shape4& input_shape,
                             const int16_t* input, const Shape4& filter_shape, const int8_t* filter,
                             const int64_t* bias, const Shape4& output_shape, int16_t* output);
Status conv2d_int16x8_bias32(const Conv2DParams& params, const int32_t* output_multiplier,
                             const int32_t* output_shift, const Shape4& input_shape,
                             const int16_t* input, const Shape4& filter_shape, const int8_t* filter,
                             const int32_t* bias, const Shape4& output_shape, int16_t* output);

// output = clamp(sum input * filter + bias[o]), summed in the reference's order. bias may be null.
Status conv2d_float(const Conv2DFloatParams& params, const Shape4& input_shape, const float* input,
                    const Shape4& filter_shape, const float* filter, const float* bias,
                    const Shape4& output_shape, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_CONV2D_H_
