#include "nn/qat.h"

#include <fmt/format.h>

#include <memory>

#include "core/error.h"
#include "nn/activations.h"
#include "nn/batch_norm.h"
#include "nn/fake_quant.h"

namespace kiln::nn {

namespace {

// Layers whose int8 form moves values without changing their grid.
bool keeps_grid(const Layer& layer) {
  const std::string_view t = layer.type();
  return t == "max_pool1d" || t == "max_pool2d" || t == "reshape" || t == "flatten" ||
         t == "dropout";
}

// Layers whose int8 kernel averages and rounds back onto the input's grid.
bool averages(const Layer& layer) {
  const std::string_view t = layer.type();
  return t == "average_pool1d" || t == "average_pool2d" || t == "global_average_pool";
}

bool is_dropout(const Layer& layer) {
  return layer.type() == "dropout";
}

size_t skip_dropouts(const Sequential& model, size_t i, size_t end) {
  while (i < end && is_dropout(model.layer(i))) ++i;
  return i;
}

struct Insertion {
  size_t index;  // insert before this layer of the original list
  std::unique_ptr<FakeQuant> layer;
  std::string name;
};

}  // namespace

bool has_fake_quantization(const Sequential& model) {
  for (size_t i = 0; i < model.num_layers(); ++i)
    if (dynamic_cast<const FakeQuant*>(&model.layer(i)) != nullptr) return true;
  return false;
}

void add_fake_quantization(Sequential& model) {
  if (has_fake_quantization(model)) throw Error("qat: the model already has fake quantization");
  // Plan against the original indices (grouping layers exactly as export_float_model fuses
  // them), then insert from the back so those indices stay valid.
  std::vector<Insertion> plan;
  auto input = std::make_unique<FakeQuant>("input");
  const FakeQuant* current = input.get();  // whose grid the tensor flowing at `i` is on
  plan.push_back({0, std::move(input), "input/fake_quant"});
  const size_t end = model.num_logit_layers();
  size_t i = 0;
  while (i < end) {
    const Layer& layer = model.layer(i);
    if (keeps_grid(layer)) {
      ++i;
      continue;
    }
    if (averages(layer)) {
      plan.push_back({i + 1, std::make_unique<FakeQuant>(current), layer.name() + "/fake_quant"});
      ++i;
      continue;
    }
    size_t last = i;  // the last layer export merges into the operator writing this tensor
    if (layer.accepts_fusion()) {
      size_t next = skip_dropouts(model, i + 1, end);
      if (next < end && dynamic_cast<const BatchNorm*>(&model.layer(next)) != nullptr) {
        last = next;
        next = skip_dropouts(model, next + 1, end);
      }
      if (next < end && dynamic_cast<const ClampActivation*>(&model.layer(next)) != nullptr)
        last = next;
    } else if (dynamic_cast<const ClampActivation*>(&layer) == nullptr &&
               dynamic_cast<const BatchNorm*>(&layer) == nullptr) {
      throw Error(
          fmt::format("qat: layer '{}' ({}) is not supported by quantization-aware training",
                      layer.name(), layer.type()));
    }
    // Export names the operator's output after the layer that starts the group.
    auto observer = std::make_unique<FakeQuant>(layer.name());
    current = observer.get();
    plan.push_back({last + 1, std::move(observer), layer.name() + "/fake_quant"});
    i = last + 1;
  }
  for (auto it = plan.rbegin(); it != plan.rend(); ++it)
    model.insert_layer(it->index, std::move(it->layer), it->name);
}

void set_fake_quantization(Sequential& model, bool on) {
  bool found = false;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Layer& layer = model.layer(i);
    if (auto* fq = dynamic_cast<FakeQuant*>(&layer)) {
      fq->set_active(on);
      found = true;
    } else {
      layer.set_weight_fake_quant(on);
    }
  }
  if (!found) throw Error("qat: the model has no fake quantization (add_fake_quantization)");
}

int qat_start_epoch(int epochs) {
  return epochs / 2;
}

std::vector<std::optional<quant::TensorRange>> quantization_ranges(
    const Sequential& model, const ir::Model& float_model,
    std::span<const std::vector<float>> samples) {
  std::vector<std::optional<quant::TensorRange>> ranges =
      samples.empty() ? std::vector<std::optional<quant::TensorRange>>(float_model.tensors.size())
                      : quant::calibrate(float_model, samples);
  for (size_t i = 0; i < model.num_layers(); ++i) {
    const auto* fq = dynamic_cast<const FakeQuant*>(&model.layer(i));
    if (fq == nullptr || fq->is_follower()) continue;
    bool found = false;
    for (size_t t = 0; t < float_model.tensors.size(); ++t) {
      const ir::Tensor& tensor = float_model.tensors[t];
      if (tensor.name == fq->tensor() && !tensor.is_constant()) {
        ranges[t] = fq->range();
        found = true;
        break;
      }
    }
    if (!found)
      throw Error(fmt::format("qat: the exported model has no tensor '{}' for the range of '{}'",
                              fq->tensor(), fq->name()));
  }
  return ranges;
}

}  // namespace kiln::nn
