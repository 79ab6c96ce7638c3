// Kiln's own exp and tanh: close to the true values (computed in double) everywhere, with the
// documented limits, since the float kernels rely on them instead of the C library.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "runtime/float_math.h"

namespace kiln::rt {
namespace {

// Distance in units in the last place between two finite floats of the same sign.
int64_t ulps(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  return std::llabs(static_cast<int64_t>(ia) - static_cast<int64_t>(ib));
}

TEST(FloatMath, ExpWithinFourUlpOverTheNormalRange) {
  int64_t worst = 0;
  for (float x = -87.0f; x < 88.7f; x += 0.0137f) {
    const float want = static_cast<float>(std::exp(static_cast<double>(x)));
    worst = std::max(worst, ulps(exp_float(x), want));
  }
  EXPECT_LE(worst, 4);
  EXPECT_EQ(exp_float(0.0f), 1.0f);
}

TEST(FloatMath, ExpLimits) {
  EXPECT_TRUE(std::isinf(exp_float(89.0f)));
  EXPECT_EQ(exp_float(-104.0f), 0.0f);
  EXPECT_TRUE(std::isnan(exp_float(NAN)));
  // Subnormal results are still close.
  const float x = -100.0f;
  EXPECT_NEAR(exp_float(x), std::exp(static_cast<double>(x)), 1e-44);
}

TEST(FloatMath, TanhAccurateAndOdd) {
  double worst = 0;
  for (float x = -10.0f; x < 10.0f; x += 0.00731f) {
    const double want = std::tanh(static_cast<double>(x));
    const double err = std::fabs(tanh_float(x) - want) / std::max(std::fabs(want), 1e-30);
    worst = std::max(worst, err);
    EXPECT_EQ(tanh_float(-x), -tanh_float(x));
  }
  EXPECT_LT(worst, 1e-6);
  EXPECT_EQ(tanh_float(20.0f), 1.0f);
  EXPECT_EQ(tanh_float(0.0f), 0.0f);
  EXPECT_TRUE(std::isnan(tanh_float(NAN)));
}

}  // namespace
}  // namespace kiln::rt
