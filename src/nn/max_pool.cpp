#include "nn/max_pool.h"

#include <fmt/format.h>

#include <algorithm>

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
  std::vector<int32_t> best_at(static_cast<size_t>(g.channels));
  for (int n = 0; n < batch; ++n) {
    const float* image = input.data() + n * input.sample_size();
    float* out = output.data() + n * output.sample_size();
    int32_t* argmax = train ? argmax_.data() + n * output.sample_size() : nullptr;
    for (int oy = 0; oy < g.out_h; ++oy) {
      const int y0 = oy * g.stride_h - g.pad_top;
      const int y_begin = std::max(y0, 0), y_end = std::min(y0 + g.window_h, g.in_h);
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int x0 = ox * g.stride_w - g.pad_left;
        const int x_begin = std::max(x0, 0), x_end = std::min(x0 + g.window_w, g.in_w);
        // SAME padding leaves at least one in-range position per window: start from the first
        // and sweep the rest with all channels at once (selects, not branches); ties keep the
        // earlier position.
        const int64_t o = (static_cast<int64_t>(oy) * g.out_w + ox) * g.channels;
        float* best = out + o;
        const int32_t first = (y_begin * g.in_w + x_begin) * g.channels;
        for (int c = 0; c < g.channels; ++c) {
          best[c] = image[first + c];
          best_at[static_cast<size_t>(c)] = first + c;
        }
        for (int iy = y_begin; iy < y_end; ++iy)
          for (int ix = (iy == y_begin ? x_begin + 1 : x_begin); ix < x_end; ++ix) {
            const int32_t at = (iy * g.in_w + ix) * g.channels;
            for (int c = 0; c < g.channels; ++c) {
              const float v = image[at + c];
              const int32_t greater = v > best[c];  // 0 or 1, kept out of branches
              best[c] = std::max(v, best[c]);
              int32_t& where = best_at[static_cast<size_t>(c)];
              where += greater * (at + c - where);
            }
          }
        if (train)
          for (int c = 0; c < g.channels; ++c) argmax[o + c] = best_at[static_cast<size_t>(c)];
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
