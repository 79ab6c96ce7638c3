// Reshape and Flatten: the same values under another per-sample shape. Exported as RESHAPE.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

class Reshape : public Layer {
 public:
  // `target` is the per-sample shape; one dimension may be -1 (inferred).
  explicit Reshape(Shape target) : target_(std::move(target)) {}

  std::string_view type() const override { return "reshape"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  Shape target_;
  int trained_batch_ = 0;
};

// Reshape to one dimension.
class Flatten : public Reshape {
 public:
  Flatten() : Reshape({-1}) {}
  std::string_view type() const override { return "flatten"; }
};

}  // namespace kiln::nn
