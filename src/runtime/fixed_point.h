// Fixed-point arithmetic of TFLite's int8 quantization scheme.
//
// A real multiplier M is stored as a Q0.31 mantissa `multiplier` in [2^30, 2^31) and a power of
// two `shift` (positive = left), M = multiplier * 2^(shift - 31). Requantizing an int32
// accumulator multiplies by the mantissa with a rounding "doubling high" multiply and then
// divides by a power of two rounding half away from zero. This double rounding is what the
// reference kernels do, so it is what Kiln must do to be bit-exact.
#ifndef KILN_RUNTIME_FIXED_POINT_H_
#define KILN_RUNTIME_FIXED_POINT_H_

#include <stdint.h>

namespace kiln {
namespace rt {

// (a * b * 2) / 2^32 rounded to nearest, saturating the single overflow case
// (INT32_MIN * INT32_MIN).
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = product >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Division truncates toward zero, which together with the nudge rounds half away from zero.
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent, rounding half away from zero. exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^exponent with saturation to the int32 range (exponent >= 0).
inline int32_t saturating_left_shift(int32_t x, int exponent) {
  const int64_t wide = static_cast<int64_t>(x) * (int64_t{1} << exponent);
  if (wide > INT32_MAX) return INT32_MAX;
  if (wide < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(wide);
}

// x * M where M = multiplier * 2^(shift - 31), the requantization step of int8 kernels.
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  // The reference multiplies in int32 and relies on no overflow; wrap explicitly so that an
  // out-of-spec model cannot cause undefined behaviour here.
  const int32_t shifted =
      static_cast<int32_t>(static_cast<uint32_t>(x) * (static_cast<uint32_t>(1) << left_shift));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier),
                                right_shift);
}

// The 64-bit accumulator variant used by int16-activation kernels: round(x * M) with a single
// rounding, M as above.
inline int32_t multiply_by_quantized_multiplier_64(int64_t x, int32_t multiplier, int shift) {
  // Reduce the multiplier to Q0.15 first, as the reference does, so results match bit for bit.
  const int64_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int total_shift = 15 - shift;
  const int64_t rounded =
      (x * reduced + (static_cast<int64_t>(1) << (total_shift - 1))) >> total_shift;
  return static_cast<int32_t>(rounded);
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FIXED_POINT_H_
