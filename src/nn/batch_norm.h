// Batch normalization over the last (channel) axis. Training normalizes with the batch's mean
// and biased variance and moves the running statistics toward them (running = momentum * running
// + (1 - momentum) * batch, Keras's convention); inference uses the running statistics, which
// makes the layer a per-channel affine map that export folds into the conv or dense before it.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

class BatchNorm : public Layer {
 public:
  explicit BatchNorm(float momentum = 0.99f, float epsilon = 1e-3f);

  std::string_view type() const override { return "batchnorm"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  std::vector<Parameter*> parameters() override {
    return {&gamma_, &beta_, &running_mean_, &running_variance_};
  }
  // Without a conv or dense before it to fold into: MUL and ADD by per-channel constants.
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

  // The inference-mode map y = x * scale + shift per channel.
  ChannelAffine inference_affine() const;

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  float momentum_;
  float epsilon_;
  int channels_ = 0;
  Parameter gamma_, beta_;                     // trainable, [C]
  Parameter running_mean_, running_variance_;  // state, [C]
  Tensor normalized_;                          // x_hat of the last training batch
  Eigen::RowVectorXf inverse_std_;             // 1 / sqrt(batch variance + epsilon)
  int trained_batch_ = 0;
};

}  // namespace kiln::nn
