// From an IR model to the buffers the arena must hold: one buffer per non-constant tensor
// (reshape-like operators alias their input instead of copying), each with the span of
// operators during which it is alive, plus the pairs whose memory may overlap: an elementwise
// operator's output over its input, and the output placements chosen from output_sharing.h.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/memory_planner.h"
#include "compiler/output_sharing.h"
#include "ir/model.h"

namespace kiln::compiler {

struct ModelBuffers {
  std::vector<BufferRequest> buffers;
  std::vector<AllowedOverlap> overlaps;
  std::vector<int32_t> buffer_of_tensor;  // per tensor; -1 for constants
};

// True for operators whose output is the input's bytes reinterpreted with another shape.
bool is_alias_op(ir::OpType type);

// `extra_scratch[k]` (optional) is the scratch bytes operator k needs; it becomes a buffer alive
// during that operator only (the scratch of in-place kernels in `shared` is added to it).
// Each entry of `shared` becomes an allowed overlap when its input is read for the last time by
// the operator that writes its output.
ModelBuffers collect_buffers(const ir::Model& model, const std::vector<int64_t>& extra_scratch = {},
                             const std::vector<OutputSharing>& shared = {});

}  // namespace kiln::compiler
