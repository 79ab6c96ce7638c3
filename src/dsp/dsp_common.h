// Shared definitions for Kiln's DSP blocks (device code, C++11 subset).
//
// Every block is a set of plain functions over a small parameter struct. Memory is never
// allocated: a block lays out the tables and buffers it needs inside a caller-provided workspace,
// and a companion *_workspace_bytes() function reports how big that workspace must be. The same
// layout routine runs in a counting mode (null base) to compute that size, so the reported size and
// the size actually used can never drift apart.
#ifndef KILN_DSP_DSP_COMMON_H_
#define KILN_DSP_DSP_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"

namespace kiln {
namespace dsp {

typedef rt::Status Status;

// Optional analysis window applied to the samples that enter an FFT. The Edge Impulse reference
// applies none (kWindowNone), which is what reproduces its features.
enum Window {
  kWindowNone = 0,
  kWindowHann = 1,     // periodic Hann: 0.5 - 0.5 cos(2 pi n / L)
  kWindowHamming = 2,  // periodic Hamming: 0.54 - 0.46 cos(2 pi n / L)
};

// Carves 8-byte aligned blocks out of a workspace (which must itself be 8-byte aligned). With a
// null base it only counts, which is how the *_workspace_bytes() functions are implemented.
struct WorkspaceCarver {
  uint8_t* base;
  size_t capacity;
  size_t used;
  bool overflow;
};

inline WorkspaceCarver workspace_carver(void* base, size_t capacity) {
  WorkspaceCarver c;
  c.base = static_cast<uint8_t*>(base);
  c.capacity = base ? capacity : static_cast<size_t>(-1);
  c.used = 0;
  // Blocks are aligned relative to the base, so the base itself must be 8-byte aligned.
  c.overflow = (reinterpret_cast<uintptr_t>(base) & 7u) != 0;
  return c;
}

// Returns the next block, or null when only counting or when the workspace is too small (then
// `overflow` is set and the caller must not touch any carved pointer).
inline void* carve_bytes(WorkspaceCarver* c, size_t bytes) {
  const size_t aligned_start = (c->used + 7u) & ~static_cast<size_t>(7u);
  const size_t end = aligned_start + bytes;
  if (end < aligned_start || end > c->capacity) {
    c->overflow = true;
    c->used = end;
    return NULL;
  }
  c->used = end;
  return c->base ? c->base + aligned_start : NULL;
}

inline float* carve_floats(WorkspaceCarver* c, size_t count) {
  return static_cast<float*>(carve_bytes(c, count * sizeof(float)));
}

inline int32_t* carve_ints(WorkspaceCarver* c, size_t count) {
  return static_cast<int32_t*>(carve_bytes(c, count * sizeof(int32_t)));
}

// True when the carver laid out everything inside a real workspace.
inline bool carver_ok(const WorkspaceCarver& c) {
  return c.base != NULL && !c.overflow;
}

inline bool is_power_of_two(int32_t n) {
  return n > 0 && (n & (n - 1)) == 0;
}

// Largest FFT the blocks accept; keeps every index and size comfortably inside int32_t.
const int32_t kMaxFftLength = 65536;

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_DSP_COMMON_H_
