// The memory plan of a whole model: which operators write their output over the input they
// consume (output_sharing.h), the buffers that follow (buffer_lifetimes.h) and their placement
// (memory_planner.h). Whether an operator should use a shifted output with its normal kernel
// or its in-place kernel with a scratch depends on its neighbours, so several sharing
// strategies are planned and the smallest arena wins.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/buffer_lifetimes.h"
#include "compiler/memory_planner.h"
#include "compiler/patch_stage.h"
#include "ir/model.h"

namespace kiln::compiler {

struct ModelMemory {
  ModelBuffers buffers;
  MemoryPlan plan;  // plan.heuristic names the placement order and the sharing strategy
  // Per operator: the plan put its output over its input for its in-place kernel, which the
  // generated code must then call (with the operator's scratch).
  std::vector<bool> in_place_kernel;
  // Patch-based execution (patch_stage.h), if planned: the stage; the arena buffer that holds its
  // band buffers and its operators' scratch while it runs; their offsets inside that buffer
  // (scratch: -1 where an operator needs none).
  std::optional<PatchStage> stage;
  int32_t stage_buffer = -1;
  std::vector<int64_t> band_offsets;
  std::vector<int64_t> stage_scratch_offsets;
};

// `op_scratch[k]`: scratch bytes operator k needs with its normal kernel; `fast_kernel[k]`
// (empty: all true) which variant it runs (op_emitter.h). With `prefer_speed` the in-place
// kernels are used wherever an operator has one, even if another placement would give a smaller
// arena (with the fast kernels they are the fastest variants). With `stage`, its intermediate
// tensors take no arena memory of their own: one buffer alive during the stage holds their bands
// (and the stage operators' scratch), the stage's input stays alive until its last operator and its
// output from its first. The result's plan has passed check_plan.
ModelMemory plan_model_memory(const ir::Model& model, const std::vector<int64_t>& op_scratch,
                              int64_t alignment, bool prefer_speed = false,
                              const std::vector<bool>& fast_kernel = {},
                              const std::optional<PatchStage>& stage = std::nullopt);

}  // namespace kiln::compiler
