#include "runtime/add.h"

#include <gtest/gtest.h>

#include <random>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

using testing::dequant;
using testing::round_clamp;
using testing::shape_of;

// ADD parameters as TFLM derives them: common scale 2 * max(s1, s2), 20 bits of headroom.
AddSubInt8Params add_params(double s1, int32_t zp1, double s2, int32_t zp2, double so, int32_t zpo,
                            int32_t act_min = -128, int32_t act_max = 127) {
  AddSubInt8Params p{};
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = zpo;
  p.left_shift = 20;
  const double twice_max = 2 * std::max(s1, s2);
  testing::split(s1 / twice_max, &p.input1_multiplier, &p.input1_shift);
  testing::split(s2 / twice_max, &p.input2_multiplier, &p.input2_shift);
  testing::split(twice_max / ((1 << 20) * so), &p.output_multiplier, &p.output_shift);
  p.activation_min = act_min;
  p.activation_max = act_max;
  return p;
}

TEST(AddInt8, PowerOfTwoScalesRoundHalfAwayFromZero) {
  // s1 = s2 = 0.5, so = 1: out = round((x + y) / 2). Every rescale here is exact except the
  // last, whose halves round away from zero.
  const AddSubInt8Params p = add_params(0.5, 0, 0.5, 0, 1.0, 0);
  const int8_t a[] = {1, -1, 3, -3, 100, -128, 127, 0};
  const int8_t b[] = {2, -2, 0, 0, 100, -128, 127, 1};
  const int8_t want[] = {2, -2, 2, -2, 100, -128, 127, 1};
  int8_t out[8];
  ASSERT_EQ(add_int8(p, shape_of({8}, {8}), a, b, out), kOk);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], want[i]) << i;
}

TEST(AddInt8, ZeroPointsAreRemovedAndAdded) {
  // s = 1 everywhere: out = (x - 5) + (y + 3) + 10, clamped.
  const AddSubInt8Params p = add_params(1.0, 5, 1.0, -3, 1.0, 10);
  const int8_t a[] = {5, 15, 127, -128};
  const int8_t b[] = {-3, -13, 127, -128};
  int8_t out[4];
  ASSERT_EQ(add_int8(p, shape_of({4}, {4}), a, b, out), kOk);
  EXPECT_EQ(out[0], 10);
  EXPECT_EQ(out[1], 10);    // 10 - 10 + 10
  EXPECT_EQ(out[2], 127);   // saturates
  EXPECT_EQ(out[3], -128);  // saturates
}

TEST(AddInt8, MatchesRealArithmeticWithinOneStep) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> q(-128, 127);
  const double s1 = 0.0371, s2 = 0.0123, so = 0.0456;
  const int32_t zp1 = -7, zp2 = 20, zpo = 3;
  const AddSubInt8Params p = add_params(s1, zp1, s2, zp2, so, zpo);
  std::vector<int8_t> a(500), b(500), out(500);
  for (auto& v : a) v = static_cast<int8_t>(q(rng));
  for (auto& v : b) v = static_cast<int8_t>(q(rng));
  ASSERT_EQ(add_int8(p, shape_of({500}, {500}), a.data(), b.data(), out.data()), kOk);
  for (int i = 0; i < 500; ++i) {
    const double real = dequant(a[i], s1, zp1) + dequant(b[i], s2, zp2);
    EXPECT_NEAR(out[i], round_clamp(real / so + zpo, -128, 127), 1) << i;
  }
}

TEST(AddInt8, BroadcastsAndClampsToActivation) {
  // Relu6-like clamp [0, 6] on unit scales: a [2,3] + b [3].
  const AddSubInt8Params p = add_params(1.0, 0, 1.0, 0, 1.0, 0, 0, 6);
  const int8_t a[] = {1, 2, 3, -10, 4, 5};
  const int8_t b[] = {0, 1, 2};
  int8_t out[6];
  ASSERT_EQ(add_int8(p, shape_of({2, 3}, {3}), a, b, out), kOk);
  const int8_t want[] = {1, 3, 5, 0, 5, 6};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], want[i]) << i;
}

TEST(AddInt8, RejectsBadParameters) {
  AddSubInt8Params p = add_params(1.0, 0, 1.0, 0, 1.0, 0);
  int8_t x = 0, y = 0;
  p.output_shift = 3;  // ADD's rescales only ever shift right
  EXPECT_EQ(add_int8(p, shape_of({1}, {1}), &x, &x, &y), kBadArgument);
  p = add_params(1.0, 0, 1.0, 0, 1.0, 0);
  EXPECT_EQ(add_int8(p, shape_of({1}, {1}), nullptr, &x, &y), kBadArgument);
  p.activation_min = 5;
  p.activation_max = 4;
  EXPECT_EQ(add_int8(p, shape_of({1}, {1}), &x, &x, &y), kBadArgument);
}

TEST(AddFloat, BroadcastsAndClamps) {
  const float a[] = {1.5f, -2.0f, 3.0f, 10.0f};
  const float b[] = {0.5f, 1.0f};
  float out[4];
  ASSERT_EQ(add_float({-1.0f, 6.0f}, shape_of({2, 2}, {2}), a, b, out), kOk);
  EXPECT_FLOAT_EQ(out[0], 2.0f);
  EXPECT_FLOAT_EQ(out[1], -1.0f);
  EXPECT_FLOAT_EQ(out[2], 3.5f);
  EXPECT_FLOAT_EQ(out[3], 6.0f);
}

}  // namespace
}  // namespace kiln::rt
