// The ahead-of-time compiler: an IR model in, a self-contained C++ folder out — straight-line
// kernel calls with constant arena offsets, weights as const arrays, the runtime files used, and
// build files. No interpreter, no model parsing and no heap on the device.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/buffer_lifetimes.h"
#include "compiler/memory_planner.h"
#include "ir/model.h"

namespace kiln::compiler {

struct CompileOptions {
  std::string name = "model";   // prefix of every generated symbol and file
  std::string target = "host";  // "host" or "cortex-m4": selects build files' defaults
  // --opt-memory (default): the smallest arena, weights as stored, fast kernels only where their
  // scratch costs no RAM. --opt-speed: fast kernels everywhere, filters widened for them.
  bool optimize_memory = true;
  // Every operator on its portable kernel (no fast variants, weights as stored): the reference
  // the fast kernels are measured against (bench/profile_bench.sh).
  bool portable_kernels = false;
  bool fold_pad = true;  // fold zero-point PADs into VALID convolutions (fold_pad.h)
  // With optimize_memory: run the first, memory-dominant chain of operators in row bands when
  // that lowers the arena (patch_stage.h), at the price of recomputing the bands' halos.
  bool patches = true;
  // A stage given explicitly (operators first..last, output rows per band) instead of searched:
  // for tests and experiments; an error if those operators cannot form a stage.
  struct PatchRequest {
    int32_t first_op = 0, last_op = 0, rows_per_band = 1;
  };
  std::optional<PatchRequest> force_patch_stage;
};

struct CompiledModel {
  std::map<std::string, std::string> files;  // relative path -> contents (sorted: deterministic)
  ModelBuffers buffers;
  MemoryPlan plan;
  int64_t arena_bytes = 0;        // activations + scratch + state
  int64_t weight_bytes = 0;       // constant tensor data emitted
  int64_t constant_bytes = 0;     // per-operator constants (multipliers, shifts, ...)
  std::vector<bool> fast_kernel;  // per operator: runs its fast kernel variant (op_emitter.h)
  bool patch_stage = false;       // part of the model runs in row bands (patch_stage.h)
  std::string patch_stage_description;
};

CompiledModel compile_model(const ir::Model& model, const CompileOptions& options);

// Writes every file under `dir` (created if needed).
void write_compiled_model(const CompiledModel& compiled, const std::string& dir);

}  // namespace kiln::compiler
