#include "nn/activations.h"

#include <cmath>

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
  Tensor input_grad(output_grad.shape);
  const float* x = input_.data();
  const float* dy = output_grad.data();
  float* dx = input_grad.data();
  const float upper = upper_ > 0.0f ? upper_ : INFINITY;
  // Written as a multiplication by 0 or 1 rather than branches: the signs of activations are close
  // to random, and a mispredicted branch per value costs more than the arithmetic.
  for (int64_t i = 0; i < input_grad.size(); ++i)
    dx[i] = dy[i] * static_cast<float>((x[i] > 0.0f) & (x[i] < upper));
  return input_grad;
}

void ClampActivation::export_to(ExportGraph& graph, const Fusion&) const {
  const ir::OpType op = upper_ > 0.0f ? ir::OpType::kRelu6 : ir::OpType::kRelu;
  graph.add_op(op, {graph.current()}, name_, graph.current_shape(), std::monostate{});
}

}  // namespace kiln::nn
