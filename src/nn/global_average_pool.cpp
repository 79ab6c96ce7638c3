#include "nn/global_average_pool.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/pool_export.h"

namespace kiln::nn {

Shape GlobalAveragePool::do_build(const Shape& input_shape, Rng&) {
  if (input_shape.size() != 2 && input_shape.size() != 3)
    throw Error(fmt::format("{}: expected samples of shape [W, C] or [H, W, C], got {}", name_,
                            shape_text(input_shape)));
  channels_ = input_shape.back();
  positions_ = static_cast<int>(shape_size(input_shape) / channels_);
  return {channels_};
}

Tensor GlobalAveragePool::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const int batch = input.batch();
  Tensor output = Tensor::batch_of(batch, output_shape_);
  for (int n = 0; n < batch; ++n) {
    const auto positions =
        ConstMatrixView(input.data() + n * input.sample_size(), positions_, channels_);
    output.matrix(batch, channels_).row(n) =
        positions.colwise().sum() / static_cast<float>(positions_);
  }
  if (mode == Mode::kTrain) trained_batch_ = batch;
  return output;
}

Tensor GlobalAveragePool::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, trained_batch_);
  Tensor input_grad = Tensor::batch_of(trained_batch_, input_shape_);
  const auto dy = output_grad.matrix(trained_batch_, channels_);
  for (int n = 0; n < trained_batch_; ++n) {
    auto positions =
        MatrixView(input_grad.data() + n * input_grad.sample_size(), positions_, channels_);
    positions.rowwise() = dy.row(n) / static_cast<float>(positions_);
  }
  return input_grad;
}

void GlobalAveragePool::export_to(ExportGraph& graph, const Fusion&) const {
  const int h = input_shape_.size() == 3 ? input_shape_[0] : 1;
  const int w = input_shape_.size() == 3 ? input_shape_[1] : input_shape_[0];
  const WindowGeometry g =
      make_window_geometry(h, w, channels_, h, w, 1, 1, ir::Padding::kValid, name_);
  export_pool(graph, ir::OpType::kAveragePool2D, g, ir::Padding::kValid, name_);
  graph.reshape_to({1, channels_}, name_ + "/flat");
}

}  // namespace kiln::nn
