// Data movement and clamps: each operator's factory returns nullptr for types it does not own,
// so the family simply dispatches on the operator type.
#include "exec/kernel.h"
#include "exec/ops/concatenation.h"
#include "exec/ops/pad.h"
#include "exec/ops/relu.h"
#include "exec/ops/reshape.h"
#include "exec/ops/strided_slice.h"
#include "exec/ops/transpose.h"

namespace kiln::exec {

KernelPtr make_shape_family_kernel(const ir::Model& model, const ir::Operator& op) {
  switch (op.type) {
    case ir::OpType::kReshape:
    case ir::OpType::kSqueeze:
    case ir::OpType::kExpandDims:
      return make_reshape_kernel(model, op);
    case ir::OpType::kRelu:
    case ir::OpType::kRelu6:
      return make_relu_kernel(model, op);
    case ir::OpType::kPad:
      return make_pad_kernel(model, op);
    case ir::OpType::kConcatenation:
      return make_concatenation_kernel(model, op);
    case ir::OpType::kStridedSlice:
      return make_strided_slice_kernel(model, op);
    case ir::OpType::kTranspose:
      return make_transpose_kernel(model, op);
    default:
      return nullptr;
  }
}

}  // namespace kiln::exec
