#include "nn/reshape.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/export_graph.h"

namespace kiln::nn {

Shape Reshape::do_build(const Shape& input_shape, Rng&) {
  const int64_t elements = shape_size(input_shape);
  Shape shape = target_;
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
    } else if (shape[i] < 1) {
      throw Error(fmt::format("{}: invalid target shape {} (positive sizes and at most one -1)",
                              name_, shape_text(target_)));
    } else {
      known *= shape[i];
    }
  }
  if (inferred >= 0) {
    if (elements % known != 0)
      throw Error(fmt::format("{}: cannot reshape {} to {}", name_, shape_text(input_shape),
                              shape_text(target_)));
    shape[static_cast<size_t>(inferred)] = static_cast<int>(elements / known);
  }
  if (shape.empty() || shape_size(shape) != elements)
    throw Error(fmt::format("{}: cannot reshape {} ({} values) to {}", name_,
                            shape_text(input_shape), elements, shape_text(target_)));
  return shape;
}

Tensor Reshape::forward(const Tensor& input, Mode mode) {
  check_input(input);
  Tensor output = input;
  output.shape = {input.batch()};
  output.shape.insert(output.shape.end(), output_shape_.begin(), output_shape_.end());
  if (mode == Mode::kTrain) trained_batch_ = input.batch();
  return output;
}

Tensor Reshape::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, trained_batch_);
  Tensor input_grad = output_grad;
  input_grad.shape = {trained_batch_};
  input_grad.shape.insert(input_grad.shape.end(), input_shape_.begin(), input_shape_.end());
  return input_grad;
}

void Reshape::export_to(ExportGraph& graph, const Fusion&) const {
  graph.reshape_to(batch_one(output_shape_), name_);
}

}  // namespace kiln::nn
