#include "runtime/quantize.h"

#include <math.h>

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

namespace {

template <typename T>
Status quantize_from_float(const QuantizeFloatParams& p, const float* input, T* output,
                           int32_t type_min, int32_t type_max) {
  // Written as !(scale > 0) so that a NaN scale is rejected too.
  if (p.size < 0 || !(p.scale > 0.0f)) return kBadArgument;
  if (p.size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  // Any rounded quotient beyond +-2^24 lands outside every output range once the zero point
  // (an int16 at most in valid models) is added, so clamping there first is exact and keeps
  // the float -> int conversion defined.
  const float kLimit = 16777216.0f;
  for (int32_t i = 0; i < p.size; ++i) {
    float rounded = roundf(input[i] / p.scale);  // half away from zero, like the reference
    if (rounded != rounded) rounded = 0.0f;      // NaN
    rounded = clamp_f32(rounded, -kLimit, kLimit);
    const int32_t value = fxp::wrapping_add(static_cast<int32_t>(rounded), p.zero_point);
    output[i] = static_cast<T>(clamp_i32(value, type_min, type_max));
  }
  return kOk;
}

template <typename In, typename Out>
Status requantize(const RequantizeParams& p, const In* input, Out* output, int32_t type_min,
                  int32_t type_max) {
  if (p.size < 0 || p.shift < -31 || p.shift > 31) return kBadArgument;
  if (p.size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  for (int32_t i = 0; i < p.size; ++i) {
    const int32_t centred = fxp::wrapping_sub(static_cast<int32_t>(input[i]), p.input_zero_point);
    const int32_t value = fxp::wrapping_add(
        multiply_by_quantized_multiplier(centred, p.multiplier, p.shift), p.output_zero_point);
    output[i] = static_cast<Out>(clamp_i32(value, type_min, type_max));
  }
  return kOk;
}

}  // namespace

Status quantize_float_int8(const QuantizeFloatParams& p, const float* input, int8_t* output) {
  return quantize_from_float<int8_t>(p, input, output, -128, 127);
}

Status quantize_float_int16(const QuantizeFloatParams& p, const float* input, int16_t* output) {
  return quantize_from_float<int16_t>(p, input, output, -32768, 32767);
}

Status requantize_int8_int8(const RequantizeParams& p, const int8_t* input, int8_t* output) {
  return requantize<int8_t, int8_t>(p, input, output, -128, 127);
}

Status requantize_int8_int16(const RequantizeParams& p, const int8_t* input, int16_t* output) {
  return requantize<int8_t, int16_t>(p, input, output, -32768, 32767);
}

Status requantize_int8_uint8(const RequantizeParams& p, const int8_t* input, uint8_t* output) {
  return requantize<int8_t, uint8_t>(p, input, output, 0, 255);
}

Status requantize_int16_int8(const RequantizeParams& p, const int16_t* input, int8_t* output) {
  return requantize<int16_t, int8_t>(p, input, output, -128, 127);
}

Status requantize_int16_int16(const RequantizeParams& p, const int16_t* input, int16_t* output) {
  return requantize<int16_t, int16_t>(p, input, output, -32768, 32767);
}

Status requantize_uint8_int8(const RequantizeParams& p, const uint8_t* input, int8_t* output) {
  return requantize<uint8_t, int8_t>(p, input, output, -128, 127);
}

}  // namespace rt
}  // namespace kiln
