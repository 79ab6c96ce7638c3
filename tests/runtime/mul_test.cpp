#include "runtime/mul.h"

#include <gtest/gtest.h>

#include <random>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

using testing::dequant;
using testing::round_clamp;
using testing::shape_of;

MulInt8Params mul_params(double s1, int32_t zp1, double s2, int32_t zp2, double so, int32_t zpo,
                         int32_t act_min = -128, int32_t act_max = 127) {
  MulInt8Params p{};
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = zpo;
  testing::split(s1 * s2 / so, &p.output_multiplier, &p.output_shift);
  p.activation_min = act_min;
  p.activation_max = act_max;
  return p;
}

TEST(MulInt8, ExactWhenScalesCancel) {
  // 0.5 * 0.25 / 0.125 = 1: out = zpo + (x - zp1) * (y - zp2).
  const MulInt8Params p = mul_params(0.5, 1, 0.25, -2, 0.125, -3);
  const int8_t a[] = {1, 4, -2, 127};
  const int8_t b[] = {5, 3, -2, 127};
  int8_t out[4];
  ASSERT_EQ(mul_int8(p, shape_of({4}, {4}), a, b, out), kOk);
  EXPECT_EQ(out[0], -3);   // 0 * 7 - 3
  EXPECT_EQ(out[1], 12);   // 3 * 5 - 3
  EXPECT_EQ(out[2], -3);   // -3 * 0 - 3
  EXPECT_EQ(out[3], 127);  // saturates
}

TEST(MulInt8, HalvingRoundsHalvesUp) {
  // M = 1/2 is the mantissa 2^30 with no right shift, so the only rounding is the doubling
  // high multiply's, which rounds halves toward +infinity: 1.5 -> 2 but -1.5 -> -1.
  const MulInt8Params p = mul_params(1.0, 0, 1.0, 0, 2.0, 0);
  const int8_t a[] = {3, -3, 5, 1};
  const int8_t b[] = {1, 1, 3, 1};
  int8_t out[4];
  ASSERT_EQ(mul_int8(p, shape_of({4}, {4}), a, b, out), kOk);
  EXPECT_EQ(out[0], 2);   // 1.5
  EXPECT_EQ(out[1], -1);  // -1.5
  EXPECT_EQ(out[2], 8);   // 7.5
  EXPECT_EQ(out[3], 1);   // 0.5
}

TEST(MulInt8, MatchesRealArithmeticWithinOneStepWithBroadcast) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> q(-128, 127);
  const double s1 = 0.02, s2 = 0.0071, so = 0.0009;
  const int32_t zp1 = -5, zp2 = 17, zpo = 2;
  const MulInt8Params p = mul_params(s1, zp1, s2, zp2, so, zpo);
  std::vector<int8_t> a(4 * 5 * 3), b(5 * 1), out(4 * 5 * 3);
  for (auto& v : a) v = static_cast<int8_t>(q(rng));
  for (auto& v : b) v = static_cast<int8_t>(q(rng));
  ASSERT_EQ(mul_int8(p, shape_of({4, 5, 3}, {5, 1}), a.data(), b.data(), out.data()), kOk);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j)
      for (int k = 0; k < 3; ++k) {
        const int o = (i * 5 + j) * 3 + k;
        const double real = dequant(a[o], s1, zp1) * dequant(b[j], s2, zp2);
        EXPECT_NEAR(out[o], round_clamp(real / so + zpo, -128, 127), 1) << o;
      }
}

TEST(MulInt8, ActivationClamp) {
  const MulInt8Params p = mul_params(1.0, 0, 1.0, 0, 1.0, 0, 0, 20);
  const int8_t a[] = {-3, 5, 6};
  const int8_t b[] = {4, 4, 4};
  int8_t out[3];
  ASSERT_EQ(mul_int8(p, shape_of({3}, {3}), a, b, out), kOk);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 20);
  EXPECT_EQ(out[2], 20);
}

TEST(MulFloat, ProductBroadcast) {
  const float a[] = {1.0f, -2.0f, 3.0f};
  const float b[] = {-1.5f};
  float out[3];
  ASSERT_EQ(mul_float({-3.4e38f, 3.4e38f}, shape_of({3}, {1}), a, b, out), kOk);
  EXPECT_FLOAT_EQ(out[0], -1.5f);
  EXPECT_FLOAT_EQ(out[1], 3.0f);
  EXPECT_FLOAT_EQ(out[2], -4.5f);
}

}  // namespace
}  // namespace kiln::rt
