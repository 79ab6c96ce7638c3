// Helpers for the convolution-family kernel tests: deterministic random tensors and the int8
// output step written out from its definition.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/common.h"
#include "runtime/fixed_point.h"

namespace kiln::testing {

inline std::vector<int8_t> random_int8(size_t n, uint32_t seed, int lo = -128, int hi = 127) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(dist(gen));
  return v;
}

inline std::vector<int16_t> random_int16(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-32768, 32767);
  std::vector<int16_t> v(n);
  for (auto& x : v) x = static_cast<int16_t>(dist(gen));
  return v;
}

inline std::vector<int32_t> random_int32(size_t n, uint32_t seed, int32_t lo, int32_t hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int32_t> dist(lo, hi);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

inline std::vector<float> random_float(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

inline size_t elements(const rt::Shape4& s) {
  return static_cast<size_t>(s.n) * s.h * s.w * s.c;
}

// TFLite's int8 output step for an exact accumulator: requantize (the fixed-point routine is
// checked on its own in conv_common_test), add the zero point, clamp.
inline int8_t int8_output(int64_t acc, int32_t multiplier, int32_t shift, int32_t zero_point,
                          int32_t act_min, int32_t act_max) {
  int32_t v = rt::multiply_by_quantized_multiplier(static_cast<int32_t>(acc), multiplier, shift);
  v += zero_point;
  if (v < act_min) v = act_min;
  if (v > act_max) v = act_max;
  return static_cast<int8_t>(v);
}

// The int16 output steps: with int64 bias the 64-bit requantization on the exact sum; with int32
// bias the sum wrapped to 32 bits and the 32-bit requantization. No zero points.
inline int16_t int16_output_64(int64_t acc, int32_t multiplier, int32_t shift, int32_t act_min,
                               int32_t act_max) {
  int32_t v = rt::multiply_by_quantized_multiplier_64(acc, multiplier, shift);
  if (v < act_min) v = act_min;
  if (v > act_max) v = act_max;
  return static_cast<int16_t>(v);
}
inline int16_t int16_output_32(int64_t acc, int32_t multiplier, int32_t shift, int32_t act_min,
                               int32_t act_max) {
  int32_t v = rt::multiply_by_quantized_multiplier(static_cast<int32_t>(acc), multiplier, shift);
  if (v < act_min) v = act_min;
  if (v > act_max) v = act_max;
  return static_cast<int16_t>(v);
}

}  // namespace kiln::testing
