#include "exec/ops/conv_family.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "exec/kernel.h"
#include "exec/ops/conv2d.h"
#include "exec/ops/depthwise_conv2d.h"
#include "exec/ops/fully_connected.h"
#include "exec/ops/pool2d.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

KernelPtr make_conv_family_kernel(const ir::Model& model, const ir::Operator& op) {
  switch (op.type) {
    case ir::OpType::kConv2D:
      return make_conv2d_kernel(model, op);
    case ir::OpType::kDepthwiseConv2D:
      return make_depthwise_conv2d_kernel(model, op);
    case ir::OpType::kFullyConnected:
      return make_fully_connected_kernel(model, op);
    case ir::OpType::kAveragePool2D:
    case ir::OpType::kMaxPool2D:
      return make_pool2d_kernel(model, op);
    default:
      return nullptr;
  }
}

void check_arity(const ir::Operator& op, size_t min_inputs, size_t max_inputs) {
  if (op.inputs.size() < min_inputs || op.inputs.size() > max_inputs) {
    const std::string expected = min_inputs == max_inputs
                                     ? fmt::format("{}", min_inputs)
                                     : fmt::format("{} to {}", min_inputs, max_inputs);
    throw Error(fmt::format("expected {} inputs, got {}", expected, op.inputs.size()));
  }
  if (op.outputs.size() != 1)
    throw Error(fmt::format("expected 1 output, got {}", op.outputs.size()));
}

const ir::Tensor& required_input(const ir::Model& model, const ir::Operator& op, size_t i,
                                 const char* role) {
  const ir::Tensor* t = model.optional_input(op, i);
  if (!t) throw Error(fmt::format("{} (input {}) is missing", role, i));
  return *t;
}

const ir::Tensor& single_output(const ir::Model& model, const ir::Operator& op) {
  return model.tensor(op.outputs.at(0));
}

void check_dtype(const ir::Tensor& t, ir::DType want, const char* role) {
  if (t.dtype != want)
    throw Error(fmt::format("{} '{}' must be {}, got {}", role, t.name, ir::dtype_name(want),
                            ir::dtype_name(t.dtype)));
}

void check_rank(const ir::Tensor& t, size_t rank, const char* role) {
  if (t.shape.size() != rank)
    throw Error(fmt::format("{} '{}' must have rank {}, got shape [{}]", role, t.name, rank,
                            fmt::join(t.shape, "x")));
}

float per_tensor_scale(const ir::Tensor& t, const char* role) {
  if (t.quant.empty())
    throw Error(fmt::format("{} '{}' has no quantization parameters", role, t.name));
  if (t.quant.per_channel())
    throw Error(fmt::format("{} '{}' must be quantized per tensor, has {} scales", role, t.name,
                            t.quant.scale.size()));
  const float scale = t.quant.scale[0];
  if (!(scale > 0.0f) || !std::isfinite(scale))
    throw Error(fmt::format("{} '{}' has invalid scale {}", role, t.name, scale));
  return scale;
}

int32_t int8_zero_point(const ir::Tensor& t, const char* role) {
  per_tensor_scale(t, role);
  const int64_t zero_point = t.quant.zero_point[0];
  if (zero_point < -128 || zero_point > 127)
    throw Error(
        fmt::format("{} '{}' has zero point {}, outside the int8 range", role, t.name, zero_point));
  return static_cast<int32_t>(zero_point);
}

void check_int16_quantization(const ir::Tensor& t, const char* role) {
  per_tensor_scale(t, role);
  if (t.quant.zero_point[0] != 0)
    throw Error(fmt::format("{} '{}' is int16 with zero point {}; int16 needs zero point 0", role,
                            t.name, t.quant.zero_point[0]));
}

void check_requant64_shifts(const std::vector<int32_t>& shifts) {
  for (int32_t shift : shifts)
    if (shift > 14)
      throw Error(fmt::format("requantization shift {} is too large for 64-bit bias", shift));
}

rt::Window2D conv_window(ir::Padding padding, int32_t stride_h, int32_t stride_w,
                         int32_t dilation_h, int32_t dilation_w, const rt::Shape4& input,
                         int32_t filter_h, int32_t filter_w, const rt::Shape4& output) {
  if (filter_h < 1 || filter_w < 1)
    throw Error(fmt::format("filter size {}x{} must be positive", filter_h, filter_w));
  const int32_t out_h = conv_output_size(padding, input.h, filter_h, stride_h, dilation_h);
  const int32_t out_w = conv_output_size(padding, input.w, filter_w, stride_w, dilation_w);
  if (output.h != out_h || output.w != out_w)
    throw Error(fmt::format(
        "output is {}x{} (height x width) but {} padding of a {}x{} input with a {}x{} window, "
        "strides {}x{} and dilations {}x{} gives {}x{}",
        output.h, output.w, padding == ir::Padding::kSame ? "SAME" : "VALID", input.h, input.w,
        filter_h, filter_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w));
  rt::Window2D window{};
  window.stride_h = stride_h;
  window.stride_w = stride_w;
  window.dilation_h = dilation_h;
  window.dilation_w = dilation_w;
  window.pad_h = conv_padding(padding, input.h, filter_h, stride_h, dilation_h);
  window.pad_w = conv_padding(padding, input.w, filter_w, stride_w, dilation_w);
  return window;
}

void requant_multiplier(double real_multiplier, int32_t* multiplier, int32_t* shift) {
  int exponent = 0;
  quantize_multiplier(real_multiplier, multiplier, &exponent);
  if (exponent > 30)
    throw Error(fmt::format("requantization multiplier {} is too large", real_multiplier));
  *shift = exponent;
}

ChannelRequant channel_requant(const ir::Tensor& input, const ir::Tensor& filter,
                               const ir::Tensor& output, int32_t channels, int32_t channel_axis) {
  if (filter.quant.empty())
    throw Error(fmt::format("filter '{}' has no quantization parameters", filter.name));
  const size_t scales = filter.quant.scale.size();
  if (scales != 1 && scales != static_cast<size_t>(channels))
    throw Error(fmt::format("filter '{}' has {} scales, expected 1 or {} (one per output channel)",
                            filter.name, scales, channels));
  if (scales > 1 && filter.quant.axis != channel_axis)
    throw Error(fmt::format("filter '{}' is quantized along axis {}, expected axis {}", filter.name,
                            filter.quant.axis, channel_axis));
  const double input_scale = per_tensor_scale(input, "input");
  const double output_scale = per_tensor_scale(output, "output");
  ChannelRequant requant;
  requant.multiplier.resize(static_cast<size_t>(channels));
  requant.shift.resize(static_cast<size_t>(channels));
  for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
    const float filter_scale = filter.quant.scale[scales == 1 ? 0 : c];
    if (!(filter_scale >= 0.0f) || !std::isfinite(filter_scale))
      throw Error(fmt::format("filter '{}' has invalid scale {} for channel {}", filter.name,
                              filter_scale, c));
    // Each factor widened to double before multiplying, as the reference does.
    const double real_multiplier = input_scale * static_cast<double>(filter_scale) / output_scale;
    requant_multiplier(real_multiplier, &requant.multiplier[c], &requant.shift[c]);
  }
  return requant;
}

}  // namespace kiln::exec
