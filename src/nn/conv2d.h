// 2-D convolution over NHWC samples as an im2col matrix product. The kernel is stored as
// [filters, kh, kw, in_channels], TFLite's CONV_2D filter layout, so that one kernel row is one
// filter and export copies it unchanged.
#pragma once

#include <vector>

#include "nn/layer.h"
#include "nn/window_geometry.h"

namespace kiln::nn {

class Conv2D : public Layer {
 public:
  // `kernel` and `strides`: one entry (square) or two (height, width); empty strides = 1.
  Conv2D(int filters, std::vector<int> kernel, std::vector<int> strides, ir::Padding padding);

  std::string_view type() const override { return "conv2d"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  std::vector<Parameter*> parameters() override { return {&weights_, &bias_}; }
  int64_t forward_macs() const override;
  bool accepts_fusion() const override { return true; }
  void set_weight_fake_quant(bool on) override { weight_fake_quant_ = on; }
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  // Samples are [H, W, C] (spatial_rank 2) or [W, C] (spatial_rank 1, height 1).
  Conv2D(int filters, std::vector<int> kernel, std::vector<int> strides, ir::Padding padding,
         int spatial_rank);
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  int filters_;
  std::vector<int> kernel_;
  std::vector<int> strides_;
  ir::Padding padding_;
  int spatial_rank_;
  WindowGeometry geometry_;
  Parameter weights_;  // [filters, kh, kw, in_channels]
  Parameter bias_;     // [filters]
  Tensor patches_;     // im2col of the last training batch: [batch * out positions, patch size]
  // Under weight fake quantization: the int8-rounded weights of the last forward.
  bool weight_fake_quant_ = false;
  Tensor quantized_weights_;
};

// A 1-D convolution over NWC samples: a Conv2D of height 1. Exported as CONV_2D on the sample
// reshaped to [1, 1, W, C], filter [filters, 1, k, in_channels].
class Conv1D : public Conv2D {
 public:
  Conv1D(int filters, int kernel, int stride, ir::Padding padding)
      : Conv2D(filters, {kernel}, {stride}, padding, 1) {}
  std::string_view type() const override { return "conv1d"; }
};

}  // namespace kiln::nn
