// Average pooling over [W, C] (1-D) or [H, W, C] (2-D) samples. With SAME padding each window
// averages only its in-range positions (TFLite's AVERAGE_POOL_2D divides by that count, not by
// the window size). Exported as AVERAGE_POOL_2D.
#pragma once

#include <vector>

#include "nn/layer.h"
#include "nn/window_geometry.h"

namespace kiln::nn {

class AveragePool : public Layer {
 public:
  // `pool`/`strides`: one entry for 1-D, one (square) or two for 2-D; empty strides = pool.
  AveragePool(std::vector<int> pool, std::vector<int> strides, ir::Padding padding);

  std::string_view type() const override;
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  // Calls visit(input offset within the sample, number of in-range inputs) for each in-range
  // input of the window at output (oy, ox), channel 0; channel c adds c to the offset.
  template <typename Visit>
  void for_window(int oy, int ox, Visit&& visit) const;

  std::vector<int> pool_;
  std::vector<int> strides_;
  ir::Padding padding_;
  WindowGeometry geometry_;
  int trained_batch_ = 0;
};

}  // namespace kiln::nn
