// Max pooling over [W, C] (1-D) or [H, W, C] (2-D) samples. With SAME padding the window only
// looks at in-range positions, as TFLite's MAX_POOL_2D does. Exported as MAX_POOL_2D.
#pragma once

#include <vector>

#include "nn/layer.h"
#include "nn/window_geometry.h"

namespace kiln::nn {

class MaxPool : public Layer {
 public:
  // `pool`/`strides`: one entry for 1-D, one (square) or two for 2-D; empty strides = pool.
  MaxPool(std::vector<int> pool, std::vector<int> strides, ir::Padding padding);

  std::string_view type() const override;
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  std::vector<int> pool_;
  std::vector<int> strides_;
  ir::Padding padding_;
  WindowGeometry geometry_;
  std::vector<int32_t> argmax_;  // per output element of the last training batch: input offset
  int trained_batch_ = 0;
};

}  // namespace kiln::nn
