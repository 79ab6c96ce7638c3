// Offline placement of buffers in one arena.
//
// Each buffer has a size and a lifetime [first_op, last_op] (inclusive operator indices). Two
// buffers whose lifetimes intersect must not overlap in memory, except where the operator that
// reads one for the last time while writing the other is known to be safe with a particular
// placement of its output relative to its input (an AllowedOverlap). Several greedy orders are
// tried and the smallest arena wins.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::compiler {

struct BufferRequest {
  std::string name;
  int64_t size = 0;
  int32_t first_op = 0;  // operator that writes it (-1: before the first operator)
  int32_t last_op = 0;   // last operator that reads it
};

// Buffers `a` and `b` may overlap in memory although their lifetimes touch: the operator that
// reads `a` for the last time writes `b` in an order that never overwrites an element of `a` it
// still needs, provided b starts at
//   offset(b) - offset(a) == delta    (at_most false), or
//   offset(b) - offset(a) <= delta    (at_most true: starting further below is just as safe).
// Examples: an elementwise operator writing over its input (delta 0, exact); the in-place
// depthwise kernel (delta 0, exact); the in-place pointwise kernel whose output grows
// (delta = -(extra output bytes), at most); a convolution whose output trails the input it has
// consumed (delta from output_sharing.h, at most). The safety argument of each lives with the
// code that declares the pair; the planner and checker only enforce the placement.
struct AllowedOverlap {
  size_t a;  // read for the last time by the operator
  size_t b;  // written by the operator
  int64_t delta = 0;
  bool at_most = false;
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // per buffer
  int64_t arena_bytes = 0;
  std::string heuristic;  // which placement order won
};

// Places all buffers; offsets are multiples of `alignment`.
MemoryPlan plan_memory(const std::vector<BufferRequest>& buffers,
                       const std::vector<AllowedOverlap>& overlaps, int64_t alignment);

// Proves that no two buffers alive at the same time overlap, other than allowed pairs placed as
// their AllowedOverlap requires, and that all lie within the arena. Throws kiln::Error naming
// the first pair that collides.
void check_plan(const std::vector<BufferRequest>& buffers,
                const std::vector<AllowedOverlap>& overlaps, const MemoryPlan& plan);

// True if buffers a and b (by index) overlap in memory in `plan`.
bool buffers_overlap(const std::vector<BufferRequest>& buffers, const MemoryPlan& plan, size_t a,
                     size_t b);

}  // namespace kiln::compiler
