// Post-training int8 quantization: an IR -> IR pass turning a float32 model (as the training
// engine exports it) into a fully int8 model laid out the way the TFLite converter does it.
//
//   - Activations: int8, asymmetric per tensor, from the ranges calibration records.
//   - CONV_2D filters: symmetric per channel along axis 0; DEPTHWISE_CONV_2D along axis 3;
//     FULLY_CONNECTED weights symmetric per tensor (per channel along axis 0 as an option).
//   - Biases: int32, scale input_scale * weight_scale, zero point 0.
//   - SOFTMAX output: scale 1/256, zero point -128. Pools and RESHAPE keep their input's
//     quantization (the int8 kernels require it). Fused RELU/RELU6 need nothing special: the
//     calibrated output range already reflects them.
//   - Constant operands of ADD/MUL: asymmetric per tensor from their own range.
//   - By default the model keeps float32 inputs and outputs: a QUANTIZE operator first and a
//     DEQUANTIZE operator last, the boundary tensors keeping the original names and the int8
//     tensors inside taking a "_int8" suffix. With `int8_io` the inputs/outputs are int8.
// The result depends only on the model and the calibration data, so equal inputs give
// byte-identical models.
#pragma once

#include <span>
#include <vector>

#include "ir/model.h"
#include "quant/calibrate.h"

namespace kiln::quant {

struct QuantizeOptions {
  bool int8_io = false;                      // int8 model inputs/outputs instead of float32
  bool per_channel_fully_connected = false;  // TFLite's default is per-tensor
};

// Operators the pass knows: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D,
// AVERAGE_POOL_2D, RESHAPE, SOFTMAX, ADD, MUL, RELU, RELU6. Throws kiln::Error for any other
// operator, a non-float32 model, a float constant used where it cannot be quantized, or a
// calibration failure (see calibrate()).
ir::Model quantize_model(const ir::Model& float_model, std::span<const std::vector<float>> samples,
                         const QuantizeOptions& options = {});

// Same, with ranges already recorded by calibrate() (indexed by tensor).
ir::Model quantize_model_with_ranges(const ir::Model& float_model,
                                     const std::vector<std::optional<TensorRange>>& ranges,
                                     const QuantizeOptions& options = {});

}  // namespace kiln::quant
