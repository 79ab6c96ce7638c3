#include "runtime/logistic.h"
#include "runtime/float_math.h"

#include <math.h>

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

namespace {
// Q4.27 input: the sigmoid is within 1/256 of its limits beyond |x| = 8, so 4 integer bits do.
const int kInputIntegerBits = 4;
}  // namespace

Status logistic_int8(const LogisticInt8Params& p, const int8_t* input, int8_t* output) {
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
      const int32_t y_q0 = fxp::logistic(x_q4, kInputIntegerBits);
      // Q0.31 -> 8 fractional bits (scale 1/256), then the output zero point -128.
      value = clamp_i32(rounding_divide_by_pot(y_q0, 23) - 128, -128, 127);
    }
    output[i] = static_cast<int8_t>(value);
  }
  return kOk;
}

Status logistic_float(int32_t size, const float* input, float* output) {
  if (size < 0 || (size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  // The reference's cut-offs: above the upper one the result rounds to 1.0f anyway, below the
  // lower one exp(x) is used directly since 1 + exp(-x) would lose exp(x)'s precision.
  const float kUpperCutoff = 16.619047164916992188f;
  const float kLowerCutoff = -9.0f;
  for (int32_t i = 0; i < size; ++i) {
    const float x = input[i];
    float y;
    if (x > kUpperCutoff) {
      y = 1.0f;
    } else if (x < kLowerCutoff) {
      y = exp_float(x);
    } else {
      y = 1.0f / (1.0f + exp_float(-x));
    }
    output[i] = y;
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
