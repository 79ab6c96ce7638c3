#include "runtime/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

TEST(QuantizeFloat, RoundsHalfAwayFromZeroAndClamps) {
  const QuantizeFloatParams p{8, 0.5f, 3};
  const float in[] = {0.0f, 1.25f, -1.25f, 0.2f, -0.3f, 100.0f, -100.0f, 1e30f};
  int8_t out[8];
  ASSERT_EQ(quantize_float_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], 3);
  EXPECT_EQ(out[1], 6);  // 2.5 -> 3
  EXPECT_EQ(out[2], 0);  // -2.5 -> -3
  EXPECT_EQ(out[3], 3);  // 0.4 -> 0
  EXPECT_EQ(out[4], 2);  // -0.6 -> -1
  EXPECT_EQ(out[5], 127);
  EXPECT_EQ(out[6], -128);
  EXPECT_EQ(out[7], 127);  // far out of range saturates
}

TEST(QuantizeFloat, SpecialValues) {
  const QuantizeFloatParams p{3, 0.25f, -5};
  const float in[] = {std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::quiet_NaN()};
  int16_t out[3];
  ASSERT_EQ(quantize_float_int16(p, in, out), kOk);
  EXPECT_EQ(out[0], 32767);
  EXPECT_EQ(out[1], -32768);
  EXPECT_EQ(out[2], -5);  // NaN -> zero point
}

TEST(QuantizeFloat, DividesInSinglePrecision) {
  // x / scale is formed in float and then rounded: check against that definition.
  const float scale = 0.0117647f;
  const QuantizeFloatParams p{64, scale, -1};
  float in[64];
  int8_t out[64];
  for (int i = 0; i < 64; ++i) in[i] = -0.4f + 0.0123f * static_cast<float>(i);
  ASSERT_EQ(quantize_float_int8(p, in, out), kOk);
  for (int i = 0; i < 64; ++i) {
    const float q = std::round(in[i] / scale);
    EXPECT_EQ(out[i], std::clamp(static_cast<int>(q) - 1, -128, 127)) << i;
  }
}

TEST(Requantize, Int8ToInt8DoublesExactly) {
  // in scale 1, out scale 0.5: M = 2.
  RequantizeParams p{4, 1, -3, 0, 0};
  testing::split(2.0, &p.multiplier, &p.shift);
  const int8_t in[] = {1, 11, -50, 100};
  int8_t out[4];
  ASSERT_EQ(requantize_int8_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], -3);
  EXPECT_EQ(out[1], 17);
  EXPECT_EQ(out[2], -105);
  EXPECT_EQ(out[3], 127);
}

TEST(Requantize, WidenAndNarrowWithinOneStep) {
  const double si = 0.013, so = 0.0007;
  RequantizeParams p{256, 7, -100, 0, 0};
  testing::split(si / so, &p.multiplier, &p.shift);
  const std::vector<int8_t> in = testing::all_int8();
  std::vector<int16_t> wide(256);
  ASSERT_EQ(requantize_int8_int16(p, in.data(), wide.data()), kOk);
  for (int i = 0; i < 256; ++i)
    EXPECT_NEAR(wide[i], testing::round_clamp((in[i] - 7) * si / so - 100, -32768, 32767), 1);

  RequantizeParams back{256, -100, 7, 0, 0};
  testing::split(so / si, &back.multiplier, &back.shift);
  std::vector<int8_t> narrow(256);
  ASSERT_EQ(requantize_int16_int8(back, wide.data(), narrow.data()), kOk);
  for (int i = 0; i < 256; ++i) EXPECT_NEAR(narrow[i], in[i], 1) << i;
}

TEST(Requantize, SignednessFlipIsExact) {
  // Same scale, zero points -128 (int8) and 0 (uint8): the values shift by 128.
  RequantizeParams p{3, -128, 0, 0, 0};
  testing::split(1.0, &p.multiplier, &p.shift);
  const int8_t in[] = {-128, 0, 127};
  uint8_t out[3];
  ASSERT_EQ(requantize_int8_uint8(p, in, out), kOk);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 128);
  EXPECT_EQ(out[2], 255);
  RequantizeParams q{3, 0, -128, p.multiplier, p.shift};
  int8_t back[3];
  ASSERT_EQ(requantize_uint8_int8(q, out, back), kOk);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(back[i], in[i]);
}

TEST(Requantize, Int16ToInt16) {
  RequantizeParams p{2, 0, 0, 0, 0};
  testing::split(0.5, &p.multiplier, &p.shift);
  const int16_t in[] = {1001, -32768};
  int16_t out[2];
  ASSERT_EQ(requantize_int16_int16(p, in, out), kOk);
  EXPECT_EQ(out[0], 501);  // 500.5 rounds up
  EXPECT_EQ(out[1], -16384);
}

}  // namespace
}  // namespace kiln::rt
