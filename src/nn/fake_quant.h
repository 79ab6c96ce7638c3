// Fake quantization for quantization-aware training: float values rounded onto the int8 grid the
// exported model will use and mapped back to float, so training sees the int8 model's rounding
// and clamping while gradients flow as if the rounding were the identity (straight-through).
//
// Activations: the grid of a tensor comes from its range exactly as post-training quantization
// derives it (quant::asymmetric_int8), and values are rounded by the int8 QUANTIZE kernel itself
// (rt::quantize_float_int8). Weights: symmetric int8 as quant::quantize_symmetric_int8 rounds
// them at export.
#pragma once

#include <cstdint>
#include <string>

#include "nn/layer.h"
#include "quant/calibrate.h"

namespace kiln::nn {

// The int8 grid of an asymmetric per-tensor quantized tensor.
struct Int8Grid {
  float scale = 1.0f;
  int32_t zero_point = 0;

  float lowest() const;   // real value of q = -128
  float highest() const;  // real value of q = 127
};

// The grid export gives a tensor whose recorded range is `range`.
Int8Grid activation_grid(const quant::TensorRange& range);

// `values` (n of them) rounded to `grid` as the QUANTIZE kernel rounds, then back to float.
void fake_quantize(const float* values, int64_t n, const Int8Grid& grid, float* out);

// Weights rounded as export quantizes them: symmetric int8 with one scale per index along
// `channel_axis` of `weights.shape`, or one scale for the tensor when it is negative.
Tensor fake_quantize_weights(const Tensor& weights, int32_t channel_axis);

// An identity-shaped layer placed where the exported int8 model has a quantized activation
// tensor. It always records the range of what passes through it in training (the first batch's
// min/max, then an exponential moving average of each batch's min and max), and when active it
// also fake-quantizes, in training and inference alike: forward rounds to the grid of the
// recorded range; backward passes the gradient for values inside the grid's range and zeroes it
// for values that were clamped.
//
// A follower has no range of its own and rounds to its leader's grid: the output of an average
// pool, which the int8 kernel rounds back onto its input's grid.
//
// Export skips the layer; the recorded range goes to the int8 model instead (see qat.h).
class FakeQuant : public Layer {
 public:
  // `tensor` names the exported float tensor whose range this layer records.
  explicit FakeQuant(std::string tensor, float ema_decay = 0.99f);
  // A follower of `leader` (which must outlive it).
  explicit FakeQuant(const FakeQuant* leader);

  std::string_view type() const override { return "fake_quant"; }
  Tensor forward(const Tensor& input, Mode mode) override;
  Tensor backward(const Tensor& output_grad) override;
  // The range as state, so saving and restoring a model's weights keeps it consistent with them.
  std::vector<Parameter*> parameters() override {
    if (leader_ != nullptr) return {};
    return {&range_};
  }
  void export_to(ExportGraph& graph, const Fusion& fusion) const override;

  void set_active(bool active) { active_ = active; }
  bool active() const { return active_; }
  bool is_follower() const { return leader_ != nullptr; }
  const std::string& tensor() const { return tensor_; }
  // The recorded range (a follower's is its leader's); [0, 0] before any training batch.
  quant::TensorRange range() const;
  Int8Grid grid() const { return activation_grid(range()); }

 protected:
  Shape do_build(const Shape& input_shape, Rng& init_rng) override;

 private:
  void observe(const Tensor& input);

  std::string tensor_;
  float ema_decay_ = 0.99f;
  const FakeQuant* leader_ = nullptr;
  bool active_ = false;
  Parameter range_;  // [min, max], not trainable; [0, 0] until the first training batch
  Tensor input_;     // of the last training forward, for the straight-through mask
  bool forward_active_ = false;
  Int8Grid forward_grid_;
};

}  // namespace kiln::nn
