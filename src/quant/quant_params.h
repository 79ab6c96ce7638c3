// Quantization parameters as TFLite's int8 scheme defines them: activations asymmetric per tensor
// (real = scale * (q - zero_point), q in [-128, 127], real 0 exactly representable), weights
// symmetric (zero point 0, q in [-127, 127]) per tensor or per channel, and biases int32 with
// scale input_scale * weight_scale.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/model.h"

namespace kiln::quant {

// Scale and zero point for int8 values covering [min, max]. The range is first widened to
// include 0; scale = (max - min) / 255 and the zero point is -128 - min / scale rounded to the
// nearest integer (TFLite's post-training rule, in float). An empty range (min = max = 0) is
// treated as [0, 1] so that the scale stays positive (TFLite would give scale 0). Throws
// kiln::Error for non-finite or inverted bounds.
ir::Quantization asymmetric_int8(float min, float max);

// Symmetric int8 weights: `values` laid out in `shape`, one scale per index along `axis`, or a
// single scale when `axis` is negative. Each scale is max|value| / 127 (1 for an all-zero
// channel), values round half away from zero and clamp to [-127, 127].
struct QuantizedWeights {
  std::vector<int8_t> values;
  ir::Quantization quant;
};
QuantizedWeights quantize_symmetric_int8(std::span<const float> values,
                                         const std::vector<int32_t>& shape, int32_t axis);

// Asymmetric per-tensor int8 for a constant operand (ADD/MUL), using its own min and max.
QuantizedWeights quantize_asymmetric_int8(std::span<const float> values);

// int32 bias for an operator whose input has `input_scale` and whose weights have
// `weight_scales` (one, or one per output channel): scale[c] = input_scale * weight_scale[c],
// zero point 0, values rounded and clamped to [-(2^31 - 1), 2^31 - 1].
struct QuantizedBias {
  std::vector<int32_t> values;
  ir::Quantization quant;
};
QuantizedBias quantize_bias_int32(std::span<const float> values, float input_scale,
                                  const std::vector<float>& weight_scales);

}  // namespace kiln::quant
