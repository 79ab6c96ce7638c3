// A layer of a feed-forward network: forward on a batch, backward from the gradient of the loss
// with respect to its output, and its own piece of the exported TFLite graph.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/model.h"
#include "nn/random.h"
#include "nn/tensor.h"

namespace kiln::nn {

class ExportGraph;

enum class Mode { kTrain, kInference };

// A weight tensor and its gradient. Non-trainable state (batchnorm running statistics) is also a
// Parameter, so that saving and restoring a model's state covers it; its grad stays empty.
struct Parameter {
  std::string name;
  Tensor value;
  Tensor grad;
  bool trainable = true;
};

// Per-output-channel y' = y * scale + shift applied to a layer's output at export: how a
// following batchnorm is folded into a conv or dense layer.
struct ChannelAffine {
  std::vector<float> scale;
  std::vector<float> shift;
};

// What the exporter merges into a layer's operator.
struct Fusion {
  const ChannelAffine* affine = nullptr;
  ir::Activation activation = ir::Activation::kNone;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // Spec name ("conv1d", "dense", ...).
  virtual std::string_view type() const = 0;
  // Fixes the layer's geometry for samples of `input_shape`, creates and initializes its
  // parameters from `init_rng`, and returns the per-sample output shape. Throws kiln::Error on a
  // shape the layer cannot take. `name` prefixes the parameter names.
  Shape build(const Shape& input_shape, const std::string& name, Rng& init_rng);

  // Maps a batch; in training mode it also keeps what backward needs.
  virtual Tensor forward(const Tensor& input, Mode mode) = 0;
  // Given d(loss)/d(output) for the batch of the last training forward, stores the parameter
  // gradients (overwriting, not accumulating) and returns d(loss)/d(input).
  virtual Tensor backward(const Tensor& output_grad) = 0;

  virtual std::vector<Parameter*> parameters() { return {}; }
  // Multiply-accumulates of one sample's forward pass (for throughput figures).
  virtual int64_t forward_macs() const { return 0; }

  // Quantization-aware training: when on, forward computes with the weights rounded as the int8
  // export will round them, and their gradient passes straight through to the float weights.
  // Layers without weights ignore it.
  virtual void set_weight_fake_quant(bool /*on*/) {}

  // Whether export can merge a following batchnorm and relu/relu6 into this layer's operator.
  virtual bool accepts_fusion() const { return false; }
  // Appends this layer's operators to `graph`. The default throws: not every layer exports.
  virtual void export_to(ExportGraph& graph, const Fusion& fusion) const;

  const std::string& name() const { return name_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

 protected:
  virtual Shape do_build(const Shape& input_shape, Rng& init_rng) = 0;
  // Throws unless `input` is a batch of this layer's input samples.
  void check_input(const Tensor& input) const;
  // Throws unless `grad` is a batch of this layer's output samples of `batch` samples.
  void check_output_grad(const Tensor& grad, int batch) const;

  std::string name_;
  Shape input_shape_;
  Shape output_shape_;
};

// Glorot/Xavier uniform initialization: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).
void glorot_uniform(Tensor& weights, int64_t fan_in, int64_t fan_out, Rng& rng);

}  // namespace kiln::nn
