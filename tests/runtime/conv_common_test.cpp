// The requantization path of the quantized convolution-family kernels (prepare's
// quantize_multiplier, the fixed-point multiplies, the output steps) and the window checks,
// against independent calculations.
#include "runtime/conv_common.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "exec/prepare_util.h"
#include "runtime/fixed_point.h"

namespace kiln {
namespace {

struct Quantized {
  int32_t multiplier;
  int shift;
};

Quantized quantize(double real) {
  Quantized q{};
  exec::quantize_multiplier(real, &q.multiplier, &q.shift);
  return q;
}

TEST(QuantizeMultiplier, KnownValues) {
  const Quantized half = quantize(0.5), one = quantize(1.0), three_quarters = quantize(0.75);
  EXPECT_EQ(half.multiplier, 1 << 30);
  EXPECT_EQ(half.shift, 0);
  EXPECT_EQ(one.multiplier, 1 << 30);
  EXPECT_EQ(one.shift, 1);
  EXPECT_EQ(three_quarters.multiplier, 3 << 29);
  EXPECT_EQ(three_quarters.shift, 0);
  EXPECT_EQ(quantize(std::ldexp(1.0, -10)).shift, -9);
  EXPECT_EQ(quantize(0.0).multiplier, 0);
  // Below 2^-32 the multiplier flushes to zero.
  EXPECT_EQ(quantize(1e-12).multiplier, 0);
  EXPECT_EQ(quantize(1e-12).shift, 0);
  // A mantissa that rounds up to 1.0 carries into the exponent.
  const Quantized carry = quantize(1.0 - 1e-12);
  EXPECT_EQ(carry.multiplier, 1 << 30);
  EXPECT_EQ(carry.shift, 1);
}

TEST(QuantizeMultiplier, RepresentsTheRealValueToHalfAUnit) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> exponent(-25.0, 3.0);
  for (int i = 0; i < 2000; ++i) {
    const double real = std::exp2(exponent(gen));
    const Quantized q = quantize(real);
    ASSERT_GE(q.multiplier, 1 << 30);
    const double represented = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    ASSERT_LE(std::abs(represented - real), std::ldexp(1.0, q.shift - 32)) << real;
  }
}

// x * M rounded half away from zero, computed exactly in 128 bits.
int64_t exact_rounded_product(int32_t x, int32_t multiplier, int shift) {
  const __int128 product = static_cast<__int128>(x) * multiplier * (__int128{1} << 32);
  const int total_shift = 63 - shift;  // M = multiplier * 2^(shift - 31); product has 2^32
  const __int128 magnitude = product < 0 ? -product : product;
  const __int128 rounded = (magnitude + (__int128{1} << (total_shift - 1))) >> total_shift;
  return static_cast<int64_t>(product < 0 ? -rounded : rounded);
}

TEST(MultiplyByQuantizedMultiplier, WithinOneOfTheExactProduct) {
  std::mt19937 gen(11);
  std::uniform_int_distribution<int32_t> value(-(1 << 22), 1 << 22);
  std::uniform_int_distribution<int32_t> mantissa(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shift(-20, 2);
  int exact = 0;
  for (int i = 0; i < 20000; ++i) {
    const int32_t x = value(gen), m = mantissa(gen);
    const int s = shift(gen);
    const int64_t want = exact_rounded_product(x, m, s);
    const int32_t got = rt::multiply_by_quantized_multiplier(x, m, s);
    ASSERT_LE(std::abs(got - want), 1) << x << " * " << m << " * 2^" << s;
    exact += got == want;
  }
  // The two roundings differ from one exact rounding only when the first lands on a tie of the
  // second, a few percent of random cases.
  EXPECT_GT(exact, 19000);
}

TEST(MultiplyByQuantizedMultiplier, KnownValues) {
  const int32_t half = 1 << 30;
  // The doubling high multiply rounds ties upwards, the power-of-two division away from zero.
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(37, half, 0), 19);    // 18.5
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(-37, half, 0), -18);  // -18.5
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(-37, half, 1), -37);  // exact
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(-3, half, -1), -1);   // -0.75
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(3, half, -1), 1);     // 0.75
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(-2, half, -1), -1);   // -0.5
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(5, half, 3), 20);     // times 4
  // Double rounding: 1 * (2^30 + 1) * 2^-32 = 0.25 + 2^-32 exactly rounds to 0, but the
  // reference first rounds 0.5 + 2^-31 to 1 and then halves 1 rounding away from zero.
  EXPECT_EQ(exact_rounded_product(1, half + 1, -1), 0);
  EXPECT_EQ(rt::multiply_by_quantized_multiplier(1, half + 1, -1), 1);
}

TEST(Int8OutputStep, AddsBiasAndZeroPointAndClamps) {
  const int32_t half = 1 << 30;
  const int32_t multiplier[] = {half, half}, shift[] = {0, 1}, bias[] = {5, -5};
  rt::Int8OutputStep step = {nullptr, multiplier, shift, 1, -4, -128, 127};
  EXPECT_EQ(step(37, 0), 15);  // 37 * 0.5 rounded, minus 4
  EXPECT_EQ(step(37, 1), 33);  // 37 * 1.0 - 4
  EXPECT_EQ(step(1000, 0), 127);
  EXPECT_EQ(step(-1000, 0), -128);
  // An accumulator beyond 32 bits wraps as the reference's int32 accumulator does.
  EXPECT_EQ(step((int64_t{1} << 32) + 37, 0), 15);
  step.bias = bias;
  EXPECT_EQ(step(37, 0), 17);  // (37 + 5) * 0.5 - 4
  EXPECT_EQ(step(37, 1), 28);  // (37 - 5) * 1.0 - 4
  // Per-tensor: every channel uses entry 0.
  step.multiplier_step = 0;
  EXPECT_EQ(step(37, 1), 12);  // (37 - 5) * 0.5 - 4
  step.act_min = 0;
  step.act_max = 10;
  EXPECT_EQ(step(37, 1), 10);
}

TEST(Int16OutputSteps, ThirtyTwoAndSixtyFourBitRequantization) {
  // Multiplier 0x40008000 * 2^-31 (just above 0.5): the 64-bit routine first rounds it to 16
  // bits (0x4001 * 2^-15), so the two differ on a large accumulator.
  const int32_t multiplier[] = {0x40008000}, shift[] = {0};
  const int64_t bias64[] = {-1000};
  const int32_t bias32[] = {-1000};
  const rt::Int16Bias64OutputStep step64 = {bias64, multiplier, shift, 0, -32768, 32767};
  const rt::Int16Bias32OutputStep step32 = {bias32, multiplier, shift, 0, -32768, 32767};
  const int64_t acc = 31000;  // 30000 after the bias
  // 30000 * 0x4001 / 2^15 = 15000.92 -> 15001; 30000 * 0x40008000 / 2^31 = 15000.46 -> 15000.
  EXPECT_EQ(step64(acc, 0), 15001);
  EXPECT_EQ(step32(acc, 0), 15000);
  // Clamped to the activation range, stored as int16.
  const rt::Int16Bias64OutputStep clamped = {nullptr, multiplier, shift, 0, -100, 100};
  EXPECT_EQ(clamped(-41000, 0), -100);
}

TEST(Window2D, ChecksGeometry) {
  const rt::Shape4 in{1, 8, 8, 1}, out{1, 8, 8, 1};
  EXPECT_TRUE(rt::window2d_valid({1, 1, 1, 1, 1, 1}, in, 3, 3, out));
  EXPECT_TRUE(rt::window2d_valid({1, 1, 2, 2, 2, 2}, in, 3, 3, out));
  EXPECT_FALSE(rt::window2d_valid({1, 1, 1, 1, 3, 1}, in, 3, 3, out));  // pad beyond the window
  EXPECT_FALSE(rt::window2d_valid({1, 1, 1, 1, -1, 0}, in, 3, 3, out));
  EXPECT_FALSE(rt::window2d_valid({0, 1, 1, 1, 0, 0}, in, 3, 3, out));
  EXPECT_FALSE(rt::window2d_valid({1, 1, 1, 1, 0, 0}, in, 0, 3, out));
  // Coordinates that would overflow int32.
  EXPECT_FALSE(rt::window2d_valid({INT32_MAX / 4, 1, 1, 1, 0, 0}, in, 3, 3, out));
  EXPECT_FALSE(rt::window2d_valid({1, 1, INT32_MAX / 2, 1, 0, 0}, in, 3, 3, out));
}

TEST(Shape4, ValidityChecks) {
  EXPECT_TRUE(rt::shape4_valid({1, 2, 3, 4}));
  EXPECT_FALSE(rt::shape4_valid({1, 0, 3, 4}));
  EXPECT_FALSE(rt::shape4_valid({1, -2, 3, 4}));
  EXPECT_FALSE(rt::shape4_valid({65536, 65536, 1, 1}));
}

}  // namespace
}  // namespace kiln
