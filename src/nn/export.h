// Export of a trained network to Kiln's IR as a float32 TFLite-style graph: input [1, sample],
// one operator per layer (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D,
// AVERAGE_POOL_2D, RESHAPE, ...), 1-D layers as their 2-D forms on height-1 images, batchnorm
// folded into the conv or dense layer before it, relu/relu6 fused into that operator, dropout
// removed, and a final SOFTMAX giving class probabilities.
#pragma once

#include <string>

#include "ir/model.h"
#include "nn/sequential.h"

namespace kiln::nn {

// Throws kiln::Error if a layer cannot be expressed (none of the built-in layers fails).
ir::Model export_float_model(const Sequential& model, const std::string& description);

}  // namespace kiln::nn
