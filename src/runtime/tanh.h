// TANH: out = tanh(x).
//
// int8 follows TFLM: the centred input is scaled into Q4.27 (input_multiplier,
// input_left_shift), tanh evaluated in fixed point to Q0.31 and shifted down to 7 fractional
// bits. Inputs at or beyond +-input_range_radius saturate directly. The output quantization is
// fixed: scale 1/128, zero point 0.
// (int16 tanh, used inside LSTM cells, lives with the LSTM kernels.)
#ifndef KILN_RUNTIME_TANH_H_
#define KILN_RUNTIME_TANH_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct TanhInt8Params {
  int32_t size;
  int32_t input_zero_point;
  int32_t input_range_radius;  // |x - zp| at which the result saturates
  int32_t input_multiplier;    // Q0.31 mantissa of input_scale * 2^27
  int32_t input_left_shift;    // its power of two (positive = left)
};

Status tanh_int8(const TanhInt8Params& params, const int8_t* input, int8_t* output);
Status tanh_float(int32_t size, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_TANH_H_
