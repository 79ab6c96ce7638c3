// The arithmetic family: elementwise arithmetic, activations with their own quantization
// (softmax, logistic, tanh, leaky relu), (de)quantization and mean.
#include "exec/kernel.h"
#include "exec/ops/add.h"
#include "exec/ops/dequantize.h"
#include "exec/ops/leaky_relu.h"
#include "exec/ops/logistic.h"
#include "exec/ops/mean.h"
#include "exec/ops/mul.h"
#include "exec/ops/quantize.h"
#include "exec/ops/softmax.h"
#include "exec/ops/sub.h"
#include "exec/ops/tanh.h"

namespace kiln::exec {

KernelPtr make_arithmetic_family_kernel(const ir::Model& model, const ir::Operator& op) {
  switch (op.type) {
    case ir::OpType::kAdd:
      return make_add_kernel(model, op);
    case ir::OpType::kSub:
      return make_sub_kernel(model, op);
    case ir::OpType::kMul:
      return make_mul_kernel(model, op);
    case ir::OpType::kSoftmax:
      return make_softmax_kernel(model, op);
    case ir::OpType::kLogistic:
      return make_logistic_kernel(model, op);
    case ir::OpType::kTanh:
      return make_tanh_kernel(model, op);
    case ir::OpType::kLeakyRelu:
      return make_leaky_relu_kernel(model, op);
    case ir::OpType::kQuantize:
      return make_quantize_kernel(model, op);
    case ir::OpType::kDequantize:
      return make_dequantize_kernel(model, op);
    case ir::OpType::kMean:
      return make_mean_kernel(model, op);
    default:
      return nullptr;
  }
}

}  // namespace kiln::exec
