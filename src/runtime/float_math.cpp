#include "runtime/float_math.h"

#include <stdint.h>
#include <string.h>

namespace kiln {
namespace rt {

namespace {

// 2^k for k in [-126, 127], built from its bits (exact).
float power_of_two(int32_t k) {
  const uint32_t bits = static_cast<uint32_t>(k + 127) << 23;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace

float exp_float(float x) {
  if (x != x) return x;  // NaN
  if (x > 88.72283f) return 1.0f / 0.0f;
  if (x < -103.97208f) return 0.0f;
  // x = k ln2 + r with |r| <= ln2 / 2; ln2 split in a high part with few bits (k * hi is exact)
  // and a low part (Cody-Waite), so r carries no cancellation error.
  const float log2e = 1.44269504f;
  const float t = x * log2e;
  const int32_t k = static_cast<int32_t>(t < 0.0f ? t - 0.5f : t + 0.5f);
  const float kf = static_cast<float>(k);
  const float r = (x - kf * 0.693145751953125f) - kf * 1.428606765330187e-06f;
  // e^r by its Taylor series to r^7 (the r^8 term is below 2^-25 for |r| <= 0.347).
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // Scale by 2^k in two exact steps so neither factor leaves the normal range.
  const int32_t k1 = k / 2;
  return p * power_of_two(k1) * power_of_two(k - k1);
}

float tanh_float(float x) {
  if (x != x) return x;
  const float a = x < 0.0f ? -x : x;
  float y;
  if (a > 9.1f) {
    y = 1.0f;
  } else if (a < 0.125f) {
    // Odd series to x^9: the next term is below 1e-12 relative here, and it avoids the
    // cancellation of 1 - 2 / (e^2a + 1) near 0.
    const float s = a * a;
    float p = 62.0f / 2835.0f;
    p = p * s - 17.0f / 315.0f;
    p = p * s + 2.0f / 15.0f;
    p = p * s - 1.0f / 3.0f;
    y = a + a * s * p;
  } else {
    y = 1.0f - 2.0f / (exp_float(2.0f * a) + 1.0f);
  }
  return x < 0.0f ? -y : y;
}

}  // namespace rt
}  // namespace kiln
