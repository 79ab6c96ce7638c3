// Host side of TRANSPOSE: reads the constant permutation and checks it against the input and
// output shapes.
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/transpose.h"

namespace kiln::exec {

struct TransposePrepared {
  rt::TransposeParams params;
  ir::DType dtype;  // float32, int8, int16 or int32
};

TransposePrepared prepare_transpose(const ir::Model& model, const ir::Operator& op);

// Kernel for TRANSPOSE; nullptr for other operators.
KernelPtr make_transpose_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
