// Inverted dropout: in training each value is kept with probability 1 - rate and scaled by
// 1 / (1 - rate), so inference is the identity (and export drops the layer). The mask comes from
// the layer's own seeded generator, drawn at build from the model's initialization stream.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

class Dropout : public Layer {
 public:
  explicit Dropout(float rate);

  std::string_view type() const override { return "dropout"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

  // Restarts the mask sequence (tests use it to repeat a mask).
  void reseed(uint32_t seed) { bits_ = SplitMix64(seed); }

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  float rate_;
  SplitMix64 bits_{0};
  Tensor mask_;  // 0 or 1 / (1 - rate) per value of the last training batch
};

}  // namespace kiln::nn
