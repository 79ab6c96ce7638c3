#include "exec/ops/conv2d.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/host_simd/constant_data.h"
#include "exec/host_simd/conv2d_int8.h"
#include "exec/host_simd/host_simd.h"
#include "exec/ops/conv_family.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

Conv2DPrepared prepare_conv2d(const ir::Model& model, const ir::Operator& op) {
  const auto& options = op_options<ir::Conv2DOptions>(op);
  check_arity(op, 2, 3);
  const ir::Tensor& input = required_input(model, op, 0, "input");
  const ir::Tensor& filter = required_input(model, op, 1, "filter");
  const ir::Tensor* bias = model.optional_input(op, 2);
  const ir::Tensor& output = single_output(model, op);
  check_rank(input, 4, "input");
  check_rank(filter, 4, "filter");
  check_rank(output, 4, "output");

  Conv2DPrepared p;
  p.input_shape = to_shape4(input.shape);
  p.filter_shape = to_shape4(filter.shape);
  p.output_shape = to_shape4(output.shape);
  const rt::Shape4& in = p.input_shape;
  const rt::Shape4& fs = p.filter_shape;
  const rt::Shape4& out = p.output_shape;
  if (out.n != in.n)
    throw Error(fmt::format("output batch {} differs from input batch {}", out.n, in.n));
  if (out.c != fs.n)
    throw Error(
        fmt::format("output has {} channels but the filter has {} output channels", out.c, fs.n));
  if (fs.c < 1 || in.c % fs.c != 0)
    throw Error(
        fmt::format("input has {} channels, not a multiple of the filter's {}", in.c, fs.c));
  if (out.c % (in.c / fs.c) != 0)
    throw Error(
        fmt::format("{} output channels cannot be split into {} groups", out.c, in.c / fs.c));
  const rt::Window2D window =
      conv_window(options.padding, options.stride_h, options.stride_w, options.dilation_h,
                  options.dilation_w, in, fs.h, fs.w, out);
  p.has_bias = bias != nullptr;
  if (bias) p.bias_dtype = bias->dtype;
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
    p.float_params.act_min = range.min;
    p.float_params.act_max = range.max;
  } else if (input.dtype == ir::DType::kInt8 || input.dtype == ir::DType::kInt16) {
    const bool int16 = input.dtype == ir::DType::kInt16;
    check_dtype(filter, ir::DType::kInt8, "filter");
    check_dtype(output, input.dtype, "output");
    if (bias && !(bias->dtype == ir::DType::kInt32 || (int16 && bias->dtype == ir::DType::kInt64)))
      throw Error(fmt::format("bias '{}' must be int32{}, got {}", bias->name,
                              int16 ? " or int64" : "", ir::dtype_name(bias->dtype)));
    ChannelRequant requant = channel_requant(input, filter, output, out.c, /*channel_axis=*/0);
    p.output_multiplier = std::move(requant.multiplier);
    p.output_shift = std::move(requant.shift);
    const QuantizedRange range = activation_range_quantized(options.activation, output);
    p.params.window = window;
    p.params.act_min = range.min;
    p.params.act_max = range.max;
    if (int16) {
      check_int16_quantization(input, "input");
      check_int16_quantization(output, "output");
      if (bias && bias->dtype == ir::DType::kInt64) check_requant64_shifts(p.output_shift);
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

class Conv2DKernel final : public Kernel {
 public:
  Conv2DKernel(const ir::Operator& op, Conv2DPrepared prepared,
               std::unique_ptr<host_simd::Conv2DInt8> simd)
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
        status = rt::conv2d_float(p_.float_params, p_.input_shape, memory.get<const float>(input),
                                  p_.filter_shape, memory.get<const float>(filter),
                                  optional_data<float>(memory, bias), p_.output_shape,
                                  memory.get<float>(output));
        break;
      case ir::DType::kInt8:
        status = rt::conv2d_int8(
            p_.params, multiplier, shift, p_.input_shape, memory.get<const int8_t>(input),
            p_.filter_shape, memory.get<const int8_t>(filter), optional_data<int32_t>(memory, bias),
            p_.output_shape, memory.get<int8_t>(output));
        break;
      case ir::DType::kInt16:
        // The reference's arithmetic follows the bias type; no bias takes the 32-bit path.
        status = p_.has_bias && p_.bias_dtype == ir::DType::kInt64
                     ? rt::conv2d_int16x8_bias64(p_.params, multiplier, shift, p_.input_shape,
                                                 memory.get<const int16_t>(input), p_.filter_shape,
                                                 memory.get<const int8_t>(filter),
                                                 optional_data<int64_t>(memory, bias),
                                                 p_.output_shape, memory.get<int16_t>(output))
                     : rt::conv2d_int16x8_bias32(p_.params, multiplier, shift, p_.input_shape,
                                                 memory.get<const int16_t>(input), p_.filter_shape,
                                                 memory.get<const int8_t>(filter),
                                                 optional_data<int32_t>(memory, bias),
                                                 p_.output_shape, memory.get<int16_t>(output));
        break;
      default:
        break;
    }
    check_status(status, op_);
  }

 private:
  const ir::Operator& op_;
  Conv2DPrepared p_;
  std::unique_ptr<host_simd::Conv2DInt8> simd_;  // int8 on AVX2 hosts, else null
};

}  // namespace

KernelPtr make_conv2d_kernel(const ir::Model& model, const ir::Operator& op) {
  Conv2DPrepared p = prepare_conv2d(model, op);
  std::unique_ptr<host_simd::Conv2DInt8> simd;
  if (p.dtype == ir::DType::kInt8 && host_simd::enabled()) {
    // The AVX2 plan packs the filter and bias now, so both must be constants.
    const auto* filter = host_simd::constant_data<int8_t>(model, op.inputs[1]);
    const auto* bias =
        p.has_bias ? host_simd::constant_data<int32_t>(model, op.inputs[2]) : nullptr;
    if (filter && (bias || !p.has_bias))
      simd = host_simd::Conv2DInt8::create(p.params, p.output_multiplier.data(),
                                           p.output_shift.data(), p.input_shape, p.filter_shape,
                                           filter, bias, p.output_shape);
  }
  return std::make_unique<Conv2DKernel>(op, std::move(p), std::move(simd));
}

}  // namespace kiln::exec
