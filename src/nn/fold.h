// Folding a per-channel affine map (an inference-mode batchnorm) into the weights and bias of
// the layer before it: y*s + t = (W*s) x + (b*s + t), one channel at a time.
#pragma once

#include "nn/layer.h"

namespace kiln::nn {

// `weights` has one row per output channel (dense [units, in], conv [out, kh, kw, in]).
void fold_into_rows(const ChannelAffine* affine, Tensor& weights, Tensor& bias);
// `weights` has the output channel as its last axis (depthwise [kh, kw, channels]).
void fold_into_columns(const ChannelAffine* affine, Tensor& weights, Tensor& bias);

}  // namespace kiln::nn
