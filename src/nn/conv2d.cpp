#include "nn/conv2d.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/export_graph.h"
#include "nn/fake_quant.h"
#include "nn/fold.h"

namespace kiln::nn {

Conv2D::Conv2D(int filters, std::vector<int> kernel, std::vector<int> strides, ir::Padding padding)
    : Conv2D(filters, std::move(kernel), std::move(strides), padding, 2) {}

Conv2D::Conv2D(int filters, std::vector<int> kernel, std::vector<int> strides, ir::Padding padding,
               int spatial_rank)
    : filters_(filters),
      kernel_(std::move(kernel)),
      strides_(std::move(strides)),
      padding_(padding),
      spatial_rank_(spatial_rank) {
  if (filters < 1) throw Error(fmt::format("conv: filters must be positive, got {}", filters));
}

Shape Conv2D::do_build(const Shape& input_shape, Rng& init_rng) {
  if (static_cast<int>(input_shape.size()) != spatial_rank_ + 1)
    throw Error(fmt::format("{}: a {} layer takes samples of shape {}, got {}", name_, type(),
                            spatial_rank_ == 1 ? "[W, C]" : "[H, W, C]", shape_text(input_shape)));
  const std::vector<int> unit(static_cast<size_t>(spatial_rank_ == 1 ? 1 : 2), 1);
  geometry_ = window_geometry_for(input_shape, kernel_, strides_, unit, padding_, name_);
  const WindowGeometry& g = geometry_;
  const Shape kernel_shape{filters_, g.window_h, g.window_w, g.channels};
  weights_ = {name_ + "/weights", Tensor(kernel_shape), Tensor(kernel_shape), true};
  bias_ = {name_ + "/bias", Tensor({filters_}), Tensor({filters_}), true};
  const int64_t window = static_cast<int64_t>(g.window_h) * g.window_w;
  glorot_uniform(weights_.value, window * g.channels, window * filters_, init_rng);
  if (spatial_rank_ == 1) return {g.out_w, filters_};
  return {g.out_h, g.out_w, filters_};
}

Tensor Conv2D::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const WindowGeometry& g = geometry_;
  const int batch = input.batch();
  const int64_t rows = static_cast<int64_t>(batch) * g.out_positions();
  Tensor patches({static_cast<int>(rows), g.patch_size()});
  const int64_t image_size = input.sample_size();
  const int64_t patch_block = static_cast<int64_t>(g.out_positions()) * g.patch_size();
  for (int n = 0; n < batch; ++n)
    im2col(g, input.data() + n * image_size, patches.data() + n * patch_block);

  Tensor output = Tensor::batch_of(batch, output_shape_);
  auto y = output.matrix(rows, filters_);
  // Per output channel (axis 0), as export quantizes CONV_2D filters.
  if (weight_fake_quant_) quantized_weights_ = fake_quantize_weights(weights_.value, 0);
  const Tensor& weights = weight_fake_quant_ ? quantized_weights_ : weights_.value;
  y.noalias() =
      patches.matrix(rows, g.patch_size()) * weights.matrix(filters_, g.patch_size()).transpose();
  y.rowwise() += bias_.value.row_vector();
  if (mode == Mode::kTrain) patches_ = std::move(patches);
  return output;
}

Tensor Conv2D::backward(const Tensor& output_grad) {
  const WindowGeometry& g = geometry_;
  const int64_t rows = patches_.batch();
  const int batch = static_cast<int>(rows / g.out_positions());
  check_output_grad(output_grad, batch);
  const auto dy = output_grad.matrix(rows, filters_);
  const auto patches = patches_.matrix(rows, g.patch_size());
  weights_.grad.matrix(filters_, g.patch_size()).noalias() = dy.transpose() * patches;
  bias_.grad.row_vector() = dy.colwise().sum();

  const Tensor& weights = weight_fake_quant_ ? quantized_weights_ : weights_.value;
  RowMatrix patch_grad = dy * weights.matrix(filters_, g.patch_size());
  Tensor input_grad = Tensor::batch_of(batch, input_shape_);
  const int64_t image_size = input_grad.sample_size();
  const int64_t patch_block = static_cast<int64_t>(g.out_positions()) * g.patch_size();
  for (int n = 0; n < batch; ++n)
    col2im_add(g, patch_grad.data() + n * patch_block, input_grad.data() + n * image_size);
  return input_grad;
}

int64_t Conv2D::forward_macs() const {
  return static_cast<int64_t>(geometry_.out_positions()) * geometry_.patch_size() * filters_;
}

void Conv2D::export_to(ExportGraph& graph, const Fusion& fusion) const {
  const WindowGeometry& g = geometry_;
  graph.reshape_to({1, g.in_h, g.in_w, g.channels}, name_ + "/input");
  Tensor weights = weights_.value;
  Tensor bias = bias_.value;
  fold_into_rows(fusion.affine, weights, bias);
  const int32_t w =
      graph.add_constant(name_ + "/weights", {filters_, g.window_h, g.window_w, g.channels},
                         std::span<const float>(weights.data(), weights.size()));
  const int32_t b = graph.add_constant(name_ + "/bias", {filters_},
                                       std::span<const float>(bias.data(), bias.size()));
  ir::Conv2DOptions options;
  options.padding = padding_;
  options.stride_h = g.stride_h;
  options.stride_w = g.stride_w;
  options.activation = fusion.activation;
  graph.add_op(ir::OpType::kConv2D, {graph.current(), w, b}, name_, {1, g.out_h, g.out_w, filters_},
               options);
}

}  // namespace kiln::nn
