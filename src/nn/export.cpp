#include "nn/export.h"

#include "nn/activations.h"
#include "nn/batch_norm.h"
#include "nn/dropout.h"
#include "nn/export_graph.h"
#include "nn/fake_quant.h"

namespace kiln::nn {

namespace {

// Index of the first layer at or after `i` that is not a dropout (identity at inference) or a
// fake quantization (whose rounding the int8 model does itself).
size_t skip_dropouts(const Sequential& model, size_t i, size_t end) {
  while (i < end && (dynamic_cast<const Dropout*>(&model.layer(i)) != nullptr ||
                     dynamic_cast<const FakeQuant*>(&model.layer(i)) != nullptr))
    ++i;
  return i;
}

}  // namespace

ir::Model export_float_model(const Sequential& model, const std::string& description) {
  ExportGraph graph(model.input_shape(), description);
  const size_t end = model.num_logit_layers();
  size_t i = skip_dropouts(model, 0, end);
  while (i < end) {
    const Layer& layer = model.layer(i);
    size_t next = skip_dropouts(model, i + 1, end);
    Fusion fusion;
    ChannelAffine affine;
    if (layer.accepts_fusion()) {
      if (next < end) {
        if (const auto* bn = dynamic_cast<const BatchNorm*>(&model.layer(next))) {
          affine = bn->inference_affine();
          fusion.affine = &affine;
          next = skip_dropouts(model, next + 1, end);
        }
      }
      if (next < end) {
        if (const auto* act = dynamic_cast<const ClampActivation*>(&model.layer(next))) {
          fusion.activation = act->fused();
          next = skip_dropouts(model, next + 1, end);
        }
      }
    }
    layer.export_to(graph, fusion);
    i = next;
  }
  graph.reshape_to({1, model.num_classes()}, "logits");
  graph.add_op(ir::OpType::kSoftmax, {graph.current()}, "probabilities", {1, model.num_classes()},
               ir::SoftmaxOptions{1.0f});
  return graph.finish();
}

}  // namespace kiln::nn
