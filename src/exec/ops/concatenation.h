// Host side of CONCATENATION: resolves the (possibly negative) axis, checks that the inputs
// agree on every other dimension and sum to the output along the axis, and reduces the shapes
// to the outer/axis/inner sizes the device kernel takes.
#pragma once

#include <cstdint>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/concatenation.h"

namespace kiln::exec {

struct ConcatenationPrepared {
  rt::ConcatenationParams params;
  ir::DType dtype;  // float32, int8, int16 or int32
  int32_t axis;     // resolved, in [0, rank)
};

ConcatenationPrepared prepare_concatenation(const ir::Model& model, const ir::Operator& op);

// Kernel for CONCATENATION; nullptr for other operators.
KernelPtr make_concatenation_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
