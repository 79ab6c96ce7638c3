#include "dsp/reference_log.h"

#include <stdint.h>
#include <string.h>

namespace kiln {
namespace dsp {

float reference_ln(float a) {
  uint32_t bits;
  memcpy(&bits, &a, sizeof bits);
  // Exponent offset chosen so that the remaining mantissa m lies in [2/3, 4/3).
  const uint32_t exponent_bits = (bits - 0x3f2aaaabu) & 0xff800000u;
  const uint32_t mantissa_bits = bits - exponent_bits;
  float m;
  memcpy(&m, &mantissa_bits, sizeof m);
  const float e = static_cast<float>(static_cast<int32_t>(exponent_bits)) * 1.19209290e-7f;
  const float f = m - 1.0f;
  const float f2 = f * f;
  float r = fmaf(0.230836749f, f, -0.279208571f);
  const float t = fmaf(0.331826031f, f, -0.498910338f);
  r = fmaf(r, f2, t);
  r = fmaf(r, f2, f);
  return fmaf(e, 0.693147182f, r);
}

float reference_log10(float a) {
  int e;
  const float f = frexpf(fabsf(a), &e);
  float y = 1.23149591368684f * f;
  y += -4.11852516267426f;
  y *= f;
  y += 6.02197014179219f;
  y *= f;
  y += -3.13396450166353f;
  y += static_cast<float>(e);
  return y * 0.3010299956639812f;
}

}  // namespace dsp
}  // namespace kiln
