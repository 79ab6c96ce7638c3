// LOGISTIC (sigmoid): out = 1 / (1 + exp(-x)).
//
// int8 follows TFLM: the centred input is scaled into Q4.27 (input_multiplier,
// input_left_shift), the sigmoid evaluated in fixed point to Q0.31 and shifted down to 8 bits.
// Inputs at or beyond +-input_range_radius saturate directly to the output extremes. The output
// quantization is fixed: scale 1/256, zero point -128.
// (int16 logistic, used inside LSTM cells, lives with the LSTM kernels.)
#ifndef KILN_RUNTIME_LOGISTIC_H_
#define KILN_RUNTIME_LOGISTIC_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct LogisticInt8Params {
  int32_t size;  // number of elements
  int32_t input_zero_point;
  int32_t input_range_radius;  // |x - zp| at which the result saturates, > 0
  int32_t input_multiplier;    // Q0.31 mantissa of input_scale * 2^27
  int32_t input_left_shift;    // its power of two (positive = left)
};

Status logistic_int8(const LogisticInt8Params& params, const int8_t* input, int8_t* output);
Status logistic_float(int32_t size, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_LOGISTIC_H_
