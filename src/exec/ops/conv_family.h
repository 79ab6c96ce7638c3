// Checks and constants shared by the prepare functions of the convolution family (conv2d,
// depthwise_conv2d, fully_connected, pool2d). Each throws kiln::Error with a one-line message
// naming the tensor's role; make_kernel prefixes the operator name.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"
#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln::exec {

// The typed options of `op`; throws if it carries another kind.
template <class Options>
const Options& op_options(const ir::Operator& op) {
  const auto* options = std::get_if<Options>(&op.options);
  if (!options) throw Error(std::string("operator options are missing or of the wrong kind"));
  return *options;
}

// The data of an optional tensor (bias), or null when `index` is kNoTensor.
template <class T>
const T* optional_data(const TensorMemory& memory, int32_t index) {
  return index == ir::kNoTensor ? nullptr : memory.get<const T>(index);
}

// Checks the operator has between `min` and `max` inputs and exactly one output.
void check_arity(const ir::Operator& op, size_t min_inputs, size_t max_inputs);
// Input `i` of `op`, which must be present.
const ir::Tensor& required_input(const ir::Model& model, const ir::Operator& op, size_t i,
                                 const char* role);
const ir::Tensor& single_output(const ir::Model& model, const ir::Operator& op);

void check_dtype(const ir::Tensor& t, ir::DType want, const char* role);
void check_rank(const ir::Tensor& t, size_t rank, const char* role);

// Scale of a per-tensor quantized tensor, checked positive and finite.
float per_tensor_scale(const ir::Tensor& t, const char* role);
// Zero point of a per-tensor quantized int8 tensor, checked to lie in [-128, 127].
int32_t int8_zero_point(const ir::Tensor& t, const char* role);
// Checks an int16 activation tensor is quantized per tensor with zero point 0, as TFLite's
// int16 kernels assume.
void check_int16_quantization(const ir::Tensor& t, const char* role);
// Checks the shifts suit the 64-bit requantization of int16 kernels with int64 bias (at most
// 14).
void check_requant64_shifts(const std::vector<int32_t>& shifts);

// The sliding window of a convolution or pooling operator under TFLite's padding rule. Throws
// if the output's spatial size is not what the padding, strides and dilations produce.
rt::Window2D conv_window(ir::Padding padding, int32_t stride_h, int32_t stride_w,
                         int32_t dilation_h, int32_t dilation_w, const rt::Shape4& input,
                         int32_t filter_h, int32_t filter_w, const rt::Shape4& output);

// Output requantization of a convolution-like operator, one (multiplier, shift) per output
// channel, as TFLite's PopulateConvolutionQuantizationParams computes it: the real multiplier
// input_scale * filter_scale[c] / output_scale is formed in double from the float scales. A
// single filter scale is broadcast to every channel; several must number `channels` along
// `channel_axis`.
struct ChannelRequant {
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;
};
ChannelRequant channel_requant(const ir::Tensor& input, const ir::Tensor& filter,
                               const ir::Tensor& output, int32_t channels, int32_t channel_axis);

// quantize_multiplier, checking that the shift is one the int8 kernels accept.
void requant_multiplier(double real_multiplier, int32_t* multiplier, int32_t* shift);

}  // namespace kiln::exec
