// Transcendental functions in 32-bit fixed point, as used by the int8 SOFTMAX, LOGISTIC and TANH
// kernels of TFLite Micro (which take them from gemmlowp).
//
// Every value here is a raw int32 read in a Q format: "Qm" means m integer bits (excluding the
// sign) and 31 - m fractional bits, so Q0 spans [-1, 1) and Q5 spans [-32, 32). Products use
// saturating_rounding_doubling_high_mul, whose integer bits add up (Qa * Qb -> Q(a+b)).
//
// The reference results depend on every rounding step, so each function below reproduces the
// exact sequence of operations of the reference: the same polynomial, the same constants, the
// same order of rounding shifts. The constants are the nearest raw values of the real numbers
// named next to them.
#ifndef KILN_RUNTIME_FIXED_POINT_MATH_H_
#define KILN_RUNTIME_FIXED_POINT_MATH_H_

#include <stdint.h>

#include "runtime/fixed_point.h"

namespace kiln {
namespace rt {
namespace fxp {

// Plain two's-complement add/subtract. The reference uses ordinary int32 arithmetic that never
// overflows for valid inputs; wrapping explicitly keeps out-of-range inputs free of undefined
// behaviour and gives what the reference computes on common hardware.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrapping_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t wrapping_neg(int32_t a) {
  return wrapping_sub(0, a);
}

// Q-format product: raw(a) * raw(b) / 2^31, rounded, saturating -1 * -1.
inline int32_t mul(int32_t a, int32_t b) {
  return saturating_rounding_doubling_high_mul(a, b);
}

// (a + b) / 2 rounded half away from zero, computed without overflow.
inline int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + static_cast<int64_t>(b);
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// x * 2^exponent for exponent in [0, 31), saturating to the int32 range. The saturation bounds
// are +-(2^(31-exponent) - 1), as in gemmlowp, so -2^(31-exponent) also saturates (to the same
// INT32_MIN an exact shift would give).
inline int32_t saturating_mul_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// Changes the Q format of x from Q(src_bits) to Q(dst_bits): a saturating left shift when
// gaining fractional bits, a rounding right shift when losing them.
inline int32_t rescale(int32_t x, int src_bits, int dst_bits) {
  const int exponent = src_bits - dst_bits;
  if (exponent > 0) return saturating_mul_by_pot(x, exponent);
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  return x;
}

// The largest Q0 value, standing in for 1.0.
const int32_t kQ0One = INT32_MAX;

// exp(a) for a in [-1/4, 0), a and result in Q0. A fourth-order Taylor expansion around -1/8:
// exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24) with x = a + 1/8.
inline int32_t exp_on_interval_minus_quarter_to_zero(int32_t a) {
  const int32_t kExpMinusOneEighth = 1895147668;        // exp(-1/8)
  const int32_t kOneThird = 715827883;                  // 1/3
  const int32_t x = wrapping_add(a, int32_t{1} << 28);  // a + 1/8
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  // ((x^4/4 + x^3) / 3 + x^2) / 2 = x^4/24 + x^3/6 + x^2/2
  const int32_t higher_terms =
      rounding_divide_by_pot(wrapping_add(mul(wrapping_add(x4_over_4, x3), kOneThird), x2), 1);
  return wrapping_add(kExpMinusOneEighth, mul(kExpMinusOneEighth, wrapping_add(x, higher_terms)));
}

// exp(a) for a <= 0 given in Q(integer_bits), integer_bits in [0, 30]; result in Q0.
// Splits -a into a part in (0, 1/4] handled by the polynomial above and a sum of powers of two
// 2^k (k = -2 .. 4) whose exponentials exp(-2^k) are multiplied in for each bit that is set.
inline int32_t exp_on_negative_values(int32_t a, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = int32_t{1} << (fractional_bits - 2);
  const int32_t quarter_mask = one_quarter - 1;
  // (a mod 1/4) - 1/4, in [-1/4, 0)
  const int32_t a_mod_quarter_minus_quarter = wrapping_sub(a & quarter_mask, one_quarter);
  int32_t result =
      exp_on_interval_minus_quarter_to_zero(rescale(a_mod_quarter_minus_quarter, integer_bits, 0));
  // What remains of -a after the polynomial's share: a sum of multiples of 1/4.
  const int32_t remainder = wrapping_sub(a_mod_quarter_minus_quarter, a);

  struct PowerOfTwoFactor {
    int exponent;        // the bit stands for 2^exponent
    int32_t multiplier;  // exp(-2^exponent) in Q0
  };
  static const PowerOfTwoFactor kFactors[7] = {
      {-2, 1672461947},  // exp(-1/4)
      {-1, 1302514674},  // exp(-1/2)
      {0, 790015084},    // exp(-1)
      {1, 290630308},    // exp(-2)
      {2, 39332535},     // exp(-4)
      {3, 720401},       // exp(-8)
      {4, 242},          // exp(-16)
  };
  for (int i = 0; i < 7; ++i) {
    // Bits for 2^exponent exist only if the format has enough integer bits.
    if (integer_bits <= kFactors[i].exponent) continue;
    const int bit = fractional_bits + kFactors[i].exponent;
    if ((static_cast<uint32_t>(remainder) >> bit) & 1u)
      result = mul(result, kFactors[i].multiplier);
  }
  // Formats that can hold values below -32 flush them to zero (exp(-32) is below Q0's LSB).
  if (integer_bits > 5) {
    const int32_t minus_32 = -(int32_t{1} << (36 - integer_bits));
    if (a < minus_32) result = 0;
  }
  if (a == 0) result = kQ0One;
  return result;
}

// Newton-Raphson division shared by the two functions below: returns an estimate of
// 1 / half_denominator in Q2, where half_denominator = (1 + a) / 2 lies in [1/2, 1).
// The start value 48/17 - 32/17 * d is the classic minimax initial guess; three iterations
// x += x * (1 - d * x) follow.
inline int32_t reciprocal_of_half_denominator_q2(int32_t half_denominator) {
  const int32_t k48Over17 = 1515870810;        // 48/17 in Q2
  const int32_t kMinus32Over17 = -1010580540;  // -32/17 in Q2
  const int32_t kQ2One = int32_t{1} << 29;
  int32_t x = wrapping_add(k48Over17, mul(half_denominator, kMinus32Over17));
  for (int i = 0; i < 3; ++i) {
    const int32_t d_times_x = mul(half_denominator, x);  // Q0 * Q2 -> Q2
    const int32_t one_minus_d_times_x = wrapping_sub(kQ2One, d_times_x);
    x = wrapping_add(x, rescale(mul(x, one_minus_d_times_x), 4, 2));  // Q2 * Q2 -> Q4 -> Q2
  }
  return x;
}

// 1 / (1 + a) for a in [0, 1), a and result in Q0.
inline int32_t one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, kQ0One);
  const int32_t x = reciprocal_of_half_denominator_q2(half_denominator);
  // x estimates 2 / (1 + a) in Q2, so the same raw value read in Q1 is 1 / (1 + a).
  return rescale(x, 1, 0);
}

// (1 - a) / (1 + a) for a in [0, 1), a and result in Q0.
inline int32_t one_minus_x_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, kQ0One);
  const int32_t x = reciprocal_of_half_denominator_q2(half_denominator);
  // 2 / (1 + a) - 1 = (1 - a) / (1 + a)
  return rescale(wrapping_sub(x, int32_t{1} << 29), 2, 0);
}

// 1 / (1 + exp(-a)) for any a in Q(integer_bits); result in Q0.
inline int32_t logistic(int32_t a, int integer_bits) {
  if (a == 0) return int32_t{1} << 30;  // 1/2
  const int32_t magnitude = a > 0 ? a : wrapping_neg(a);
  const int32_t for_positive =
      one_over_one_plus_x(exp_on_negative_values(wrapping_neg(magnitude), integer_bits));
  // logistic(-x) = 1 - logistic(x)
  return a > 0 ? for_positive : wrapping_sub(kQ0One, for_positive);
}

// tanh(a) for any a in Q(integer_bits), integer_bits < 30; result in Q0.
// tanh(x) = (1 - exp(-2x)) / (1 + exp(-2x)) for x > 0, and tanh is odd.
inline int32_t tanh(int32_t a, int integer_bits) {
  if (a == 0) return 0;
  const int32_t negative_magnitude = a < 0 ? a : wrapping_neg(a);
  // Reading the same raw value with one more integer bit doubles it: exp(2 * -|a|).
  const int32_t t =
      one_minus_x_over_one_plus_x(exp_on_negative_values(negative_magnitude, integer_bits + 1));
  return a < 0 ? wrapping_neg(t) : t;
}

// Number of leading zero bits of x (32 for zero).
inline int count_leading_zeros(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    ++n;
  }
  return n;
}

// Reciprocal of a positive x in Q(integer_bits), as a Q0 mantissa and a power of two:
// 1/x = result * 2^-num_bits_over_unit. x is normalised to [1, 2) by shifting out its headroom,
// then 1 / (1 + (x' - 1)) is evaluated by one_over_one_plus_x.
inline int32_t reciprocal(int32_t x, int integer_bits, int* num_bits_over_unit) {
  const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(x));
  *num_bits_over_unit = integer_bits - headroom_plus_one;
  const uint32_t normalized =
      headroom_plus_one >= 32 ? 0u : static_cast<uint32_t>(x) << headroom_plus_one;
  const int32_t normalized_minus_one = static_cast<int32_t>(normalized - 0x80000000u);
  return one_over_one_plus_x(normalized_minus_one);
}

}  // namespace fxp
}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FIXED_POINT_MATH_H_
