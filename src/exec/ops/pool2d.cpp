#include "exec/ops/pool2d.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "exec/ops/conv_family.h"
#include "exec/prepare_util.h"
#include "runtime/average_pool2d.h"
#include "runtime/max_pool2d.h"

namespace kiln::exec {

Pool2DPrepared prepare_pool2d(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kAveragePool2D && op.type != ir::OpType::kMaxPool2D)
    throw Error(fmt::format("{} is not a pooling operator", ir::op_name(op.type)));
  const auto& options = op_options<ir::Pool2DOptions>(op);
  check_arity(op, 1, 1);
  const ir::Tensor& input = required_input(model, op, 0, "input");
  const ir::Tensor& output = single_output(model, op);
  check_rank(input, 4, "input");
  check_rank(output, 4, "output");

  Pool2DPrepared p;
  p.type = op.type;
  p.input_shape = to_shape4(input.shape);
  p.output_shape = to_shape4(output.shape);
  const rt::Shape4& in = p.input_shape;
  const rt::Shape4& out = p.output_shape;
  if (out.n != in.n || out.c != in.c)
    throw Error(fmt::format("output batch x channels {}x{} differ from the input's {}x{}", out.n,
                            out.c, in.n, in.c));
  const rt::Window2D window =
      conv_window(options.padding, options.stride_h, options.stride_w, /*dilation_h=*/1,
                  /*dilation_w=*/1, in, options.filter_h, options.filter_w, out);

  p.dtype = input.dtype;
  if (input.dtype == ir::DType::kFloat32) {
    check_dtype(output, ir::DType::kFloat32, "output");
    const FloatRange range = activation_range_float(options.activation);
    p.float_params.window = window;
    p.float_params.filter_h = options.filter_h;
    p.float_params.filter_w = options.filter_w;
    p.float_params.act_min = range.min;
    p.float_params.act_max = range.max;
  } else if (input.dtype == ir::DType::kInt8) {
    check_dtype(output, ir::DType::kInt8, "output");
    // The kernels pass values through unscaled, so both sides must share their quantization
    // (TFLite allows a scale difference of 1e-6).
    const double scale_difference = std::abs(static_cast<double>(per_tensor_scale(input, "input")) -
                                             per_tensor_scale(output, "output"));
    if (scale_difference > 1.0e-6 ||
        int8_zero_point(input, "input") != int8_zero_point(output, "output"))
      throw Error(fmt::format("input '{}' and output '{}' must have the same scale and zero point",
                              input.name, output.name));
    const QuantizedRange range = activation_range_quantized(options.activation, output);
    p.params.window = window;
    p.params.filter_h = options.filter_h;
    p.params.filter_w = options.filter_w;
    p.params.act_min = range.min;
    p.params.act_max = range.max;
  } else {
    throw Error(fmt::format("input type {} is not supported (int8 or float32)",
                            ir::dtype_name(input.dtype)));
  }
  return p;
}

namespace {

class Pool2DKernel final : public Kernel {
 public:
  Pool2DKernel(const ir::Operator& op, Pool2DPrepared prepared)
      : op_(op), p_(std::move(prepared)) {}

  void run(const TensorMemory& memory) override {
    const int32_t input = op_.inputs[0], output = op_.outputs[0];
    const bool average = p_.type == ir::OpType::kAveragePool2D;
    rt::Status status;
    if (p_.dtype == ir::DType::kFloat32) {
      const float* in = memory.get<const float>(input);
      float* out = memory.get<float>(output);
      status =
          average
              ? rt::average_pool2d_float(p_.float_params, p_.input_shape, in, p_.output_shape, out)
              : rt::max_pool2d_float(p_.float_params, p_.input_shape, in, p_.output_shape, out);
    } else {
      const int8_t* in = memory.get<const int8_t>(input);
      int8_t* out = memory.get<int8_t>(output);
      status = average
                   ? rt::average_pool2d_int8(p_.params, p_.input_shape, in, p_.output_shape, out)
                   : rt::max_pool2d_int8(p_.params, p_.input_shape, in, p_.output_shape, out);
    }
    check_status(status, op_);
  }

 private:
  const ir::Operator& op_;
  Pool2DPrepared p_;
};

}  // namespace

KernelPtr make_pool2d_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<Pool2DKernel>(op, prepare_pool2d(model, op));
}

}  // namespace kiln::exec
