// Helpers for the arithmetic-family kernel tests: independent double-precision references and
// quantization arithmetic written from the definitions, not from the kernels.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "exec/prepare_util.h"
#include "runtime/broadcast.h"

namespace kiln::rt::testing {

// round half away from zero, then clamp to [lo, hi].
inline int32_t round_clamp(double v, int32_t lo, int32_t hi) {
  const double r = std::round(v);
  return static_cast<int32_t>(std::clamp(r, static_cast<double>(lo), static_cast<double>(hi)));
}

inline double dequant(int32_t q, double scale, int32_t zp) {
  return scale * (q - zp);
}

inline void split(double real, int32_t* multiplier, int32_t* shift) {
  int s = 0;
  exec::quantize_multiplier(real, multiplier, &s);
  *shift = s;
}

inline BroadcastShape shape_of(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  BroadcastShape s{};
  broadcast_shape_init(a.data(), static_cast<int32_t>(a.size()), b.data(),
                       static_cast<int32_t>(b.size()), &s);
  return s;
}

// Every int8 value, for exhaustive single-input checks.
inline std::vector<int8_t> all_int8() {
  std::vector<int8_t> v;
  for (int i = -128; i <= 127; ++i) v.push_back(static_cast<int8_t>(i));
  return v;
}

}  // namespace kiln::rt::testing
