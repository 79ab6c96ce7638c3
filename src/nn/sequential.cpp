#include "nn/sequential.h"

#include <fmt/format.h>

#include <map>

#include "core/error.h"
#include "nn/activations.h"
#include "nn/average_pool.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/depthwise_conv2d.h"
#include "nn/dropout.h"
#include "nn/global_average_pool.h"
#include "nn/max_pool.h"
#include "nn/reshape.h"
#include "nn/softmax.h"
#include "nn/window_geometry.h"

namespace kiln::nn {

std::unique_ptr<Layer> make_layer(const LayerSpec& s, const std::string& where) {
  const std::string& t = s.type;
  if (t == "dense") return std::make_unique<Dense>(s.units);
  if (t == "conv1d" || t == "conv2d" || t == "depthwise_conv2d") {
    if (s.kernel.empty()) throw Error(fmt::format("{}.kernel: required for a {} layer", where, t));
    const ir::Padding padding = parse_padding(s.padding, where + ".padding");
    if (t == "conv2d") return std::make_unique<Conv2D>(s.filters, s.kernel, s.strides, padding);
    if (t == "depthwise_conv2d")
      return std::make_unique<DepthwiseConv2D>(s.kernel, s.strides, padding, s.depth_multiplier);
    if (s.kernel.size() != 1 || s.strides.size() > 1)
      throw Error(fmt::format("{}: a conv1d layer takes one kernel size and stride", where));
    return std::make_unique<Conv1D>(s.filters, s.kernel[0], s.strides.empty() ? 1 : s.strides[0],
                                    padding);
  }
  if (t == "max_pool1d" || t == "max_pool2d" || t == "average_pool1d" || t == "average_pool2d") {
    if (s.pool.empty()) throw Error(fmt::format("{}.pool: required for a {} layer", where, t));
    const ir::Padding padding = parse_padding(s.padding, where + ".padding");
    if (t.starts_with("max")) return std::make_unique<MaxPool>(s.pool, s.strides, padding);
    return std::make_unique<AveragePool>(s.pool, s.strides, padding);
  }
  if (t == "global_average_pool") return std::make_unique<GlobalAveragePool>();
  if (t == "flatten") return std::make_unique<Flatten>();
  if (t == "reshape") return std::make_unique<Reshape>(s.shape);
  if (t == "dropout") return std::make_unique<Dropout>(s.rate);
  if (t == "batchnorm") return std::make_unique<BatchNorm>(s.momentum, s.epsilon);
  if (t == "relu") return std::make_unique<ReLU>();
  if (t == "relu6") return std::make_unique<ReLU6>();
  if (t == "softmax") return std::make_unique<Softmax>();
  throw Error(fmt::format("{}.type: unknown layer type \"{}\"", where, t));
}

Sequential::Sequential(const Shape& input_shape, const std::vector<LayerSpec>& specs, uint32_t seed)
    : input_shape_(input_shape), specs_(specs) {
  if (specs.empty()) throw Error("model: the layer list is empty");
  Rng init_rng(seed);
  std::map<std::string, int> used;  // names as Keras gives them: conv1d, conv1d_1, ...
  auto name_for = [&](const std::string& type) {
    const int n = used[type]++;
    return n == 0 ? type : fmt::format("{}_{}", type, n);
  };
  Shape shape = input_shape;
  auto add = [&](std::unique_ptr<Layer> layer, const std::string& type, const std::string& where) {
    try {
      shape = layer->build(shape, name_for(type), init_rng);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", where, e.what()));
    }
    // Pools take their dimensionality from the input; the spec must agree with it.
    if (layer->type() != type)
      throw Error(fmt::format("{}: a {} layer cannot take samples of shape {}", where, type,
                              shape_text(layer->input_shape())));
    layers_.push_back(std::move(layer));
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string where = fmt::format("model.layers[{}]", i);
    add(make_layer(specs[i], where), specs[i].type, where);
    const std::string& activation = specs[i].activation;
    if (!activation.empty()) {
      if (activation != "relu" && activation != "relu6" && activation != "softmax")
        throw Error(fmt::format("{}.activation: unknown activation \"{}\"", where, activation));
      LayerSpec act;
      act.type = activation;
      add(make_layer(act, where), activation, where);
    }
  }
  logit_layers_ = layers_.size();
  if (layers_.back()->type() == "softmax") --logit_layers_;
  const Shape& logits =
      logit_layers_ > 0 ? layers_[logit_layers_ - 1]->output_shape() : input_shape;
  if (logits.size() != 1 || logits[0] < 2)
    throw Error(
        fmt::format("model: the last layer must give one value per class (2 or more), "
                    "got samples of shape {}",
                    shape_text(logits)));
  num_classes_ = logits[0];
}

void Sequential::insert_layer(size_t index, std::unique_ptr<Layer> layer, const std::string& name) {
  if (index > layers_.size())
    throw Error(fmt::format("model: cannot insert at layer {} of {}", index, layers_.size()));
  const Shape shape = index == 0 ? input_shape_ : layers_[index - 1]->output_shape();
  Rng unused(0);  // the layers meant here draw nothing at initialization
  if (layer->build(shape, name, unused) != shape)
    throw Error(
        fmt::format("model: inserted layer '{}' changes the shape {}", name, shape_text(shape)));
  layers_.insert(layers_.begin() + static_cast<std::ptrdiff_t>(index), std::move(layer));
  if (index <= logit_layers_) ++logit_layers_;
}

Tensor Sequential::forward_logits(const Tensor& input, Mode mode) {
  check_batch_shape(input, input_shape_, "model input");
  Tensor x = input;
  for (size_t i = 0; i < logit_layers_; ++i) x = layers_[i]->forward(x, mode);
  return x;
}

void Sequential::backward(const Tensor& logits_grad) {
  Tensor grad = logits_grad;
  for (size_t i = logit_layers_; i-- > 0;) grad = layers_[i]->backward(grad);
}

Tensor Sequential::predict(const Tensor& input, int batch_size) {
  check_batch_shape(input, input_shape_, "model input");
  if (batch_size < 1) throw Error("predict: batch size must be positive");
  const int total = input.batch();
  Tensor probabilities({total, num_classes_});
  const int64_t sample = input.sample_size();
  for (int start = 0; start < total; start += batch_size) {
    const int n = std::min(batch_size, total - start);
    Tensor batch = Tensor::batch_of(n, input_shape_);
    batch.values = input.values.segment(start * sample, n * sample);
    const Tensor logits = forward_logits(batch, Mode::kInference);
    Tensor p({n, num_classes_});
    softmax_rows(logits.matrix(n, num_classes_), p.matrix(n, num_classes_));
    probabilities.values.segment(static_cast<int64_t>(start) * num_classes_,
                                 static_cast<int64_t>(n) * num_classes_) = p.values;
  }
  return probabilities;
}

std::vector<Parameter*> Sequential::parameters() {
  std::vector<Parameter*> all;
  for (auto& layer : layers_)
    for (Parameter* p : layer->parameters()) all.push_back(p);
  return all;
}

int64_t Sequential::num_trainable_parameters() const {
  int64_t n = 0;
  for (const auto& layer : layers_)
    for (const Parameter* p : layer->parameters())
      if (p->trainable) n += p->value.size();
  return n;
}

int64_t Sequential::forward_macs() const {
  int64_t n = 0;
  for (const auto& layer : layers_) n += layer->forward_macs();
  return n;
}

std::string Sequential::summary() const {
  std::string text = fmt::format("{:<24} {:<16} {:>10}\n", "layer", "output", "parameters");
  text += fmt::format("{:<24} {:<16} {:>10}\n", "input", shape_text(input_shape_), "");
  for (const auto& layer : layers_) {
    int64_t count = 0;
    for (const Parameter* p : layer->parameters())
      if (p->trainable) count += p->value.size();
    text += fmt::format("{:<24} {:<16} {:>10}\n", layer->name(), shape_text(layer->output_shape()),
                        count);
  }
  text += fmt::format("trainable parameters: {}\n", num_trainable_parameters());
  return text;
}

std::vector<Eigen::ArrayXf> Sequential::state() {
  std::vector<Eigen::ArrayXf> values;
  for (Parameter* p : parameters()) values.push_back(p->value.values);
  return values;
}

void Sequential::set_state(const std::vector<Eigen::ArrayXf>& state) {
  const std::vector<Parameter*> params = parameters();
  if (state.size() != params.size())
    throw Error(
        fmt::format("model: state has {} tensors, the model {}", state.size(), params.size()));
  for (size_t i = 0; i < params.size(); ++i) {
    if (state[i].size() != params[i]->value.values.size())
      throw Error(fmt::format("model: state for '{}' has {} values, expected {}", params[i]->name,
                              state[i].size(), params[i]->value.values.size()));
    params[i]->value.values = state[i];
  }
}

}  // namespace kiln::nn
