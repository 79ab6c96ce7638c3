// Softmax over the last axis. In a classifier the final softmax is merged with the loss during
// training (softmax_cross_entropy takes logits), and export always ends with a SOFTMAX operator;
// a softmax layer elsewhere is an ordinary layer with its own backward pass.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

// Row-wise softmax of a [rows, classes] matrix, shifted by the row maximum for stability.
void softmax_rows(ConstMatrixView logits, MatrixView probabilities);

class Softmax : public Layer {
 public:
  std::string_view type() const override { return "softmax"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

 protected:
  Shape do_build(const Shape& input_shape, Rng&) override { return input_shape; }

 private:
  Tensor output_;  // probabilities of the last training batch
};

}  // namespace kiln::nn
