// Cost figures of a model read off its IR: multiply-accumulates per operator, parameter counts
// and constant bytes. Used by `kiln inspect` and the benchmarks.
#pragma once

#include <cstdint>

#include "ir/model.h"

namespace kiln::ir {

// Multiply-accumulate operations one invocation of `op` performs (0 for ops without MACs).
int64_t op_macs(const Model& model, const Operator& op);

struct ModelStats {
  int64_t macs = 0;
  int64_t parameters = 0;      // elements of constant tensors feeding weighted ops
  int64_t constant_bytes = 0;  // all constant tensor data
};

ModelStats model_stats(const Model& model);

}  // namespace kiln::ir
