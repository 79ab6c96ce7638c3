// Fully connected layer: y = x W^T + b on each sample flattened to a vector, with W stored as
// [units, inputs] exactly as TFLite's FULLY_CONNECTED wants it.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

class Dense : public Layer {
 public:
  explicit Dense(int units);

  std::string_view type() const override { return "dense"; }
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
  int units_;
  int inputs_ = 0;
  Parameter weights_;  // [units, inputs]
  Parameter bias_;     // [units]
  Tensor input_;       // kept from the training forward
  // Under weight fake quantization: the int8-rounded weights of the last forward.
  bool weight_fake_quant_ = false;
  Tensor quantized_weights_;
};

}  // namespace kiln::nn
