#include "exec/prepare_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace kiln::exec {

void quantize_multiplier(double real_multiplier, int32_t* multiplier, int* shift) {
  if (real_multiplier == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  const double mantissa = std::frexp(real_multiplier, shift);  // in [0.5, 1)
  auto fixed = static_cast<int64_t>(std::round(mantissa * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {  // rounding carried into the next power of two
    fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    fixed = 0;
  }
  *multiplier = static_cast<int32_t>(fixed);
}

QuantizedRange activation_range_quantized(ir::Activation act, const ir::Tensor& output) {
  int32_t qmin = 0, qmax = 0;
  switch (output.dtype) {
    case ir::DType::kInt8:
      qmin = -128;
      qmax = 127;
      break;
    case ir::DType::kUInt8:
      qmin = 0;
      qmax = 255;
      break;
    case ir::DType::kInt16:
      qmin = -32768;
      qmax = 32767;
      break;
    default:
      throw Error(fmt::format("tensor '{}': no quantized range for type {}", output.name,
                              ir::dtype_name(output.dtype)));
  }
  const float scale = tensor_scale(output);
  const int32_t zp = tensor_zero_point(output);
  // Rounded in float, as the reference computes it.
  auto quantize = [&](float v) { return zp + static_cast<int32_t>(std::round(v / scale)); };
  switch (act) {
    case ir::Activation::kNone:
      return {qmin, qmax};
    case ir::Activation::kRelu:
      return {std::max(qmin, quantize(0.0f)), qmax};
    case ir::Activation::kRelu6:
      return {std::max(qmin, quantize(0.0f)), std::min(qmax, quantize(6.0f))};
    case ir::Activation::kReluN1To1:
      return {std::max(qmin, quantize(-1.0f)), std::min(qmax, quantize(1.0f))};
    default:
      throw Error(fmt::format("fused activation {} is not supported on quantized tensors",
                              ir::activation_name(act)));
  }
}

FloatRange activation_range_float(ir::Activation act) {
  // No clamp is a clamp to the finite float range, as the reference does: an overflow then
  // saturates at FLT_MAX instead of becoming infinity.
  const float lowest = std::numeric_limits<float>::lowest();
  const float highest = std::numeric_limits<float>::max();
  switch (act) {
    case ir::Activation::kNone:
      return {lowest, highest};
    case ir::Activation::kRelu:
      return {0.0f, highest};
    case ir::Activation::kRelu6:
      return {0.0f, 6.0f};
    case ir::Activation::kReluN1To1:
      return {-1.0f, 1.0f};
    default:
      throw Error(fmt::format("fused activation {} is not supported", ir::activation_name(act)));
  }
}

rt::Shape4 to_shape4(const std::vector<int32_t>& shape) {
  if (shape.size() > 4)
    throw Error(fmt::format("rank {} tensors are not supported here", shape.size()));
  int32_t d[4] = {1, 1, 1, 1};
  std::copy(shape.begin(), shape.end(), d + (4 - shape.size()));
  return {d[0], d[1], d[2], d[3]};
}

int32_t conv_output_size(ir::Padding padding, int32_t input, int32_t filter, int32_t stride,
                         int32_t dilation) {
  if (stride <= 0 || dilation <= 0) throw Error("stride and dilation must be positive");
  const int32_t effective_filter = (filter - 1) * dilation + 1;
  if (padding == ir::Padding::kSame) return (input + stride - 1) / stride;
  return std::max(0, (input - effective_filter + stride) / stride);
}

int32_t conv_padding(ir::Padding padding, int32_t input, int32_t filter, int32_t stride,
                     int32_t dilation, int32_t* offset) {
  const int32_t out = conv_output_size(padding, input, filter, stride, dilation);
  const int32_t effective_filter = (filter - 1) * dilation + 1;
  const int32_t total = std::max(0, (out - 1) * stride + effective_filter - input);
  if (offset) *offset = total % 2;
  return total / 2;
}

float tensor_scale(const ir::Tensor& t) {
  if (t.quant.empty())
    throw Error(fmt::format("tensor '{}' has no quantization parameters", t.name));
  return t.quant.scale[0];
}

int32_t tensor_zero_point(const ir::Tensor& t) {
  if (t.quant.empty())
    throw Error(fmt::format("tensor '{}' has no quantization parameters", t.name));
  return static_cast<int32_t>(t.quant.zero_point[0]);
}

}  // namespace kiln::exec
