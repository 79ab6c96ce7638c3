// QUANTIZE: float -> int8/int16, and requantization between integer types (int8, int16, uint8).
//
// From float (TFLM's AffineQuantize): q = round(x / scale) + zero_point, the division done in
// single precision and rounded half away from zero, then clamped to the output type. Values
// whose quotient does not fit in int32 saturate; NaN maps to the zero point (the reference's
// conversion is undefined there).
//
// Between integer types (TFLM's Requantize): q_out = zp_out + M * (q_in - zp_in) with
// M = in_scale / out_scale applied by the double-rounding multiply_by_quantized_multiplier, then
// clamped to the output type.
#ifndef KILN_RUNTIME_QUANTIZE_H_
#define KILN_RUNTIME_QUANTIZE_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct QuantizeFloatParams {
  int32_t size;
  float scale;  // output scale, > 0
  int32_t zero_point;
};

struct RequantizeParams {
  int32_t size;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;  // Q0.31 mantissa of in_scale / out_scale
  int32_t shift;       // positive = left
};

Status quantize_float_int8(const QuantizeFloatParams& params, const float* input, int8_t* output);
Status quantize_float_int16(const QuantizeFloatParams& params, const float* input, int16_t* output);

Status requantize_int8_int8(const RequantizeParams& params, const int8_t* input, int8_t* output);
Status requantize_int8_int16(const RequantizeParams& params, const int8_t* input, int16_t* output);
Status requantize_int8_uint8(const RequantizeParams& params, const int8_t* input, uint8_t* output);
Status requantize_int16_int8(const RequantizeParams& params, const int16_t* input, int8_t* output);
Status requantize_int16_int16(const RequantizeParams& params, const int16_t* input,
                              int16_t* output);
Status requantize_uint8_int8(const RequantizeParams& params, const uint8_t* input, int8_t* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_QUANTIZE_H_
