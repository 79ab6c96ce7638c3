#include "nn/dense.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/export_graph.h"
#include "nn/fake_quant.h"
#include "nn/fold.h"

namespace kiln::nn {

Dense::Dense(int units) : units_(units) {
  if (units < 1) throw Error(fmt::format("dense: units must be positive, got {}", units));
}

Shape Dense::do_build(const Shape& input_shape, Rng& init_rng) {
  inputs_ = static_cast<int>(shape_size(input_shape));
  weights_ = {name_ + "/weights", Tensor({units_, inputs_}), Tensor({units_, inputs_}), true};
  bias_ = {name_ + "/bias", Tensor({units_}), Tensor({units_}), true};
  glorot_uniform(weights_.value, inputs_, units_, init_rng);
  return {units_};
}

Tensor Dense::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const int batch = input.batch();
  Tensor output = Tensor::batch_of(batch, output_shape_);
  auto y = output.matrix(batch, units_);
  // One scale for the whole matrix, as export quantizes FULLY_CONNECTED weights by default.
  if (weight_fake_quant_) quantized_weights_ = fake_quantize_weights(weights_.value, -1);
  const Tensor& weights = weight_fake_quant_ ? quantized_weights_ : weights_.value;
  y.noalias() = input.matrix(batch, inputs_) * weights.matrix(units_, inputs_).transpose();
  y.rowwise() += bias_.value.row_vector();
  if (mode == Mode::kTrain) input_ = input;
  return output;
}

Tensor Dense::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, input_.batch());
  const int batch = input_.batch();
  const auto dy = output_grad.matrix(batch, units_);
  weights_.grad.matrix(units_, inputs_).noalias() = dy.transpose() * input_.matrix(batch, inputs_);
  bias_.grad.row_vector() = dy.colwise().sum();
  Tensor input_grad = Tensor::batch_of(batch, input_shape_);
  const Tensor& weights = weight_fake_quant_ ? quantized_weights_ : weights_.value;
  input_grad.matrix(batch, inputs_).noalias() = dy * weights.matrix(units_, inputs_);
  return input_grad;
}

int64_t Dense::forward_macs() const {
  return static_cast<int64_t>(units_) * inputs_;
}

void Dense::export_to(ExportGraph& graph, const Fusion& fusion) const {
  Tensor weights = weights_.value;
  Tensor bias = bias_.value;
  fold_into_rows(fusion.affine, weights, bias);
  const int32_t w = graph.add_constant(name_ + "/weights", {units_, inputs_},
                                       std::span<const float>(weights.data(), weights.size()));
  const int32_t b = graph.add_constant(name_ + "/bias", {units_},
                                       std::span<const float>(bias.data(), bias.size()));
  ir::FullyConnectedOptions options;
  options.activation = fusion.activation;
  graph.add_op(ir::OpType::kFullyConnected, {graph.current(), w, b}, name_, {1, units_}, options);
}

}  // namespace kiln::nn
