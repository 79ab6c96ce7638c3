#include "runtime/requant_fast.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "conv_test_util.h"
#include "runtime/simd32.h"

namespace kiln::rt {
namespace {

TEST(Simd32, WidensAndMultipliesPairsOfLanes) {
  // bytes (lowest first) 1, -2, 3, -128
  const int32_t v = static_cast<int32_t>(0x8003FE01u);
  EXPECT_EQ(simd32::sxtb16(v), simd32::pack_halves(1, 3));
  EXPECT_EQ(simd32::sxtb16_odd(v), simd32::pack_halves(-2, -128));
  EXPECT_EQ(simd32::sxtab16(simd32::pack_halves(10, -10), v), simd32::pack_halves(11, -7));
  EXPECT_EQ(simd32::sxtab16_odd(simd32::pack_halves(128, 128), v), simd32::pack_halves(126, 0));
  // 5 + 3 * -4 + -2 * 7
  EXPECT_EQ(simd32::smlad(simd32::pack_halves(3, -2), simd32::pack_halves(-4, 7), 5), -21);
  // The 32-bit sum wraps like the instruction's: 2^31 - 1 + 2 * (-32768 * -32768).
  EXPECT_EQ(simd32::smlad(simd32::pack_halves(-32768, -32768), simd32::pack_halves(-32768, -32768),
                          INT32_MAX),
            static_cast<int32_t>(0x7FFFFFFFu + 0x80000000u));
  EXPECT_EQ(simd32::smlabb(simd32::pack_halves(3, 100), simd32::pack_halves(-5, 100), 1), -14);
  EXPECT_EQ(simd32::smlatt(simd32::pack_halves(100, 3), simd32::pack_halves(100, -5), 1), -14);
  EXPECT_EQ(simd32::qdadd(1, 1 << 30), INT32_MAX);
  EXPECT_EQ(simd32::qdadd(5, -7), -9);
  EXPECT_EQ(simd32::qsub(INT32_MIN, 1), INT32_MIN);
  EXPECT_EQ(simd32::ssat8(300), 127);
  EXPECT_EQ(simd32::ssat8(-300), -128);
  // (3 * 2^32 + 2^31 * 5 + 2^31) / 2^32 = 3 + 3
  EXPECT_EQ(simd32::smmlar(INT32_MIN, -5, 3), 3 + 3);
}

// The reference output step, computed with the portable fixed-point routines.
int32_t reference(int32_t acc, int32_t multiplier, int32_t shift, int32_t zero_point, int32_t lo,
                  int32_t hi) {
  return testing::int8_output(acc, multiplier, shift, zero_point, lo, hi);
}

int32_t fast(int32_t acc, int32_t multiplier, int32_t shift, int32_t zero_point, int32_t lo,
             int32_t hi) {
  RequantChannel t{};
  const int32_t no_bias = 0;
  EXPECT_TRUE(requant_table_build(&no_bias, &multiplier, &shift, 0, 1, zero_point, &t));
  const Int8Clamp clamp = {lo, hi};
  return clamp(requant_apply(acc, t));
}

TEST(RequantFast, MatchesTheReferenceOnRandomAndExtremeValues) {
  std::mt19937 gen(7);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> small(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> mantissa(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> shift_dist(-31, -1);
  std::uniform_int_distribution<int32_t> zp_dist(-128, 127);
  const int32_t extremes[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, INT32_MAX - 1};
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const int32_t multiplier = i % 50 == 0 ? (1 << 30) : mantissa(gen);
    const int32_t shift = shift_dist(gen);
    const int32_t zero_point = zp_dist(gen);
    const int32_t lo = i % 3 == 0 ? zero_point : -128;
    const int32_t hi = i % 5 == 0 ? 100 : 127;
    int32_t acc = i % 4 == 0 ? any(gen) : small(gen);
    if (i % 11 == 0) acc = extremes[i % 7];
    ASSERT_EQ(fast(acc, multiplier, shift, zero_point, lo, hi),
              reference(acc, multiplier, shift, zero_point, lo, hi))
        << "acc " << acc << " multiplier " << multiplier << " shift " << shift << " zp "
        << zero_point;
    ++checked;
  }
  EXPECT_EQ(checked, 200000);
}

TEST(RequantFast, MatchesTheReferenceAtEveryRoundingTie) {
  // Accumulators whose scaled value lands exactly half way, for both signs and each shift.
  for (int32_t rs = 1; rs <= 31; ++rs)
    for (int32_t k = -40; k <= 40; ++k) {
      const int32_t multiplier = 1 << 30;  // x = round(acc / 2)
      const int64_t tie = (2 * k + 1) * (int64_t{1} << rs);
      if (tie < INT32_MIN || tie > INT32_MAX) continue;
      const int32_t acc = static_cast<int32_t>(tie);
      for (int32_t zp : {-128, -3, 0, 127})
        ASSERT_EQ(fast(acc, multiplier, -rs, zp, -128, 127),
                  reference(acc, multiplier, -rs, zp, -128, 127))
            << "rs " << rs << " k " << k;
    }
}

TEST(RequantFast, ClampVariantsMatchTheReference) {
  // requant_clamp without the pre-shift serves tables whose right shifts are all at most 22;
  // the full-range variant clamps with SSAT alone.
  std::mt19937 gen(11);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> mantissa(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> zp_dist(-128, 127);
  for (int i = 0; i < 100000; ++i) {
    const int32_t multiplier = mantissa(gen);
    const int32_t shift = -1 - i % 31;
    const int32_t zp = zp_dist(gen);
    const int32_t acc = any(gen) >> (i % 16);
    RequantChannel t{};
    ASSERT_TRUE(requant_table_build(nullptr, &multiplier, &shift, 0, 1, zp, &t));
    EXPECT_EQ(requant_table_pre_shifts(&t, 1), shift < -22);
    const int32_t full = reference(acc, multiplier, shift, zp, -128, 127);
    const int32_t relu = reference(acc, multiplier, shift, zp, zp, 127);
    ASSERT_EQ((requant_clamp<true, true>(acc, t, -128, 127)), full) << i;
    ASSERT_EQ((requant_clamp<false, true>(acc, t, zp, 127)), relu) << i;
    if (shift >= -22) {
      ASSERT_EQ((requant_clamp<true, false>(acc, t, -128, 127)), full) << i;
      ASSERT_EQ((requant_clamp<false, false>(acc, t, zp, 127)), relu) << i;
    }
  }
}

TEST(RequantFast, RejectsParametersOutsideTheExactRange) {
  RequantChannel t{};
  const int32_t multiplier = 1 << 30;
  const int32_t no_shift = 0, left_shift = 3, ok_shift = -31;
  EXPECT_FALSE(requant_table_build(nullptr, &multiplier, &no_shift, 0, 1, 0, &t));
  EXPECT_FALSE(requant_table_build(nullptr, &multiplier, &left_shift, 0, 1, 0, &t));
  EXPECT_TRUE(requant_table_build(nullptr, &multiplier, &ok_shift, 0, 1, 0, &t));
  EXPECT_FALSE(requant_table_build(nullptr, &multiplier, &ok_shift, 0, 1, 128, &t));
  const int32_t negative = -5, zero = 0, below = (1 << 30) - 1;
  EXPECT_FALSE(requant_table_build(nullptr, &negative, &ok_shift, 0, 1, 0, &t));
  EXPECT_FALSE(requant_table_build(nullptr, &zero, &ok_shift, 0, 1, 0, &t));
  EXPECT_FALSE(requant_table_build(nullptr, &below, &ok_shift, 0, 1, 0, &t));
}

}  // namespace
}  // namespace kiln::rt
