// Depthwise 2-D convolution: each input channel c is convolved with its own `depth_multiplier`
// filters, giving output channels c * multiplier + j. The kernel is stored as
// [kh, kw, channels * multiplier], TFLite's DEPTHWISE_CONV_2D filter without its leading 1.
#pragma once

#include <vector>

#include "nn/layer.h"
#include "nn/window_geometry.h"

namespace kiln::nn {

class DepthwiseConv2D : public Layer {
 public:
  DepthwiseConv2D(std::vector<int> kernel, std::vector<int> strides, ir::Padding padding,
                  int depth_multiplier);

  std::string_view type() const override { return "depthwise_conv2d"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  std::vector<Parameter*> parameters() override { return {&weights_, &bias_}; }
  int64_t forward_macs() const override;
  bool accepts_fusion() const override { return true; }
  void set_weight_fake_quant(bool on) override { weight_fake_quant_ = on; }
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  std::vector<int> kernel_;
  std::vector<int> strides_;
  ir::Padding padding_;
  int multiplier_;
  int out_channels_ = 0;
  WindowGeometry geometry_;
  Parameter weights_;  // [kh, kw, channels * multiplier]
  Parameter bias_;     // [channels * multiplier]
  Tensor input_;
  // Under weight fake quantization: the int8-rounded weights of the last forward.
  bool weight_fake_quant_ = false;
  Tensor quantized_weights_;
};

}  // namespace kiln::nn
