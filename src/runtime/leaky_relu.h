// LEAKY_RELU: out = x for x >= 0, alpha * x otherwise.
//
// Quantized (int8, int16) follows TFLM: the centred input is requantized with one of two
// multipliers, identity (in_scale / out_scale) for non-negative inputs and alpha
// (alpha * in_scale / out_scale) for negative ones, then offset and clamped to the type range.
// A negative alpha is applied as its magnitude followed by a sign flip.
#ifndef KILN_RUNTIME_LEAKY_RELU_H_
#define KILN_RUNTIME_LEAKY_RELU_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct LeakyReluQuantizedParams {
  int32_t size;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t identity_multiplier;  // Q0.31 mantissa of in_scale / out_scale
  int32_t identity_shift;       // positive = left
  int32_t alpha_multiplier;     // Q0.31 mantissa of alpha * in_scale / out_scale, may be < 0
  int32_t alpha_shift;
};

Status leaky_relu_int8(const LeakyReluQuantizedParams& params, const int8_t* input, int8_t* output);
Status leaky_relu_int16(const LeakyReluQuantizedParams& params, const int16_t* input,
                        int16_t* output);
Status leaky_relu_float(int32_t size, float alpha, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_LEAKY_RELU_H_
