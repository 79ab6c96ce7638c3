#include "runtime/logistic_int16.h"

namespace kiln {
namespace rt {

Status logistic_int16(const Int16ActivationParams& params, const int16_t* input, int16_t* output,
                      int32_t size) {
  if (size < 0 || !int16_activation_params_valid(params)) return kBadArgument;
  if (size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  const int32_t multiplier = params.input_multiplier;
  const int shift = params.input_right_shift;
  const int32_t rounding = shift > 0 ? (1 << (shift - 1)) : 0;
  for (int32_t i = 0; i < size; ++i) {
    // On the table axis: 512 fractional steps per table entry.
    const int32_t r = (input[i] * multiplier + rounding) >> shift;
    const uint32_t magnitude = static_cast<uint32_t>(r < 0 ? -r : r);
    const uint32_t entry = magnitude >> 9;
    // sigmoid(|x|) as an unsigned value with 16 + 9 fractional bits.
    uint32_t value;
    if (entry >= 255) {
      value = 0xFFFEu << 9;  // beyond the table: the reference's saturation value
    } else {
      const uint32_t lo = kSigmoidTable[entry];
      const uint32_t hi = kSigmoidTable[entry + 1];
      value = (lo << 9) + (magnitude & 0x1FFu) * (hi - lo);
    }
    // sigmoid(-x) = 1 - sigmoid(x); then round to Q0.15 by dropping 10 bits. The -1 on the
    // negative side makes the rounding of the mirrored value match the positive side.
    const uint32_t rounded = r >= 0 ? value + (1u << 9) : (1u << 25) - value + (1u << 9) - 1u;
    output[i] = static_cast<int16_t>(rounded >> 10);
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
