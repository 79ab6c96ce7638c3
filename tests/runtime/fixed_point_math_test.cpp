// The fixed-point helpers behind int8 SOFTMAX, LOGISTIC and TANH, checked against exact values
// where the arithmetic is exact and against double-precision math elsewhere.
#include "runtime/fixed_point_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kiln::rt {
namespace {

double q_to_double(int32_t raw, int integer_bits) {
  return std::ldexp(raw, integer_bits - 31);
}
int32_t double_to_q(double v, int integer_bits) {
  return static_cast<int32_t>(std::llround(std::ldexp(v, 31 - integer_bits)));
}

TEST(FixedPointMath, RoundingHalfSumRoundsAwayFromZero) {
  EXPECT_EQ(fxp::rounding_half_sum(3, 4), 4);                          // 3.5 -> 4
  EXPECT_EQ(fxp::rounding_half_sum(-3, -4), -4);                       // -3.5 -> -4
  EXPECT_EQ(fxp::rounding_half_sum(INT32_MAX, INT32_MAX), INT32_MAX);  // no overflow
  EXPECT_EQ(fxp::rounding_half_sum(6, 2), 4);
}

TEST(FixedPointMath, SaturatingMulByPowerOfTwo) {
  EXPECT_EQ(fxp::saturating_mul_by_pot(5, 2), 20);
  EXPECT_EQ(fxp::saturating_mul_by_pot(-5, 2), -20);
  EXPECT_EQ(fxp::saturating_mul_by_pot(1 << 29, 2), INT32_MAX);
  EXPECT_EQ(fxp::saturating_mul_by_pot(-(1 << 29), 2), INT32_MIN);
  EXPECT_EQ(fxp::saturating_mul_by_pot((1 << 29) - 1, 2), ((1 << 29) - 1) * 4);
  EXPECT_EQ(fxp::saturating_mul_by_pot(7, 0), 7);
}

TEST(FixedPointMath, RescaleChangesIntegerBits) {
  // 1.5 in Q2 is 1.5 * 2^28; in Q5 it is 1.5 * 2^25.
  EXPECT_EQ(fxp::rescale(3 << 27, 2, 5), 3 << 24);
  EXPECT_EQ(fxp::rescale(3 << 24, 5, 2), 3 << 27);
  // Losing bits rounds half away from zero: 3/8 of an LSB-of-Q3 step.
  EXPECT_EQ(fxp::rescale(12, 0, 3), 2);  // 12 / 8 = 1.5 -> 2
  EXPECT_EQ(fxp::rescale(-12, 0, 3), -2);
}

TEST(FixedPointMath, ExpOfZeroIsOne) {
  for (int bits = 0; bits <= 12; ++bits) EXPECT_EQ(fxp::exp_on_negative_values(0, bits), INT32_MAX);
}

TEST(FixedPointMath, ExpOnNegativeValuesMatchesExp) {
  for (int bits : {4, 5, 6}) {
    const double lowest = -std::ldexp(1.0, bits) + 1e-6;
    for (double x = 0.0; x > lowest; x -= 0.0137) {
      const int32_t a = double_to_q(x, bits);
      const double expected = std::exp(q_to_double(a, bits));
      const double got = q_to_double(fxp::exp_on_negative_values(a, bits), 0);
      // The 4th-order polynomial's truncation error is below (1/8)^5 / 120 ~ 2.5e-7.
      EXPECT_NEAR(got, expected, 4e-7) << "x=" << x << " bits=" << bits;
    }
  }
}

TEST(FixedPointMath, ExpFlushesBelowMinus32WhenRepresentable) {
  // Q6 holds -40; exp(-40) is far below Q0's resolution and is flushed to exactly zero.
  EXPECT_EQ(fxp::exp_on_negative_values(double_to_q(-40.0, 6), 6), 0);
}

TEST(FixedPointMath, OneOverOnePlusX) {
  for (double x = 0.0; x < 1.0; x += 0.01) {
    const double got = q_to_double(fxp::one_over_one_plus_x(double_to_q(x, 0)), 0);
    EXPECT_NEAR(got, 1.0 / (1.0 + x), 1e-8) << x;
  }
}

TEST(FixedPointMath, OneMinusXOverOnePlusX) {
  for (double x = 0.0; x < 1.0; x += 0.01) {
    const double got = q_to_double(fxp::one_minus_x_over_one_plus_x(double_to_q(x, 0)), 0);
    EXPECT_NEAR(got, (1.0 - x) / (1.0 + x), 1e-8) << x;
  }
}

TEST(FixedPointMath, LogisticAndTanhMatchDouble) {
  for (double x = -15.9; x < 15.9; x += 0.05) {
    const int32_t a = double_to_q(x, 4);
    const double xr = q_to_double(a, 4);
    EXPECT_NEAR(q_to_double(fxp::logistic(a, 4), 0), 1.0 / (1.0 + std::exp(-xr)), 4e-7) << x;
    EXPECT_NEAR(q_to_double(fxp::tanh(a, 4), 0), std::tanh(xr), 8e-7) << x;
  }
  EXPECT_EQ(fxp::logistic(0, 4), 1 << 30);  // exactly one half
  EXPECT_EQ(fxp::tanh(0, 4), 0);
}

TEST(FixedPointMath, LogisticAndTanhSymmetry) {
  for (int32_t a : {1, 1000, 1 << 20, 123456789, (1 << 30) + 17}) {
    // logistic(-x) is computed as 1 - logistic(x), tanh(-x) as -tanh(x): exact identities.
    EXPECT_EQ(fxp::logistic(-a, 4), INT32_MAX - fxp::logistic(a, 4)) << a;
    EXPECT_EQ(fxp::tanh(-a, 4), -fxp::tanh(a, 4)) << a;
  }
}

TEST(FixedPointMath, ReciprocalNormalisesToUnitInterval) {
  int bits_over_unit = -1;
  // 4.0 in Q12: 1/4 = mantissa ~1.0 * 2^-2.
  const int32_t four = 4 << 19;
  const int32_t r = fxp::reciprocal(four, 12, &bits_over_unit);
  EXPECT_EQ(bits_over_unit, 2);
  EXPECT_NEAR(q_to_double(r, 0), 1.0, 1e-8);
  // 3.0 in Q12: 1/3 = (2/3) * 2^-1.
  const int32_t r3 = fxp::reciprocal(3 << 19, 12, &bits_over_unit);
  EXPECT_EQ(bits_over_unit, 1);
  EXPECT_NEAR(q_to_double(r3, 0), 2.0 / 3.0, 1e-8);
}

TEST(FixedPointMath, CountLeadingZeros) {
  EXPECT_EQ(fxp::count_leading_zeros(0), 32);
  EXPECT_EQ(fxp::count_leading_zeros(1), 31);
  EXPECT_EQ(fxp::count_leading_zeros(0x80000000u), 0);
  EXPECT_EQ(fxp::count_leading_zeros(0x00010000u), 15);
}

}  // namespace
}  // namespace kiln::rt
