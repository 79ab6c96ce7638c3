// Offline placement of buffers in one arena.
//
// Each buffer has a size and a lifetime [first_op, last_op] (inclusive operator indices). Two
// buffers whose lifetimes intersect must not overlap in memory, except where an operator is
// known to be safe in place (its output may reuse the memory of an input it reads for the last
// time). Several greedy heuristics are tried and the smallest arena wins.
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

// Buffers `a` and `b` may share memory although their lifetimes touch: the operator that reads
// `a` for the last time writes `b` element by element in place. Only exact sharing (same
// offset) is allowed, and only when b fits within a.
struct AllowedOverlap {
  size_t a;
  size_t b;
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // per buffer
  int64_t arena_bytes = 0;
  std::string heuristic;  // which placement order won
};

// Places all buffers; offsets are multiples of `alignment`.
MemoryPlan plan_memory(const std::vector<BufferRequest>& buffers,
                       const std::vector<AllowedOverlap>& overlaps, int64_t alignment);

// Proves that no two buffers alive at the same time overlap (other than allowed in-place pairs
// at the same offset) and that all lie within the arena. Throws kiln::Error naming the first
// pair that collides.
void check_plan(const std::vector<BufferRequest>& buffers,
                const std::vector<AllowedOverlap>& overlaps, const MemoryPlan& plan);

}  // namespace kiln::compiler
