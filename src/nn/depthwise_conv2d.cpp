#include "nn/depthwise_conv2d.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/export_graph.h"
#include "nn/fake_quant.h"
#include "nn/fold.h"

namespace kiln::nn {

DepthwiseConv2D::DepthwiseConv2D(std::vector<int> kernel, std::vector<int> strides,
                                 ir::Padding padding, int depth_multiplier)
    : kernel_(std::move(kernel)),
      strides_(std::move(strides)),
      padding_(padding),
      multiplier_(depth_multiplier) {
  if (depth_multiplier < 1)
    throw Error(fmt::format("depthwise_conv2d: depth_multiplier must be positive, got {}",
                            depth_multiplier));
}

Shape DepthwiseConv2D::do_build(const Shape& input_shape, Rng& init_rng) {
  if (input_shape.size() != 3)
    throw Error(fmt::format("{}: a depthwise_conv2d layer takes samples of shape [H, W, C], got {}",
                            name_, shape_text(input_shape)));
  geometry_ = window_geometry_for(input_shape, kernel_, strides_, {1, 1}, padding_, name_);
  const WindowGeometry& g = geometry_;
  out_channels_ = g.channels * multiplier_;
  const Shape kernel_shape{g.window_h, g.window_w, out_channels_};
  weights_ = {name_ + "/weights", Tensor(kernel_shape), Tensor(kernel_shape), true};
  bias_ = {name_ + "/bias", Tensor({out_channels_}), Tensor({out_channels_}), true};
  const int64_t window = static_cast<int64_t>(g.window_h) * g.window_w;
  glorot_uniform(weights_.value, window, window * multiplier_, init_rng);
  return {g.out_h, g.out_w, out_channels_};
}

Tensor DepthwiseConv2D::forward(const Tensor& input, Mode mode) {
  check_input(input);
  const WindowGeometry& g = geometry_;
  const int batch = input.batch();
  Tensor output = Tensor::batch_of(batch, output_shape_);
  // Per output channel (the last axis), as export quantizes DEPTHWISE_CONV_2D filters.
  if (weight_fake_quant_) quantized_weights_ = fake_quantize_weights(weights_.value, 2);
  const float* w = (weight_fake_quant_ ? quantized_weights_ : weights_.value).data();
  const float* bias = bias_.value.data();
  for (int n = 0; n < batch; ++n) {
    const float* image = input.data() + n * input.sample_size();
    float* out = output.data() + n * output.sample_size();
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        float* o = out + (static_cast<int64_t>(oy) * g.out_w + ox) * out_channels_;
        for (int oc = 0; oc < out_channels_; ++oc) o[oc] = bias[oc];
        for (int ky = 0; ky < g.window_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int kx = 0; kx < g.window_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx;
            if (ix < 0 || ix >= g.in_w) continue;
            const float* px = image + (static_cast<int64_t>(iy) * g.in_w + ix) * g.channels;
            const float* tap = w + (ky * g.window_w + kx) * out_channels_;
            for (int c = 0; c < g.channels; ++c)
              for (int j = 0; j < multiplier_; ++j)
                o[c * multiplier_ + j] += px[c] * tap[c * multiplier_ + j];
          }
        }
      }
    }
  }
  if (mode == Mode::kTrain) input_ = input;
  return output;
}

Tensor DepthwiseConv2D::backward(const Tensor& output_grad) {
  const WindowGeometry& g = geometry_;
  const int batch = input_.batch();
  check_output_grad(output_grad, batch);
  weights_.grad.values.setZero();
  bias_.grad.values.setZero();
  Tensor input_grad = Tensor::batch_of(batch, input_shape_);
  const float* w = (weight_fake_quant_ ? quantized_weights_ : weights_.value).data();
  float* dw = weights_.grad.data();
  float* db = bias_.grad.data();
  for (int n = 0; n < batch; ++n) {
    const float* image = input_.data() + n * input_.sample_size();
    float* dimage = input_grad.data() + n * input_grad.sample_size();
    const float* dout = output_grad.data() + n * output_grad.sample_size();
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const float* dy = dout + (static_cast<int64_t>(oy) * g.out_w + ox) * out_channels_;
        for (int oc = 0; oc < out_channels_; ++oc) db[oc] += dy[oc];
        for (int ky = 0; ky < g.window_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int kx = 0; kx < g.window_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx;
            if (ix < 0 || ix >= g.in_w) continue;
            const int64_t pixel = (static_cast<int64_t>(iy) * g.in_w + ix) * g.channels;
            const int tap = (ky * g.window_w + kx) * out_channels_;
            for (int c = 0; c < g.channels; ++c)
              for (int j = 0; j < multiplier_; ++j) {
                const int oc = c * multiplier_ + j;
                dw[tap + oc] += dy[oc] * image[pixel + c];
                dimage[pixel + c] += dy[oc] * w[tap + oc];
              }
          }
        }
      }
    }
  }
  return input_grad;
}

int64_t DepthwiseConv2D::forward_macs() const {
  return static_cast<int64_t>(geometry_.out_positions()) * geometry_.window_h * geometry_.window_w *
         out_channels_;
}

void DepthwiseConv2D::export_to(ExportGraph& graph, const Fusion& fusion) const {
  const WindowGeometry& g = geometry_;
  graph.reshape_to({1, g.in_h, g.in_w, g.channels}, name_ + "/input");
  Tensor weights = weights_.value;
  Tensor bias = bias_.value;
  fold_into_columns(fusion.affine, weights, bias);
  const int32_t w =
      graph.add_constant(name_ + "/weights", {1, g.window_h, g.window_w, out_channels_},
                         std::span<const float>(weights.data(), weights.size()));
  const int32_t b = graph.add_constant(name_ + "/bias", {out_channels_},
                                       std::span<const float>(bias.data(), bias.size()));
  ir::DepthwiseConv2DOptions options;
  options.padding = padding_;
  options.stride_h = g.stride_h;
  options.stride_w = g.stride_w;
  options.depth_multiplier = multiplier_;
  options.activation = fusion.activation;
  graph.add_op(ir::OpType::kDepthwiseConv2D, {graph.current(), w, b}, name_,
               {1, g.out_h, g.out_w, out_channels_}, options);
}

}  // namespace kiln::nn
