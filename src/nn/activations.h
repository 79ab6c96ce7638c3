// Element-wise activations. Export fuses them into the conv or dense operator before them when
// there is one; otherwise they become RELU / RELU6 operators.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

// max(0, x), or min(max(0, x), 6) for ReLU6. The gradient at a kink is taken as 0.
class ClampActivation : public Layer {
 public:
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;
  // The fused-activation code for the operator before this layer.
  ir::Activation fused() const {
    return upper_ > 0.0f ? ir::Activation::kRelu6 : ir::Activation::kRelu;
  }

 protected:
  explicit ClampActivation(float upper) : upper_(upper) {}  // upper <= 0: no upper bound
  Shape do_build(const Shape& input_shape, Rng&) override { return input_shape; }

 private:
  float upper_;
  Tensor input_;
};

class ReLU : public ClampActivation {
 public:
  ReLU() : ClampActivation(0.0f) {}
  std::string_view type() const override { return "relu"; }
};

class ReLU6 : public ClampActivation {
 public:
  ReLU6() : ClampActivation(6.0f) {}
  std::string_view type() const override { return "relu6"; }
};

}  // namespace kiln::nn
