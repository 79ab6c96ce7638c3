// The 256-entry sigmoid table shared by the int16 LOGISTIC and TANH kernels, and the input
// rescaling both apply before looking it up.
//
// Entry i approximates 65536 * sigmoid(i / 24) (unsigned Q0.16), i.e. the table covers x in
// [0, 10.625] in steps of 1/24. Kernels interpolate linearly between neighbouring entries and use
// symmetry for negative inputs; tanh reuses it through tanh(x) = 2 * sigmoid(2x) - 1.
//
// The entries are not plain samples: each is raised by half of the linear-interpolation error
// at the middle of its segment (a chord lies below the curve, sigmoid being concave for x > 0),
// so that interpolated values straddle the curve. With v(x) = 65536 * sigmoid(x), h = 1/24:
//   entry[i] = round(v(i h) - ((v(i h) + v((i + 1) h)) / 2 - v((i + 0.5) h)) / 2),  i < 255
//   entry[255] = 65535 (the table ceiling).
// These are exactly the values of the reference (TFLM) table; tests recompute them from the
// formula above.
#ifndef KILN_RUNTIME_SIGMOID_TABLE_H_
#define KILN_RUNTIME_SIGMOID_TABLE_H_

#include <stdint.h>

namespace kiln {
namespace rt {

const int kSigmoidTableSize = 256;
extern const uint16_t kSigmoidTable[kSigmoidTableSize];

// How the int16 LOGISTIC and TANH kernels bring their input onto the table's axis. Both work on
//   r = (x * input_multiplier + 2^(input_right_shift - 1)) >> input_right_shift
// where r = real_input * 12288 (= 24 table steps per unit, times 512 fractional steps). A Q3.12
// input (scale 2^-12) thus uses multiplier 3 and no shift.
struct Int16ActivationParams {
  int32_t input_multiplier;   // >= 0, with 32768 * multiplier + rounding term <= INT32_MAX
  int32_t input_right_shift;  // in [0, 31]
};

// True when the rescaling above cannot overflow int32 for any int16 input.
inline bool int16_activation_params_valid(const Int16ActivationParams& p) {
  if (p.input_multiplier < 0 || p.input_right_shift < 0 || p.input_right_shift > 31) return false;
  const int64_t rounding = p.input_right_shift > 0 ? (int64_t{1} << (p.input_right_shift - 1)) : 0;
  return 32768 * static_cast<int64_t>(p.input_multiplier) + rounding <= INT32_MAX;
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_SIGMOID_TABLE_H_
