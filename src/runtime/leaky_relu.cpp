#include "runtime/leaky_relu.h"

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

namespace {

template <typename T>
Status leaky_relu_quantized(const LeakyReluQuantizedParams& p, const T* input, T* output,
                            int32_t type_min, int32_t type_max) {
  if (p.size < 0 || (p.size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  if (p.identity_shift < -31 || p.identity_shift > 31 || p.alpha_shift < -31 ||
      p.alpha_shift > 31 || p.alpha_multiplier == INT32_MIN) {
    return kBadArgument;
  }
  const bool alpha_negative = p.alpha_multiplier < 0;
  const int32_t alpha_magnitude = alpha_negative ? -p.alpha_multiplier : p.alpha_multiplier;
  for (int32_t i = 0; i < p.size; ++i) {
    const int32_t centred = static_cast<int32_t>(input[i]) - p.input_zero_point;
    int32_t scaled;
    if (centred >= 0) {
      scaled = multiply_by_quantized_multiplier(centred, p.identity_multiplier, p.identity_shift);
    } else {
      scaled = multiply_by_quantized_multiplier(centred, alpha_magnitude, p.alpha_shift);
      if (alpha_negative) scaled = fxp::wrapping_neg(scaled);
    }
    const int32_t value = fxp::wrapping_add(p.output_zero_point, scaled);
    output[i] = static_cast<T>(clamp_i32(value, type_min, type_max));
  }
  return kOk;
}

}  // namespace

Status leaky_relu_int8(const LeakyReluQuantizedParams& p, const int8_t* input, int8_t* output) {
  return leaky_relu_quantized<int8_t>(p, input, output, -128, 127);
}

Status leaky_relu_int16(const LeakyReluQuantizedParams& p, const int16_t* input, int16_t* output) {
  return leaky_relu_quantized<int16_t>(p, input, output, -32768, 32767);
}

Status leaky_relu_float(int32_t size, float alpha, const float* input, float* output) {
  if (size < 0 || (size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  // Not max(x, alpha * x): alpha may exceed 1 or be negative.
  for (int32_t i = 0; i < size; ++i) output[i] = input[i] > 0.0f ? input[i] : input[i] * alpha;
  return kOk;
}

}  // namespace rt
}  // namespace kiln
