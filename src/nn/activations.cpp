#include "nn/activations.h"

#include "nn/export_graph.h"

namespace kiln::nn {

Tensor ClampActivation::forward(const Tensor& input, Mode mode) {
  check_input(input);
  Tensor output = input;
  output.values = output.values.max(0.0f);
  if (upper_ > 0.0f) output.values = output.values.min(upper_);
  if (mode == Mode::kTrain) input_ = input;
  return output;
}

Tensor ClampActivation::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, input_.batch());
  Tensor input_grad = output_grad;
  const Eigen::ArrayXf& x = input_.values;
  if (upper_ > 0.0f)
    input_grad.values = ((x > 0.0f) && (x < upper_)).select(output_grad.values, 0.0f);
  else
    input_grad.values = (x > 0.0f).select(output_grad.values, 0.0f);
  return input_grad;
}

void ClampActivation::export_to(ExportGraph& graph, const Fusion&) const {
  const ir::OpType op = upper_ > 0.0f ? ir::OpType::kRelu6 : ir::OpType::kRelu;
  graph.add_op(op, {graph.current()}, name_, graph.current_shape(), std::monostate{});
}

}  // namespace kiln::nn
