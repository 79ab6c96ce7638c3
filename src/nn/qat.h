// Quantization-aware training (QAT) of a Sequential: where fake quantization goes so that training
// sees the rounding of the int8 model that export_float_model + quant::quantize_model_with_ranges
// produce, switching it on, and handing the recorded ranges to that int8 export.
//
// Schedule (qat_start_epoch): the first half of the epochs trains in float, the second half with
// fake quantization. Ranges recorded from random initial weights are meaningless and the
// rounding slows early learning, whereas fine-tuning a trained float network under quantization
// is the usual and stable recipe; the float half also lets the ranges settle (they are recorded
// from the first epoch on) before they start to matter.
//
// Known approximations: batchnorm trains on batch statistics and is folded into the conv before
// it only at export, so weights are fake-quantized before folding. For per-channel weights
// (conv, depthwise) that is the same rounding as quantizing the folded weights, since scaling a
// channel scales its int8 scale alike; for a dense layer (one scale per tensor) followed by a
// batchnorm it is not. A standalone batchnorm exports as MUL then ADD, and only the ADD output
// gets a trained range; the MUL output keeps a calibrated one. Biases are not fake-quantized
// (int32 with a scale far finer than the activations').
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "ir/model.h"
#include "nn/sequential.h"
#include "quant/calibrate.h"

namespace kiln::nn {

// Inserts inactive FakeQuant layers (which record ranges from then on) wherever the int8 model
// has an activation tensor with a quantization of its own: the model input, the output of every
// conv/dense layer (after the batchnorm and relu/relu6 export fuses into it), and the output of
// a standalone relu, relu6 or batchnorm. An average pool gets a follower that rounds to the grid
// of the tensor it reads, as the int8 kernel does; max pools, reshapes and dropouts keep their
// input's grid exactly and get none. Throws kiln::Error if the model already has fake
// quantization or holds a layer this does not model.
void add_fake_quantization(Sequential& model);

bool has_fake_quantization(const Sequential& model);

// Switches the fake quantization of activations and of conv/dense weights on or off. Throws
// kiln::Error if the model has no FakeQuant layers.
void set_fake_quantization(Sequential& model, bool on);

// The 0-based epoch at which a run of `epochs` epochs switches fake quantization on.
int qat_start_epoch(int epochs);

// Ranges for quant::quantize_model_with_ranges(float_model, ...), where float_model is
// export_float_model(model): calibrate(float_model, samples), with the range of every tensor a
// FakeQuant layer recorded replaced by that range, so that the int8 model's activation scales
// and zero points are the ones training used. `samples` may be empty when no other tensor needs
// a range. Throws kiln::Error if a recorded tensor is missing from `float_model`.
std::vector<std::optional<quant::TensorRange>> quantization_ranges(
    const Sequential& model, const ir::Model& float_model,
    std::span<const std::vector<float>> samples);

}  // namespace kiln::nn
