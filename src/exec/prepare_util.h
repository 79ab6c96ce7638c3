// Helpers for the prepare step: turning IR attributes (float scales, padding modes, fused
// activations) into the integer constants the device kernels take. The host executor calls
// these when a model is loaded; the AOT compiler calls the same functions and emits the results
// as constants, so both produce identical numbers.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/model.h"
#include "runtime/common.h"

namespace kiln::exec {

// Splits a real multiplier into a Q0.31 mantissa and a power-of-two shift (see
// runtime/fixed_point.h). Zero maps to (0, 0); tiny values that would need a shift below -31
// flush to zero, as the reference does.
void quantize_multiplier(double real_multiplier, int32_t* multiplier, int* shift);

struct QuantizedRange {
  int32_t min;
  int32_t max;
};
struct FloatRange {
  float min;
  float max;
};

// Clamp bounds of a fused activation in the quantized domain of `output` (int8/int16/uint8).
QuantizedRange activation_range_quantized(ir::Activation act, const ir::Tensor& output);
// Clamp bounds of a fused activation for float kernels.
FloatRange activation_range_float(ir::Activation act);

// Shape padded with leading 1s to NHWC rank 4; throws kiln::Error for rank > 4.
rt::Shape4 to_shape4(const std::vector<int32_t>& shape);

// Output size of a convolution/pooling window along one axis.
int32_t conv_output_size(ir::Padding padding, int32_t input, int32_t filter, int32_t stride,
                         int32_t dilation);

// Padding before the first element along one axis (TFLite's convention: the smaller half goes
// first); `offset` receives the extra element that goes after when the total is odd.
int32_t conv_padding(ir::Padding padding, int32_t input, int32_t filter, int32_t stride,
                     int32_t dilation, int32_t* offset = nullptr);

// Per-tensor scale and zero point; throws if the tensor has no quantization.
float tensor_scale(const ir::Tensor& t);
int32_t tensor_zero_point(const ir::Tensor& t);

}  // namespace kiln::exec
