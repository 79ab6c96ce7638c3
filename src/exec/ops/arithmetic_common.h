// Checks and conversions shared by the prepare steps of the arithmetic family (ADD, SUB, MUL,
// SOFTMAX, LOGISTIC, TANH, LEAKY_RELU, QUANTIZE, DEQUANTIZE, MEAN). Every failure throws
// kiln::Error with a one-line message that starts with the operator's name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/add.h"
#include "runtime/broadcast.h"

namespace kiln::exec {

// Throws unless `op` has exactly `inputs` present inputs and `outputs` outputs.
void require_io(const ir::Operator& op, size_t inputs, size_t outputs, std::string_view name);

// Per-tensor quantization of a quantized tensor, validated: one scale, positive and finite, and a
// zero point within the range of the tensor's type.
struct TensorQuant {
  float scale;
  int32_t zero_point;
};
TensorQuant tensor_quant(const ir::Tensor& t, std::string_view name);

// Element count of `t` as int32; throws if it does not fit.
int32_t element_count(const ir::Tensor& t, std::string_view name);

// Throws unless `t` has type `want`.
void require_dtype(const ir::Tensor& t, ir::DType want, std::string_view name);

// Throws unless `a` and `b` hold the same number of elements.
void require_same_size(const ir::Tensor& a, const ir::Tensor& b, std::string_view name);

// The fused activation of ADD/SUB/MUL (none when the operator carries no options).
ir::Activation elementwise_activation(const ir::Operator& op);

// Float clamp bounds of a fused activation. "No bound" is the largest finite float, as in TFLM,
// so that an infinite result is clamped just as the reference clamps it.
rt::FloatActivationParams float_activation(ir::Activation act);

// Broadcast indexing of a two-input elementwise operator; throws if the inputs do not broadcast
// or the output shape is not the broadcast shape.
rt::BroadcastShape broadcast_operands(const ir::Tensor& input1, const ir::Tensor& input2,
                                      const ir::Tensor& output, std::string_view name);

// Scaling of a centred int8 input into Q4.27 for LOGISTIC and TANH, as TFLM computes it:
// input_scale * 2^27 split by frexp into a Q0.31 mantissa and a left shift, and the radius
// floor(15 * 2^27 / 2^shift) beyond which the function saturates.
struct Q4InputScaling {
  int32_t multiplier;
  int32_t left_shift;
  int32_t range_radius;
};
Q4InputScaling q4_input_scaling(float input_scale, std::string_view name);

// "[1x2x3]" text of a shape for messages.
std::string shape_string(const std::vector<int32_t>& shape);

// Typed pointer to a tensor's memory during a run.
template <typename T>
T* tensor_data(const TensorMemory& memory, int32_t index) {
  return memory.get<T>(index);
}

}  // namespace kiln::exec
