#include "runtime/tanh.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

TanhInt8Params tanh_params(int32_t size, double scale, int32_t zp) {
  TanhInt8Params p{};
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

TEST(TanhInt8, ZeroAndSymmetry) {
  const TanhInt8Params p = tanh_params(3, 0.05, 0);
  const int8_t in[] = {0, 20, -20};
  int8_t out[3];
  ASSERT_EQ(tanh_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], -out[2]);
  EXPECT_EQ(out[1], testing::round_clamp(128 * std::tanh(1.0), -128, 127));
}

TEST(TanhInt8, AllInputsWithinOneStepOfDouble) {
  for (double scale : {0.01, 0.03125, 0.08, 0.5}) {
    for (int32_t zp : {-128, -3, 0, 64}) {
      const std::vector<int8_t> in = testing::all_int8();
      std::vector<int8_t> out(in.size());
      const TanhInt8Params p = tanh_params(static_cast<int32_t>(in.size()), scale, zp);
      ASSERT_EQ(tanh_int8(p, in.data(), out.data()), kOk);
      for (size_t i = 0; i < in.size(); ++i) {
        const double x = scale * (in[i] - zp);
        EXPECT_NEAR(out[i], testing::round_clamp(128 * std::tanh(x), -128, 127), 1)
            << "scale " << scale << " zp " << zp << " q " << int(in[i]);
      }
    }
  }
}

TEST(TanhInt8, SaturatesAtBothEnds) {
  const TanhInt8Params p = tanh_params(2, 0.5, 0);
  const int8_t in[] = {-128, 127};
  int8_t out[2];
  ASSERT_EQ(tanh_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], -128);
  EXPECT_EQ(out[1], 127);
}

TEST(TanhFloat, MatchesTanh) {
  const float in[] = {0.0f, 0.5f, -3.0f};
  float out[3];
  ASSERT_EQ(tanh_float(3, in, out), kOk);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_NEAR(out[1], std::tanh(0.5), 1e-7);
  EXPECT_NEAR(out[2], std::tanh(-3.0), 1e-7);
}

}  // namespace
}  // namespace kiln::rt
