// Mean over all positions of [W, C] or [H, W, C] samples, giving [C]. Exported as an
// AVERAGE_POOL_2D whose window covers the whole image, then a RESHAPE to [1, C].
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

class GlobalAveragePool : public Layer {
 public:
  std::string_view type() const override { return "global_average_pool"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  int positions_ = 0;
  int channels_ = 0;
  int trained_batch_ = 0;
};

}  // namespace kiln::nn
