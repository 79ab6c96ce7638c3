#include "exec/ops/depthwise_conv2d.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/host_simd/constant_data.h"
#include "exec/host_simd/depthwise_conv2d_int8.h"
#include "exec/host_simd/host_simd.h"
#include "exec/ops/conv_family.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

DepthwiseConv2DPrepared prepare_depthwise_conv2d(const ir::Model& model, const ir::Operator& op) {
  const auto& options = op_options<ir::DepthwiseConv2DOptions>(op);
  check_arity(op, 2, 3);
  const ir::Tensor& input = required_input(model, op, 0, "input");
  const ir::Tensor& filter = required_input(model, op, 1, "filter");
  const ir::Tensor* bias = model.optional_input(op, 2);
  const ir::Tensor& output = single_output(model, op);
  check_rank(input, 4, "input");
  check_rank(filter, 4, "filter");
  check_rank(output, 4, "output");

  DepthwiseConv2DPrepared p;
  p.input_shape = to_shape4(input.shape);
  p.filter_shape = to_shape4(filter.shape);
  p.output_shape = to_shape4(output.shape);
  const rt::Shape4& in = p.input_shape;
  const rt::Shape4& fs = p.filter_shape;
  const rt::Shape4& out = p.output_shape;
  const int32_t multiplier = options.depth_multiplier;
  if (out.n != in.n)
    throw Error(fmt::format("output batch {} differs from input batch {}", out.n, in.n));
  if (fs.n != 1)
    throw Error(
        fmt::format("filter '{}' must have shape [1, height, width, channels], got "
                    "first dimension {}",
                    filter.name, fs.n));
  if (fs.c != out.c)
    throw Error(fmt::format("output has {} channels but the filter has {}", out.c, fs.c));
  if (multiplier < 1 || static_cast<int64_t>(in.c) * multiplier != out.c)
    throw Error(
        fmt::format("output has {} channels, expected input channels {} x depth multiplier {}",
                    out.c, in.c, multiplier));
  const rt::Window2D window =
      conv_window(options.padding, options.stride_h, options.stride_w, options.dilation_h,
                  options.dilation_w, in, fs.h, fs.w, out);
  p.has_bias = bias != nullptr;
  if (bias && bias->num_elements() != out.c)
    throw Error(fmt::format("bias '{}' has {} elements, expected {} (one per output channel)",
                            bias->name, bias->num_elements(), out.c));

  p.dtype = input.dtype;
  if (input.dtype == ir::DType::kFloat32) {
    check_dtype(filter, ir::DType::kFloat32, "filter");
    check_dtype(output, ir::DType::kFloat32, "output");
    if (bias) check_dtype(*bias, ir::DType::kFloat32, "bias");
    const FloatRange range = activation_range_float(options.activation);
    p.float_params.window = window;
    p.float_params.depth_multiplier = multiplier;
    p.float_params.act_min = range.min;
    p.float_params.act_max = range.max;
  } else if (input.dtype == ir::DType::kInt8 || input.dtype == ir::DType::kInt16) {
    const bool int16 = input.dtype == ir::DType::kInt16;
    check_dtype(filter, ir::DType::kInt8, "filter");
    check_dtype(output, input.dtype, "output");
    // The reference's int16 depthwise kernel reads its bias as int64.
    if (bias) check_dtype(*bias, int16 ? ir::DType::kInt64 : ir::DType::kInt32, "bias");
    // Depthwise filters are quantized along their last (output channel) dimension.
    ChannelRequant requant = channel_requant(input, filter, output, out.c, /*channel_axis=*/3);
    p.output_multiplier = std::move(requant.multiplier);
    p.output_shift = std::move(requant.shift);
    const QuantizedRange range = activation_range_quantized(options.activation, output);
    p.params.window = window;
    p.params.depth_multiplier = multiplier;
    p.params.act_min = range.min;
    p.params.act_max = range.max;
    if (int16) {
      check_int16_quantization(input, "input");
      check_int16_quantization(output, "output");
      check_requant64_shifts(p.output_shift);
    } else {
      p.params.input_offset = -int8_zero_point(input, "input");
      p.params.output_offset = int8_zero_point(output, "output");
    }
  } else {
    throw Error(fmt::format("input type {} is not supported (int8, int16 or float32)",
                            ir::dtype_name(input.dtype)));
  }
  return p;
}

namespace {

class DepthwiseConv2DKernel final : public Kernel {
 public:
  DepthwiseConv2DKernel(const ir::Operator& op, DepthwiseConv2DPrepared prepared,
                        std::unique_ptr<host_simd::DepthwiseConv2DInt8> simd)
      : op_(op), p_(std::move(prepared)), simd_(std::move(simd)) {}

  void run(const TensorMemory& memory) override {
    const int32_t input = op_.inputs[0], filter = op_.inputs[1], output = op_.outputs[0];
    if (simd_) {
      simd_->run(memory.get<const int8_t>(input), memory.get<int8_t>(output));
      return;
    }
    const int32_t bias = p_.has_bias ? op_.inputs[2] : ir::kNoTensor;
    const int32_t* multiplier = p_.output_multiplier.data();
    const int32_t* shift = p_.output_shift.data();
    rt::Status status = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        status = rt::depthwise_conv2d_float(
            p_.float_params, p_.input_shape, memory.get<const float>(input), p_.filter_shape,
            memory.get<const float>(filter), optional_data<float>(memory, bias), p_.output_shape,
            memory.get<float>(output));
        break;
      case ir::DType::kInt8:
        status = rt::depthwise_conv2d_int8(
            p_.params, multiplier, shift, p_.input_shape, memory.get<const int8_t>(input),
            p_.filter_shape, memory.get<const int8_t>(filter), optional_data<int32_t>(memory, bias),
            p_.output_shape, memory.get<int8_t>(output));
        break;
      case ir::DType::kInt16:
        status = rt::depthwise_conv2d_int16x8(
            p_.params, multiplier, shift, p_.input_shape, memory.get<const int16_t>(input),
            p_.filter_shape, memory.get<const int8_t>(filter), optional_data<int64_t>(memory, bias),
            p_.output_shape, memory.get<int16_t>(output));
        break;
      default:
        break;
    }
    check_status(status, op_);
  }

 private:
  const ir::Operator& op_;
  DepthwiseConv2DPrepared p_;
  std::unique_ptr<host_simd::DepthwiseConv2DInt8> simd_;  // int8 on AVX2 hosts, else null
};

}  // namespace

KernelPtr make_depthwise_conv2d_kernel(const ir::Model& model, const ir::Operator& op) {
  DepthwiseConv2DPrepared p = prepare_depthwise_conv2d(model, op);
  std::unique_ptr<host_simd::DepthwiseConv2DInt8> simd;
  if (p.dtype == ir::DType::kInt8 && host_simd::enabled()) {
    // The AVX2 plan packs the filter and bias now, so both must be constants.
    const auto* filter = host_simd::constant_data<int8_t>(model, op.inputs[1]);
    const auto* bias =
        p.has_bias ? host_simd::constant_data<int32_t>(model, op.inputs[2]) : nullptr;
    if (filter && (bias || !p.has_bias))
      simd = host_simd::DepthwiseConv2DInt8::create(p.params, p.output_multiplier.data(),
                                                    p.output_shift.data(), p.input_shape,
                                                    p.filter_shape, filter, bias, p.output_shape);
  }
  return std::make_unique<DepthwiseConv2DKernel>(op, std::move(p), std::move(simd));
}

}  // namespace kiln::exec
