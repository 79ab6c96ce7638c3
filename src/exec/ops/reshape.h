// Host side of RESHAPE, SQUEEZE and EXPAND_DIMS: three ways of naming a new shape for the same
// bytes. Prepare checks that the output tensor's shape is the one the operator implies and
// computes the byte count the device copy needs.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/reshape.h"

namespace kiln::exec {

struct ReshapePrepared {
  rt::ReshapeParams params;
  std::vector<int32_t> output_shape;  // the shape the operator produces (= the IR output's)
};

// RESHAPE: the shape comes from the constant shape input (if any), else from the new_shape
// option (if any); either may hold one -1, resolved from the element count. With neither
// (or a non-constant shape input, which TFLM also ignores) the output tensor's shape is used.
ReshapePrepared prepare_reshape(const ir::Model& model, const ir::Operator& op);
// SQUEEZE: drops the listed size-1 axes (negative = from the back), or all of them.
ReshapePrepared prepare_squeeze(const ir::Model& model, const ir::Operator& op);
// EXPAND_DIMS: inserts a size-1 axis at the constant axis input (negative = from the back).
ReshapePrepared prepare_expand_dims(const ir::Model& model, const ir::Operator& op);

// Kernel for any of the three (dispatching on op.type); nullptr for other operators.
KernelPtr make_reshape_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
