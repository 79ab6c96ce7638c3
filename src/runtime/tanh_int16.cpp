#include "runtime/tanh_int16.h"

namespace kiln {
namespace rt {

Status tanh_int16(const Int16ActivationParams& params, const int16_t* input, int16_t* output,
                  int32_t size) {
  if (size < 0 || !int16_activation_params_valid(params)) return kBadArgument;
  if (size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  const int32_t multiplier = params.input_multiplier;
  const int shift = params.input_right_shift;
  const int32_t rounding = shift > 0 ? (1 << (shift - 1)) : 0;
  for (int32_t i = 0; i < size; ++i) {
    // Same axis as the logistic kernel, but read with 256 fractional steps per entry: that
    // doubles the argument, giving sigmoid(2x).
    const int32_t r = (input[i] * multiplier + rounding) >> shift;
    const uint32_t magnitude = static_cast<uint32_t>(r < 0 ? -r : r);
    const uint32_t entry = magnitude >> 8;
    // sigmoid(2|x|) with 16 + 8 fractional bits.
    int32_t value;
    if (entry >= 255) {
      value = static_cast<int32_t>(0xFFFFu << 8);
    } else {
      const uint32_t lo = kSigmoidTable[entry];
      const uint32_t hi = kSigmoidTable[entry + 1];
      value = static_cast<int32_t>((lo << 8) + (magnitude & 0xFFu) * (hi - lo));
    }
    // 2 * sigmoid(2|x|) - 1 = (value - 2^23) / 2^23; round to Q0.15 by dropping 8 bits, mirrored
    // for negative inputs (tanh is odd).
    const int32_t half = 1 << 23;
    const int32_t rounded = r >= 0 ? value - half + (1 << 7) : half - value + (1 << 7) - 1;
    output[i] = static_cast<int16_t>(rounded >> 8);
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
