#include "runtime/logistic.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

// TFLM's Q4.27 input scaling: frexp of scale * 2^27, radius floor(15 * 2^27 / 2^shift).
LogisticInt8Params logistic_params(int32_t size, double scale, int32_t zp) {
  LogisticInt8Params p{};
  p.size = size;
  p.input_zero_point = zp;
  int shift = 0;
  const double mantissa = std::frexp(scale * 134217728.0, &shift);
  p.input_multiplier = static_cast<int32_t>(std::llround(mantissa * 2147483648.0));
  p.input_left_shift = shift;
  p.input_range_radius =
      static_cast<int32_t>(std::floor(15.0 * 134217728.0 / std::ldexp(1.0, shift)));
  return p;
}

TEST(LogisticInt8, ZeroMapsToOneHalf) {
  const LogisticInt8Params p = logistic_params(1, 0.1, 3);
  const int8_t in[] = {3};
  int8_t out[1];
  ASSERT_EQ(logistic_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], 0);  // 0.5 * 256 - 128
}

TEST(LogisticInt8, AllInputsWithinOneStepOfDouble) {
  for (double scale : {0.01, 0.0625, 0.1, 0.37}) {
    for (int32_t zp : {-128, -5, 0, 100}) {
      const std::vector<int8_t> in = testing::all_int8();
      std::vector<int8_t> out(in.size());
      const LogisticInt8Params p = logistic_params(static_cast<int32_t>(in.size()), scale, zp);
      ASSERT_EQ(logistic_int8(p, in.data(), out.data()), kOk);
      for (size_t i = 0; i < in.size(); ++i) {
        const double x = scale * (in[i] - zp);
        const int32_t want = testing::round_clamp(256.0 / (1.0 + std::exp(-x)) - 128, -128, 127);
        EXPECT_NEAR(out[i], want, 1) << "scale " << scale << " zp " << zp << " q " << int(in[i]);
      }
    }
  }
}

TEST(LogisticInt8, SaturatesBeyondRadiusAndIsMonotonic) {
  const LogisticInt8Params p = logistic_params(256, 0.2, 0);
  const std::vector<int8_t> in = testing::all_int8();
  std::vector<int8_t> out(256);
  ASSERT_EQ(logistic_int8(p, in.data(), out.data()), kOk);
  EXPECT_EQ(out.front(), -128);  // sigmoid(-25.6)
  EXPECT_EQ(out.back(), 127);    // sigmoid(25.4)
  for (size_t i = 1; i < out.size(); ++i) EXPECT_GE(out[i], out[i - 1]) << i;
}

TEST(LogisticFloat, MatchesFormulaAndCutoffs) {
  const float in[] = {0.0f, 2.0f, -2.0f, 20.0f, -12.0f};
  float out[5];
  ASSERT_EQ(logistic_float(5, in, out), kOk);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_NEAR(out[1], 1.0 / (1.0 + std::exp(-2.0)), 1e-7);
  EXPECT_NEAR(out[2], 1.0 / (1.0 + std::exp(2.0)), 1e-7);
  EXPECT_EQ(out[3], 1.0f);  // above the upper cut-off
  EXPECT_NEAR(out[4], std::exp(-12.0), 1e-12);
}

}  // namespace
}  // namespace kiln::rt
