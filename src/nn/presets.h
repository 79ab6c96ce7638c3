// Named network architectures for `kiln.json`'s "model": {"preset": ...}. Each starts with a
// reshape of the flat feature vector to the DSP block's feature shape and ends with a dense layer
// of one logit per class (export appends the SOFTMAX).
//   conv1d-small  Reshape [frames, coefficients] -> Conv1D(8, k3, relu) -> MaxPool(2) ->
//                 Dropout(0.25) -> Conv1D(16, k3, relu) -> MaxPool(2) -> Dropout(0.25) ->
//                 Flatten -> Dense(classes): the usual keyword-spotting default.
//   conv1d-medium Reshape -> three blocks of Conv1D(32/64/64, k3, same) + BatchNorm + ReLU, the
//   first
//                 two followed by MaxPool(2) -> Dropout(0.3) -> global average pool -> Dense: about
//                 21k parameters; the default for audio (time-shift tolerant through the pooling).
//   conv2d-small  Reshape [H, W, C] -> Conv2D(8, 3x3, relu) -> MaxPool(2x2) ->
//                 Conv2D(16, 3x3, relu) -> MaxPool(2x2) -> Dropout(0.25) -> Flatten -> Dense.
//   dense         Flatten -> Dense(20, relu) -> Dense(10, relu) -> Dense(classes).
//   ds-cnn        MLPerf Tiny's keyword-spotting DS-CNN: Conv2D(64, 10x4, stride 2) + BN + ReLU,
//                 four blocks of depthwise 3x3 + BN + ReLU + pointwise Conv2D(64) + BN + ReLU,
//                 global average pool, Dense.
// Convolutions and pools use SAME padding.
#pragma once

#include <string>
#include <vector>

#include "nn/layer_spec.h"

namespace kiln::nn {

const std::vector<std::string>& preset_names();

// `feature_shape` is the per-sample shape the DSP block produces ([frames, coefficients] for
// audio, [H, W] or [H, W, C] for images, [N] for flat features). Throws kiln::Error for an
// unknown preset or a feature shape it cannot take.
std::vector<LayerSpec> preset_layers(const std::string& name, const Shape& feature_shape,
                                     int num_classes);

}  // namespace kiln::nn
