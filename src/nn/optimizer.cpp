#include "nn/optimizer.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace kiln::nn {

namespace {

// Sizes per-parameter state on the first step and checks the list has not changed since.
void prepare_state(const std::vector<Parameter*>& parameters, std::vector<Eigen::ArrayXf>& state) {
  if (state.empty()) {
    for (const Parameter* p : parameters)
      state.push_back(Eigen::ArrayXf::Zero(p->trainable ? p->value.values.size() : 0));
    return;
  }
  if (state.size() != parameters.size())
    throw Error("optimizer: the parameter list changed between steps");
  for (size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i]->trainable && state[i].size() != parameters[i]->value.values.size())
      throw Error(fmt::format("optimizer: parameter '{}' changed size", parameters[i]->name));
}

void check_grad(const Parameter& p) {
  if (p.grad.values.size() != p.value.values.size())
    throw Error(fmt::format("optimizer: parameter '{}' has no gradient", p.name));
}

}  // namespace

void Sgd::step(const std::vector<Parameter*>& parameters, float learning_rate) {
  prepare_state(parameters, velocity_);
  for (size_t i = 0; i < parameters.size(); ++i) {
    Parameter& p = *parameters[i];
    if (!p.trainable) continue;
    check_grad(p);
    Eigen::ArrayXf& v = velocity_[i];
    v = momentum_ * v + p.grad.values;
    p.value.values -= learning_rate * v;
  }
}

void Adam::step(const std::vector<Parameter*>& parameters, float learning_rate) {
  prepare_state(parameters, first_moment_);
  prepare_state(parameters, second_moment_);
  ++steps_;
  const float correction1 = 1.0f - std::pow(beta1_, static_cast<float>(steps_));
  const float correction2 = 1.0f - std::pow(beta2_, static_cast<float>(steps_));
  for (size_t i = 0; i < parameters.size(); ++i) {
    Parameter& p = *parameters[i];
    if (!p.trainable) continue;
    check_grad(p);
    Eigen::ArrayXf& m = first_moment_[i];
    Eigen::ArrayXf& v = second_moment_[i];
    m = beta1_ * m + (1.0f - beta1_) * p.grad.values;
    v = beta2_ * v + (1.0f - beta2_) * p.grad.values.square();
    p.value.values -= learning_rate * (m / correction1) / ((v / correction2).sqrt() + epsilon_);
  }
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, float momentum) {
  if (name == "adam") return std::make_unique<Adam>();
  if (name == "sgd") return std::make_unique<Sgd>(momentum);
  throw Error(fmt::format("optimizer must be \"adam\" or \"sgd\", got \"{}\"", name));
}

}  // namespace kiln::nn
