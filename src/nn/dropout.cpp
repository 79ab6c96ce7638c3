#include "nn/dropout.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace kiln::nn {

Dropout::Dropout(float rate) : rate_(rate) {
  if (!(rate >= 0.0f && rate < 1.0f))
    throw Error(fmt::format("dropout: rate must be in [0, 1), got {}", rate));
}

Shape Dropout::do_build(const Shape& input_shape, Rng& init_rng) {
  bits_ = SplitMix64(init_rng.next_u32());
  return input_shape;
}

Tensor Dropout::forward(const Tensor& input, Mode mode) {
  check_input(input);
  if (mode == Mode::kInference) return input;
  const float keep_scale = 1.0f / (1.0f - rate_);
  // Each 64-bit draw decides four values by its 16-bit quarters, with the rate resolved to
  // 1/65536.
  const uint32_t threshold = static_cast<uint32_t>(std::lround(rate_ * 65536.0f));
  mask_ = Tensor(input.shape);
  float* mask = mask_.data();
  const int64_t n = mask_.size();
  for (int64_t i = 0; i < n; i += 4) {
    const uint64_t bits = bits_.next();
    for (int64_t k = 0; k < 4 && i + k < n; ++k) {
      const uint32_t draw = static_cast<uint32_t>(bits >> (16 * k)) & 0xFFFFu;
      mask[i + k] = keep_scale * static_cast<float>(draw >= threshold);
    }
  }
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
