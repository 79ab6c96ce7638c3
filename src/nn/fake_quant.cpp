#include "nn/fake_quant.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "quant/quant_params.h"
#include "runtime/quantize.h"

namespace kiln::nn {

float Int8Grid::lowest() const {
  return scale * static_cast<float>(-128 - zero_point);
}

float Int8Grid::highest() const {
  return scale * static_cast<float>(127 - zero_point);
}

Int8Grid activation_grid(const quant::TensorRange& range) {
  const ir::Quantization q = quant::asymmetric_int8(range.min, range.max);
  return {q.scale.at(0), static_cast<int32_t>(q.zero_point.at(0))};
}

void fake_quantize(const float* values, int64_t n, const Int8Grid& grid, float* out) {
  // The kernel works on int32 counts; blocks of a fixed size keep the int8 codes on the stack.
  constexpr int32_t kBlock = 1024;
  int8_t codes[kBlock];
  for (int64_t start = 0; start < n; start += kBlock) {
    const int32_t count = static_cast<int32_t>(std::min<int64_t>(kBlock, n - start));
    const rt::QuantizeFloatParams params{count, grid.scale, grid.zero_point};
    if (rt::quantize_float_int8(params, values + start, codes) != rt::kOk)
      throw Error(fmt::format("fake quantization: invalid grid (scale {}, zero point {})",
                              grid.scale, grid.zero_point));
    // Back to real values as DEQUANTIZE computes them: scale * (q - zero_point).
    for (int32_t i = 0; i < count; ++i)
      out[start + i] = grid.scale * static_cast<float>(codes[i] - grid.zero_point);
  }
}

Tensor fake_quantize_weights(const Tensor& weights, int32_t channel_axis) {
  const std::vector<int32_t> shape(weights.shape.begin(), weights.shape.end());
  const quant::QuantizedWeights q = quant::quantize_symmetric_int8(
      std::span<const float>(weights.data(), static_cast<size_t>(weights.size())), shape,
      channel_axis);
  int64_t channels = 1, inner = 1;
  if (channel_axis >= 0) {
    channels = shape.at(static_cast<size_t>(channel_axis));
    for (size_t d = static_cast<size_t>(channel_axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  } else {
    inner = std::max<int64_t>(weights.size(), 1);
  }
  Tensor out(weights.shape);
  for (int64_t i = 0; i < out.size(); ++i) {
    const float scale = q.quant.scale[static_cast<size_t>((i / inner) % channels)];
    out.values[i] = scale * static_cast<float>(q.values[static_cast<size_t>(i)]);
  }
  return out;
}

FakeQuant::FakeQuant(std::string tensor, float ema_decay)
    : tensor_(std::move(tensor)), ema_decay_(ema_decay) {
  if (!(ema_decay >= 0.0f && ema_decay < 1.0f))
    throw Error(fmt::format("fake quantization: EMA decay must be in [0, 1), got {}", ema_decay));
}

FakeQuant::FakeQuant(const FakeQuant* leader) : leader_(leader) {
  if (leader == nullptr || leader->is_follower())
    throw Error("fake quantization: a follower needs a leader with its own range");
  tensor_ = leader->tensor();
}

Shape FakeQuant::do_build(const Shape& input_shape, Rng&) {
  range_ = {name_ + "/range", Tensor({2}), Tensor(), false};
  return input_shape;
}

quant::TensorRange FakeQuant::range() const {
  if (leader_ != nullptr) return leader_->range();
  if (range_.value.size() != 2) return {};
  return {range_.value.values[0], range_.value.values[1]};
}

void FakeQuant::observe(const Tensor& input) {
  if (input.size() == 0) return;
  const float low = input.values.minCoeff();
  const float high = input.values.maxCoeff();
  if (!std::isfinite(low) || !std::isfinite(high))
    throw Error(fmt::format("{}: non-finite activation while recording ranges", name_));
  float& min = range_.value.values[0];
  float& max = range_.value.values[1];
  if (min == 0.0f && max == 0.0f) {  // nothing recorded yet
    min = low;
    max = high;
    return;
  }
  min = ema_decay_ * min + (1.0f - ema_decay_) * low;
  max = ema_decay_ * max + (1.0f - ema_decay_) * high;
}

Tensor FakeQuant::forward(const Tensor& input, Mode mode) {
  check_input(input);
  if (mode == Mode::kTrain && leader_ == nullptr) observe(input);
  if (mode == Mode::kTrain) forward_active_ = active_;
  if (!active_) {
    if (mode == Mode::kTrain) input_ = Tensor();
    return input;
  }
  const Int8Grid g = grid();
  Tensor output(input.shape);
  fake_quantize(input.data(), input.size(), g, output.data());
  if (mode == Mode::kTrain) {
    input_ = input;
    forward_grid_ = g;
  }
  return output;
}

Tensor FakeQuant::backward(const Tensor& output_grad) {
  if (!forward_active_) return output_grad;
  check_output_grad(output_grad, input_.batch());
  // Straight through: rounding counts as the identity, clamping as a constant.
  const float low = forward_grid_.lowest(), high = forward_grid_.highest();
  Tensor input_grad(output_grad.shape);
  const float* x = input_.data();
  const float* dy = output_grad.data();
  float* dx = input_grad.data();
  for (int64_t i = 0; i < input_grad.size(); ++i)
    dx[i] = dy[i] * static_cast<float>((x[i] >= low) & (x[i] <= high));
  return input_grad;
}

void FakeQuant::export_to(ExportGraph&, const Fusion&) const {}  // the range goes to the int8 pass

}  // namespace kiln::nn
