#include "nn/max_pool.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/pool_export.h"

namespace kiln::nn {

MaxPool::MaxPool(std::vector<int> pool, std::vector<int> strides, ir::Padding padding)
    : pool_(std::move(pool)), strides_(std::move(strides)), padding_(padding) {}

std::string_view MaxPool::type() const {
  return input_shape_.size() == 2 ? "max_pool1d" : "max_pool2d";
}

Shape MaxPool::do_build(const Shape& input_shape, Rng&) {
  geometry_ = window_geometry_for(input_shape, pool_, strides_, pool_, padding_, name_);
  const WindowGeometry& g = geometry_;
  if (input_shape.size() == 2) return {g.out_w, g.channels};
  return {g.out_h, g.out_w, g.channels};
}

Tensor MaxPool::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const WindowGeometry& g = geometry_;
  const int batch = input.batch();
  Tensor output = Tensor::batch_of(batch, output_shape_);
  const bool train = mode == Mode::kTrain;
  if (train) argmax_.assign(static_cast<size_t>(output.size()), 0);
  for (int n = 0; n < batch; ++n) {
    const float* image = input.data() + n * input.sample_size();
    const int64_t out_base = n * output.sample_size();
    for (int oy = 0; oy < g.out_h; ++oy) {
      const int y0 = oy * g.stride_h - g.pad_top;
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int x0 = ox * g.stride_w - g.pad_left;
        for (int c = 0; c < g.channels; ++c) {
          // SAME padding guarantees at least one in-range position per window.
          float best = 0.0f;
          int32_t best_at = -1;
          for (int ky = 0; ky < g.window_h; ++ky) {
            const int iy = y0 + ky;
            if (iy < 0 || iy >= g.in_h) continue;
            for (int kx = 0; kx < g.window_w; ++kx) {
              const int ix = x0 + kx;
              if (ix < 0 || ix >= g.in_w) continue;
              const int32_t at = (iy * g.in_w + ix) * g.channels + c;
              if (best_at < 0 || image[at] > best) {
                best = image[at];
                best_at = at;
              }
            }
          }
          const int64_t o = out_base + (static_cast<int64_t>(oy) * g.out_w + ox) * g.channels + c;
          output.values[o] = best;
          if (train) argmax_[static_cast<size_t>(o)] = best_at;
        }
      }
    }
  }
  if (train) trained_batch_ = batch;
  return output;
}

Tensor MaxPool::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, trained_batch_);
  Tensor input_grad = Tensor::batch_of(trained_batch_, input_shape_);
  const int64_t per_out = output_grad.sample_size(), per_in = input_grad.sample_size();
  for (int n = 0; n < trained_batch_; ++n)
    for (int64_t i = 0; i < per_out; ++i) {
      const int64_t o = n * per_out + i;
      input_grad.values[n * per_in + argmax_[static_cast<size_t>(o)]] += output_grad.values[o];
    }
  return input_grad;
}

void MaxPool::export_to(ExportGraph& graph, const Fusion&) const {
  export_pool(graph, ir::OpType::kMaxPool2D, geometry_, padding_, name_);
}

}  // namespace kiln::nn
