#include "exec/kernel.h"
#include "exec/ops/lstm.h"

namespace kiln::exec {

KernelPtr make_lstm_family_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type == ir::OpType::kUnidirectionalSequenceLstm) return make_lstm_kernel(model, op);
  return nullptr;
}

}  // namespace kiln::exec
