#include "runtime/tanh.h"
#include "runtime/float_math.h"

#include <math.h>

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

namespace {
// Q4.27 input: tanh is within 1/128 of +-1 beyond |x| = 3, so 4 integer bits are plenty.
const int kInputIntegerBits = 4;
}  // namespace

Status tanh_int8(const TanhInt8Params& p, const int8_t* input, int8_t* output) {
  if (p.size < 0 || p.input_range_radius < 0) return kBadArgument;
  if (p.input_left_shift < -31 || p.input_left_shift > 31) return kBadArgument;
  if (p.size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  for (int32_t i = 0; i < p.size; ++i) {
    const int32_t centred = static_cast<int32_t>(input[i]) - p.input_zero_point;
    int32_t value;
    if (centred <= -p.input_range_radius) {
      value = -128;
    } else if (centred >= p.input_range_radius) {
      value = 127;
    } else {
      const int32_t x_q4 =
          multiply_by_quantized_multiplier(centred, p.input_multiplier, p.input_left_shift);
      const int32_t y_q0 = fxp::tanh(x_q4, kInputIntegerBits);
      // Q0.31 -> 7 fractional bits (scale 1/128); the output zero point is 0.
      value = clamp_i32(rounding_divide_by_pot(y_q0, 24), -128, 127);
    }
    output[i] = static_cast<int8_t>(value);
  }
  return kOk;
}

Status tanh_float(int32_t size, const float* input, float* output) {
  if (size < 0 || (size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  for (int32_t i = 0; i < size; ++i) output[i] = tanh_float(input[i]);
  return kOk;
}

}  // namespace rt
}  // namespace kiln
