#include "runtime/sub.h"

#include <gtest/gtest.h>

#include <random>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

using testing::dequant;
using testing::round_clamp;
using testing::shape_of;

AddSubInt8Params sub_params(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo) {
  AddSubInt8Params p{};
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = zpo;
  p.left_shift = 20;
  const float twice_max = 2 * std::max(s1, s2);
  testing::split(s1 / twice_max, &p.input1_multiplier, &p.input1_shift);
  testing::split(s2 / twice_max, &p.input2_multiplier, &p.input2_shift);
  testing::split(twice_max / ((1 << 20) * so), &p.output_multiplier, &p.output_shift);
  p.activation_min = -128;
  p.activation_max = 127;
  return p;
}

TEST(SubInt8, UnitScalesGiveExactDifferences) {
  const AddSubInt8Params p = sub_params(1.0f, 2, 1.0f, -1, 1.0f, 0);
  const int8_t a[] = {2, 12, 100, -128};
  const int8_t b[] = {-1, 3, -100, 127};
  int8_t out[4];
  ASSERT_EQ(sub_int8(p, shape_of({4}, {4}), a, b, out), kOk);
  EXPECT_EQ(out[0], 0);     // (2-2) - (-1+1)
  EXPECT_EQ(out[1], 6);     // 10 - 4
  EXPECT_EQ(out[2], 127);   // 98 + 99 saturates
  EXPECT_EQ(out[3], -128);  // -130 - 128 saturates
}

TEST(SubInt8, OperandOrderMatters) {
  const AddSubInt8Params p = sub_params(1.0f, 0, 1.0f, 0, 1.0f, 0);
  const int8_t a[] = {10};
  const int8_t b[] = {3, 4, 5};
  int8_t out[3];
  ASSERT_EQ(sub_int8(p, shape_of({1}, {3}), a, b, out), kOk);  // scalar - vector
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], 6);
  EXPECT_EQ(out[2], 5);
  ASSERT_EQ(sub_int8(p, shape_of({3}, {1}), b, a, out), kOk);  // vector - scalar
  EXPECT_EQ(out[0], -7);
  EXPECT_EQ(out[2], -5);
}

TEST(SubInt8, MatchesRealArithmeticWithinOneStep) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> q(-128, 127);
  const float s1 = 0.021f, s2 = 0.0333f, so = 0.05f;
  const int32_t zp1 = 9, zp2 = -12, zpo = -4;
  const AddSubInt8Params p = sub_params(s1, zp1, s2, zp2, so, zpo);
  std::vector<int8_t> a(400), b(400), out(400);
  for (auto& v : a) v = static_cast<int8_t>(q(rng));
  for (auto& v : b) v = static_cast<int8_t>(q(rng));
  ASSERT_EQ(sub_int8(p, shape_of({20, 20}, {20, 20}), a.data(), b.data(), out.data()), kOk);
  for (int i = 0; i < 400; ++i) {
    const double real = dequant(a[i], s1, zp1) - dequant(b[i], s2, zp2);
    EXPECT_NEAR(out[i], round_clamp(real / so + zpo, -128, 127), 1) << i;
  }
}

TEST(SubFloat, DifferenceWithRelu) {
  const float a[] = {1.0f, 5.0f};
  const float b[] = {2.0f, 1.5f};
  float out[2];
  ASSERT_EQ(sub_float({0.0f, 3.4e38f}, shape_of({2}, {2}), a, b, out), kOk);
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 3.5f);
}

}  // namespace
}  // namespace kiln::rt
