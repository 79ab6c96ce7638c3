#include "runtime/leaky_relu.h"

#include <gtest/gtest.h>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

LeakyReluQuantizedParams leaky_params(int32_t size, float si, int32_t zpi, float so, int32_t zpo,
                                      float alpha) {
  LeakyReluQuantizedParams p{};
  p.size = size;
  p.input_zero_point = zpi;
  p.output_zero_point = zpo;
  testing::split(si / so, &p.identity_multiplier, &p.identity_shift);
  const float alpha_ratio = si * alpha / so;
  testing::split(std::fabs(alpha_ratio), &p.alpha_multiplier, &p.alpha_shift);
  if (alpha_ratio < 0) p.alpha_multiplier = -p.alpha_multiplier;
  return p;
}

TEST(LeakyReluInt8, ExactOnPowerOfTwoRatios) {
  // identity ratio 1, alpha 0.25: negative inputs divide by 4.
  const LeakyReluQuantizedParams p = leaky_params(5, 0.5f, 2, 0.5f, -1, 0.25f);
  const int8_t in[] = {2, 12, -6, -126, 127};
  int8_t out[5];
  ASSERT_EQ(leaky_relu_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], -1);   // zero stays at the output zero point
  EXPECT_EQ(out[1], 9);    // 10 - 1
  EXPECT_EQ(out[2], -3);   // -8 / 4 - 1
  EXPECT_EQ(out[3], -33);  // -128 / 4 - 1
  EXPECT_EQ(out[4], 124);  // 125 - 1
}

TEST(LeakyReluInt8, WithinOneStepOfDoubleIncludingNegativeAlpha) {
  for (float alpha : {0.2f, 0.01f, 1.5f, -0.3f}) {
    const float si = 0.07f, so = 0.05f;
    const int32_t zpi = 10, zpo = -20;
    const std::vector<int8_t> in = testing::all_int8();
    std::vector<int8_t> out(in.size());
    const LeakyReluQuantizedParams p =
        leaky_params(static_cast<int32_t>(in.size()), si, zpi, so, zpo, alpha);
    ASSERT_EQ(leaky_relu_int8(p, in.data(), out.data()), kOk);
    for (size_t i = 0; i < in.size(); ++i) {
      const double x = static_cast<double>(si) * (in[i] - zpi);
      const double y = x >= 0 ? x : x * alpha;
      EXPECT_NEAR(out[i], testing::round_clamp(y / so + zpo, -128, 127), 1)
          << "alpha " << alpha << " q " << int(in[i]);
    }
  }
}

TEST(LeakyReluInt16, SixteenBitRange) {
  const LeakyReluQuantizedParams p = leaky_params(3, 1.0f, 0, 1.0f, 0, 0.5f);
  const int16_t in[] = {30000, -30000, -3};
  int16_t out[3];
  ASSERT_EQ(leaky_relu_int16(p, in, out), kOk);
  EXPECT_EQ(out[0], 30000);
  EXPECT_EQ(out[1], -15000);
  EXPECT_EQ(out[2], -1);  // -1.5 rounds up (the doubling multiply rounds halves up)
}

TEST(LeakyReluFloat, AlphaBranchOnlyBelowZero) {
  const float in[] = {2.0f, -2.0f, 0.0f};
  float out[3];
  ASSERT_EQ(leaky_relu_float(3, 0.1f, in, out), kOk);
  EXPECT_FLOAT_EQ(out[0], 2.0f);
  EXPECT_FLOAT_EQ(out[1], -0.2f);
  EXPECT_FLOAT_EQ(out[2], 0.0f);
}

}  // namespace
}  // namespace kiln::rt
