#include "nn/dropout.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::nn {

Dropout::Dropout(float rate) : rate_(rate) {
  if (!(rate >= 0.0f && rate < 1.0f))
    throw Error(fmt::format("dropout: rate must be in [0, 1), got {}", rate));
}

Shape Dropout::do_build(const Shape& input_shape, Rng& init_rng) {
  rng_ = Rng(init_rng.next_u32());
  return input_shape;
}

Tensor Dropout::forward(const Tensor& input, Mode mode) {
  check_input(input);
  if (mode == Mode::kInference) return input;
  const float keep_scale = 1.0f / (1.0f - rate_);
  mask_ = Tensor(input.shape);
  for (Eigen::Index i = 0; i < mask_.values.size(); ++i)
    mask_.values[i] = rng_.uniform() >= rate_ ? keep_scale : 0.0f;
  Tensor output = input;
  output.values *= mask_.values;
  return output;
}

Tensor Dropout::backward(const Tensor& output_grad) {
  check_output_grad(output_grad, mask_.batch());
  Tensor input_grad = output_grad;
  input_grad.values *= mask_.values;
  return input_grad;
}

void Dropout::export_to(ExportGraph&, const Fusion&) const {}  // identity at inference

}  // namespace kiln::nn
