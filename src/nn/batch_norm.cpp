#include "nn/batch_norm.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "nn/export_graph.h"

namespace kiln::nn {

BatchNorm::BatchNorm(float momentum, float epsilon) : momentum_(momentum), epsilon_(epsilon) {
  if (!(momentum >= 0.0f && momentum < 1.0f))
    throw Error(fmt::format("batchnorm: momentum must be in [0, 1), got {}", momentum));
  if (!(epsilon > 0.0f))
    throw Error(fmt::format("batchnorm: epsilon must be positive, got {}", epsilon));
}

Shape BatchNorm::do_build(const Shape& input_shape, Rng&) {
  channels_ = input_shape.back();
  const Shape c{channels_};
  gamma_ = {name_ + "/gamma", Tensor(c), Tensor(c), true};
  beta_ = {name_ + "/beta", Tensor(c), Tensor(c), true};
  running_mean_ = {name_ + "/running_mean", Tensor(c), Tensor(), false};
  running_variance_ = {name_ + "/running_variance", Tensor(c), Tensor(), false};
  gamma_.value.values.setOnes();
  running_variance_.value.values.setOnes();
  return input_shape;
}

Tensor BatchNorm::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const int64_t rows = input.size() / channels_;
  const auto x = input.matrix(rows, channels_);
  Tensor output(input.shape);
  auto y = output.matrix(rows, channels_);
  if (mode == Mode::kInference) {
    const ChannelAffine affine = inference_affine();
    const Eigen::Map<const Eigen::RowVectorXf> scale(affine.scale.data(), channels_);
    const Eigen::Map<const Eigen::RowVectorXf> shift(affine.shift.data(), channels_);
    y = (x.array().rowwise() * scale.array()).rowwise() + shift.array();
    return output;
  }
  if (rows < 1) throw Error(fmt::format("{}: training needs a non-empty batch", name_));
  const Eigen::RowVectorXf mean = x.colwise().mean();
  RowMatrix centered = x.rowwise() - mean;
  const Eigen::RowVectorXf variance =
      centered.array().square().colwise().sum() / static_cast<float>(rows);
  inverse_std_ = (variance.array() + epsilon_).rsqrt();
  normalized_ = Tensor(input.shape);
  auto x_hat = normalized_.matrix(rows, channels_);
  x_hat = centered.array().rowwise() * inverse_std_.array();
  y = (x_hat.array().rowwise() * gamma_.value.row_vector().array()).rowwise() +
      beta_.value.row_vector().array();
  running_mean_.value.row_vector() =
      momentum_ * running_mean_.value.row_vector() + (1.0f - momentum_) * mean;
  running_variance_.value.row_vector() =
      momentum_ * running_variance_.value.row_vector() + (1.0f - momentum_) * variance;
  trained_batch_ = input.batch();
  return output;
}

Tensor BatchNorm::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, trained_batch_);
  const int64_t rows = output_grad.size() / channels_;
  const auto dy = output_grad.matrix(rows, channels_);
  const auto x_hat = normalized_.matrix(rows, channels_);
  beta_.grad.row_vector() = dy.colwise().sum();
  gamma_.grad.row_vector() = dy.cwiseProduct(x_hat).colwise().sum();
  // With g = dy * gamma: dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), per channel.
  const RowMatrix g = dy.array().rowwise() * gamma_.value.row_vector().array();
  const Eigen::RowVectorXf g_mean = g.colwise().mean();
  const Eigen::RowVectorXf gx_mean = g.cwiseProduct(x_hat).colwise().mean();
  Tensor input_grad(output_grad.shape);
  auto dx = input_grad.matrix(rows, channels_);
  dx = ((g.rowwise() - g_mean).array() - x_hat.array().rowwise() * gx_mean.array()).rowwise() *
       inverse_std_.array();
  return input_grad;
}

ChannelAffine BatchNorm::inference_affine() const {
  ChannelAffine affine;
  affine.scale.resize(static_cast<size_t>(channels_));
  affine.shift.resize(static_cast<size_t>(channels_));
  for (int c = 0; c < channels_; ++c) {
    const float scale =
        gamma_.value.values[c] / std::sqrt(running_variance_.value.values[c] + epsilon_);
    affine.scale[static_cast<size_t>(c)] = scale;
    affine.shift[static_cast<size_t>(c)] =
        beta_.value.values[c] - running_mean_.value.values[c] * scale;
  }
  return affine;
}

void BatchNorm::export_to(ExportGraph& graph, const Fusion&) const {
  const ChannelAffine affine = inference_affine();
  const std::vector<int32_t> shape = graph.current_shape();
  const int32_t scale = graph.add_constant(name_ + "/scale", {channels_}, affine.scale);
  graph.add_op(ir::OpType::kMul, {graph.current(), scale}, name_ + "/scaled", shape,
               ir::ElementwiseOptions{});
  const int32_t shift = graph.add_constant(name_ + "/shift", {channels_}, affine.shift);
  graph.add_op(ir::OpType::kAdd, {graph.current(), shift}, name_, shape, ir::ElementwiseOptions{});
}

}  // namespace kiln::nn
