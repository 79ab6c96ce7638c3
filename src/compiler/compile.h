// The ahead-of-time compiler: an IR model in, a self-contained C++ folder out — straight-line
// kernel calls with constant arena offsets, weights as const arrays, the runtime files used, and
// build files. No interpreter, no model parsing and no heap on the device.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "compiler/buffer_lifetimes.h"
#include "compiler/memory_planner.h"
#include "ir/model.h"

namespace kiln::compiler {

struct CompileOptions {
  std::string name = "model";   // prefix of every generated symbol and file
  std::string target = "host";  // "host" or "cortex-m4": selects build files' defaults
  bool optimize_memory = true;  // --opt-memory (default) or --opt-speed
  bool fold_pad = true;         // fold zero-point PADs into VALID convolutions (fold_pad.h)
};

struct CompiledModel {
  std::map<std::string, std::string> files;  // relative path -> contents (sorted: deterministic)
  ModelBuffers buffers;
  MemoryPlan plan;
  int64_t arena_bytes = 0;     // activations + scratch + state
  int64_t weight_bytes = 0;    // constant tensor data emitted
  int64_t constant_bytes = 0;  // per-operator constants (multipliers, shifts, ...)
};

CompiledModel compile_model(const ir::Model& model, const CompileOptions& options);

// Writes every file under `dir` (created if needed).
void write_compiled_model(const CompiledModel& compiled, const std::string& dir);

}  // namespace kiln::compiler
