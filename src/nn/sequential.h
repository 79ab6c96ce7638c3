// A feed-forward classifier: layers applied in order, built from a list of LayerSpecs. The
// network computes logits; a trailing softmax layer, if the spec has one, is left to the loss
// during training and applied by predict().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace kiln::nn {

// One layer from its spec (without the spec's "activation", which becomes its own layer).
std::unique_ptr<Layer> make_layer(const LayerSpec& spec, const std::string& where);

class Sequential {
 public:
  // Builds the layers for samples of `input_shape` and initializes every parameter from `seed`.
  // The output must be one logit per class ([classes], classes >= 2). Throws kiln::Error naming
  // the layer on any inconsistency.
  Sequential(const Shape& input_shape, const std::vector<LayerSpec>& specs, uint32_t seed);

  const Shape& input_shape() const { return input_shape_; }
  int num_classes() const { return num_classes_; }
  const std::vector<LayerSpec>& specs() const { return specs_; }
  size_t num_layers() const { return layers_.size(); }
  Layer& layer(size_t i) { return *layers_.at(i); }
  const Layer& layer(size_t i) const { return *layers_.at(i); }
  // Layers that compute the logits: all but a trailing softmax.
  size_t num_logit_layers() const { return logit_layers_; }
  // Inserts `layer`, named `name`, before layer `index` (num_layers() appends). It must give
  // samples of the shape it takes, since the layers after it were built for that shape (fake
  // quantization for quantization-aware training is such a layer). Throws kiln::Error otherwise.
  void insert_layer(size_t index, std::unique_ptr<Layer> layer, const std::string& name);

  // [batch, classes] logits.
  Tensor forward_logits(const Tensor& input, Mode mode);
  // Back-propagates d(loss)/d(logits) of the last training forward, filling every gradient.
  void backward(const Tensor& logits_grad);
  // Class probabilities in inference mode, at most `batch_size` samples at a time.
  Tensor predict(const Tensor& input, int batch_size = 256);

  std::vector<Parameter*> parameters();
  int64_t num_trainable_parameters() const;
  int64_t forward_macs() const;  // per sample
  // One line per layer: name, output shape, parameter count.
  std::string summary() const;

  // Every parameter value, trainable or not, in parameters() order.
  std::vector<Eigen::ArrayXf> state();
  void set_state(const std::vector<Eigen::ArrayXf>& state);

 private:
  Shape input_shape_;
  std::vector<LayerSpec> specs_;
  std::vector<std::unique_ptr<Layer>> layers_;
  size_t logit_layers_ = 0;
  int num_classes_ = 0;
};

}  // namespace kiln::nn
