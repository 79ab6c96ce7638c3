// Shared definitions for Kiln's device kernels.
//
// Device code rules (DEVELOPERS.md): C++11 subset, no heap, no exceptions, no RTTI, no global
// constructors, no std:: containers. Kernels are plain functions taking small parameter structs;
// everything that can be computed ahead of time (requantization multipliers, padding, activation
// ranges) is computed by the host and passed in, so the hot loops only do the math.
#ifndef KILN_RUNTIME_COMMON_H_
#define KILN_RUNTIME_COMMON_H_

#include <stddef.h>
#include <stdint.h>

namespace kiln {
namespace rt {

enum Status {
  kOk = 0,
  kBadArgument = 1,  // shapes or parameters that the kernel cannot handle
  kUnsupported = 2,  // a valid configuration this kernel does not implement
};

// Tensor shape in NHWC order. Lower-rank tensors pad with leading 1s.
struct Shape4 {
  int32_t n;
  int32_t h;
  int32_t w;
  int32_t c;
};

inline int32_t shape4_size(const Shape4& s) {
  return s.n * s.h * s.w * s.c;
}

inline int32_t min_i32(int32_t a, int32_t b) {
  return a < b ? a : b;
}
inline int32_t max_i32(int32_t a, int32_t b) {
  return a > b ? a : b;
}
inline int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}
inline float clamp_f32(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_COMMON_H_
