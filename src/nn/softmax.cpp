#include "nn/softmax.h"

#include "nn/export_graph.h"

namespace kiln::nn {

void softmax_rows(ConstMatrixView logits, MatrixView probabilities) {
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    const float max_value = logits.row(r).maxCoeff();
    probabilities.row(r) = (logits.row(r).array() - max_value).exp().matrix();
    probabilities.row(r) /= probabilities.row(r).sum();
  }
}

Tensor Softmax::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const int64_t classes = input_shape_.back();
  const int64_t rows = input.size() / classes;
  Tensor output(input.shape);
  softmax_rows(input.matrix(rows, classes), output.matrix(rows, classes));
  if (mode == Mode::kTrain) output_ = output;
  return output;
}

Tensor Softmax::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, output_.batch());
  const int64_t classes = input_shape_.back();
  const int64_t rows = output_grad.size() / classes;
  const auto p = output_.matrix(rows, classes);
  const auto dy = output_grad.matrix(rows, classes);
  // d(input) = p * (dy - sum(dy * p)) row by row: the softmax Jacobian applied to dy.
  const Eigen::VectorXf dot = dy.cwiseProduct(p).rowwise().sum();
  Tensor input_grad(output_grad.shape);
  input_grad.matrix(rows, classes) = p.cwiseProduct(dy.colwise() - dot);
  return input_grad;
}

void Softmax::export_to(ExportGraph& graph, const Fusion&) const {
  graph.add_op(ir::OpType::kSoftmax, {graph.current()}, name_, graph.current_shape(),
               ir::SoftmaxOptions{1.0f});
}

}  // namespace kiln::nn
