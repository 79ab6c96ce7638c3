// Gradient-descent optimizers. Each keeps its per-parameter state in the order of the parameter
// list it is stepped with, so that list must not change between steps. Non-trainable parameters
// (batchnorm statistics) are skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/layer.h"

namespace kiln::nn {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every trainable parameter from its current grad.
  virtual void step(const std::vector<Parameter*>& parameters, float learning_rate) = 0;
};

// Heavy-ball momentum in PyTorch's form: v = momentum * v + g; w -= lr * v.
class Sgd : public Optimizer {
 public:
  explicit Sgd(float momentum = 0.0f) : momentum_(momentum) {}
  void step(const std::vector<Parameter*>& parameters, float learning_rate) override;

 private:
  float momentum_;
  std::vector<Eigen::ArrayXf> velocity_;
};

// Adam (Kingma & Ba) with bias-corrected moments:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr * m_hat / (sqrt(v_hat) + eps),
// m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).
class Adam : public Optimizer {
 public:
  explicit Adam(float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
      : beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {}
  void step(const std::vector<Parameter*>& parameters, float learning_rate) override;

 private:
  float beta1_, beta2_, epsilon_;
  int64_t steps_ = 0;
  std::vector<Eigen::ArrayXf> first_moment_;
  std::vector<Eigen::ArrayXf> second_moment_;
};

// "sgd" or "adam"; throws kiln::Error otherwise.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, float momentum);

}  // namespace kiln::nn
