#include "nn/average_pool.h"

#include <algorithm>

#include "nn/pool_export.h"

namespace kiln::nn {

AveragePool::AveragePool(std::vector<int> pool, std::vector<int> strides, ir::Padding padding)
    : pool_(std::move(pool)), strides_(std::move(strides)), padding_(padding) {}

std::string_view AveragePool::type() const {
  return input_shape_.size() == 2 ? "average_pool1d" : "average_pool2d";
}

Shape AveragePool::do_build(const Shape& input_shape, Rng&) {
  geometry_ = window_geometry_for(input_shape, pool_, strides_, pool_, padding_, name_);
  const WindowGeometry& g = geometry_;
  if (input_shape.size() == 2) return {g.out_w, g.channels};
  return {g.out_h, g.out_w, g.channels};
}

template <typename Visit>
void AveragePool::for_window(int oy, int ox, Visit&& visit) const {
  const WindowGeometry& g = geometry_;
  const int y0 = oy * g.stride_h - g.pad_top, x0 = ox * g.stride_w - g.pad_left;
  const int y_begin = std::max(y0, 0), y_end = std::min(y0 + g.window_h, g.in_h);
  const int x_begin = std::max(x0, 0), x_end = std::min(x0 + g.window_w, g.in_w);
  const float count = static_cast<float>((y_end - y_begin) * (x_end - x_begin));
  for (int iy = y_begin; iy < y_end; ++iy)
    for (int ix = x_begin; ix < x_end; ++ix)
      visit((static_cast<int64_t>(iy) * g.in_w + ix) * g.channels, count);
}

Tensor AveragePool::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const WindowGeometry& g = geometry_;
  const int batch = input.batch();
  Tensor output = Tensor::batch_of(batch, output_shape_);
  for (int n = 0; n < batch; ++n) {
    const float* image = input.data() + n * input.sample_size();
    float* out = output.data() + n * output.sample_size();
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        float* o = out + (static_cast<int64_t>(oy) * g.out_w + ox) * g.channels;
        float count = 1.0f;
        for_window(oy, ox, [&](int64_t at, float window_count) {
          count = window_count;
          for (int c = 0; c < g.channels; ++c) o[c] += image[at + c];
        });
        for (int c = 0; c < g.channels; ++c) o[c] /= count;
      }
  }
  if (mode == Mode::kTrain) trained_batch_ = batch;
  return output;
}

Tensor AveragePool::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, trained_batch_);
  const WindowGeometry& g = geometry_;
  Tensor input_grad = Tensor::batch_of(trained_batch_, input_shape_);
  for (int n = 0; n < trained_batch_; ++n) {
    const float* dout = output_grad.data() + n * output_grad.sample_size();
    float* dimage = input_grad.data() + n * input_grad.sample_size();
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        const float* dy = dout + (static_cast<int64_t>(oy) * g.out_w + ox) * g.channels;
        for_window(oy, ox, [&](int64_t at, float count) {
          for (int c = 0; c < g.channels; ++c) dimage[at + c] += dy[c] / count;
        });
      }
  }
  return input_grad;
}

void AveragePool::export_to(ExportGraph& graph, const Fusion&) const {
  export_pool(graph, ir::OpType::kAveragePool2D, geometry_, padding_, name_);
}

}  // namespace kiln::nn
