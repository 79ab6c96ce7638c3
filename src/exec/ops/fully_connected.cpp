#include "exec/ops/fully_connected.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "exec/host_simd/constant_data.h"
#include "exec/host_simd/fully_connected_int8.h"
#include "exec/host_simd/host_simd.h"
#include "exec/ops/conv_family.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

// Per-tensor requantization as TFLite's GetQuantizedConvolutionMultipler computes it: the
// product input_scale * filter_scale is rounded to float before widening to double. It also
// refuses a bias whose scale strays from that product by more than 2% of the output scale.
void per_tensor_requant(const ir::Tensor& input, const ir::Tensor& filter, const ir::Tensor* bias,
                        const ir::Tensor& output, int32_t* multiplier, int32_t* shift) {
  const float input_scale = per_tensor_scale(input, "input");
  const float filter_scale = per_tensor_scale(filter, "filter");
  const float output_scale = per_tensor_scale(output, "output");
  if (bias) {
    const double bias_scale = bias->quant.empty() ? 0.0 : bias->quant.scale[0];
    const double product = static_cast<double>(input_scale) * static_cast<double>(filter_scale);
    if (std::abs(product - bias_scale) / static_cast<double>(output_scale) > 0.02)
      throw Error(fmt::format("bias '{}' scale {} does not match input scale x filter scale = {}",
                              bias->name, bias_scale, product));
  }
  const double product = static_cast<double>(input_scale * filter_scale);
  requant_multiplier(product / static_cast<double>(output_scale), multiplier, shift);
}

}  // namespace

FullyConnectedPrepared prepare_fully_connected(const ir::Model& model, const ir::Operator& op) {
  const auto& options = op_options<ir::FullyConnectedOptions>(op);
  check_arity(op, 2, 3);
  const ir::Tensor& input = required_input(model, op, 0, "input");
  const ir::Tensor& filter = required_input(model, op, 1, "filter");
  const ir::Tensor* bias = model.optional_input(op, 2);
  const ir::Tensor& output = single_output(model, op);
  check_rank(filter, 2, "filter");

  FullyConnectedPrepared p;
  rt::FullyConnectedDims& dims = p.dims;
  dims.output_depth = filter.shape[0];
  dims.input_depth = filter.shape[1];
  if (dims.output_depth < 1 || dims.input_depth < 1)
    throw Error(fmt::format("filter '{}' has an empty dimension", filter.name));
  const int64_t input_elements = input.num_elements();
  if (input_elements < 1 || input_elements % dims.input_depth != 0)
    throw Error(fmt::format("input '{}' has {} elements, not a multiple of the filter's {} columns",
                            input.name, input_elements, dims.input_depth));
  dims.batches = static_cast<int32_t>(input_elements / dims.input_depth);
  if (output.shape.empty() || output.shape.back() != dims.output_depth ||
      output.num_elements() != static_cast<int64_t>(dims.batches) * dims.output_depth)
    throw Error(fmt::format("output '{}' must hold {} rows of {} values (the filter's rows)",
                            output.name, dims.batches, dims.output_depth));
  p.has_bias = bias != nullptr;
  if (bias) p.bias_dtype = bias->dtype;
  if (bias && bias->num_elements() != dims.output_depth)
    throw Error(fmt::format("bias '{}' has {} elements, expected {} (one per output channel)",
                            bias->name, bias->num_elements(), dims.output_depth));

  p.dtype = input.dtype;
  if (input.dtype == ir::DType::kFloat32) {
    check_dtype(filter, ir::DType::kFloat32, "filter");
    check_dtype(output, ir::DType::kFloat32, "output");
    if (bias) check_dtype(*bias, ir::DType::kFloat32, "bias");
    const FloatRange range = activation_range_float(options.activation);
    p.float_params.act_min = range.min;
    p.float_params.act_max = range.max;
  } else if (input.dtype == ir::DType::kInt8 || input.dtype == ir::DType::kInt16) {
    const bool int16 = input.dtype == ir::DType::kInt16;
    check_dtype(filter, ir::DType::kInt8, "filter");
    check_dtype(output, input.dtype, "output");
    if (bias && !(bias->dtype == ir::DType::kInt32 || (int16 && bias->dtype == ir::DType::kInt64)))
      throw Error(fmt::format("bias '{}' must be int32{}, got {}", bias->name,
                              int16 ? " or int64" : "", ir::dtype_name(bias->dtype)));
    if (filter.quant.empty())
      throw Error(fmt::format("filter '{}' has no quantization parameters", filter.name));
    p.params.per_channel = filter.quant.per_channel();
    if (p.params.per_channel) {
      // Per-channel weights are symmetric: the reference ignores their zero points.
      ChannelRequant requant =
          channel_requant(input, filter, output, dims.output_depth, /*channel_axis=*/0);
      p.output_multiplier = std::move(requant.multiplier);
      p.output_shift = std::move(requant.shift);
      p.params.filter_offset = 0;
    } else {
      p.output_multiplier.resize(1);
      p.output_shift.resize(1);
      per_tensor_requant(input, filter, bias, output, &p.output_multiplier[0], &p.output_shift[0]);
      p.params.filter_offset = -int8_zero_point(filter, "filter");
    }
    const QuantizedRange range = activation_range_quantized(options.activation, output);
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

class FullyConnectedKernel final : public Kernel {
 public:
  FullyConnectedKernel(const ir::Operator& op, FullyConnectedPrepared prepared,
                       std::unique_ptr<host_simd::FullyConnectedInt8> simd)
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
        status = rt::fully_connected_float(p_.float_params, p_.dims, memory.get<const float>(input),
                                           memory.get<const float>(filter),
                                           optional_data<float>(memory, bias),
                                           memory.get<float>(output));
        break;
      case ir::DType::kInt8:
        status = rt::fully_connected_int8(
            p_.params, p_.dims, multiplier, shift, memory.get<const int8_t>(input),
            memory.get<const int8_t>(filter), optional_data<int32_t>(memory, bias),
            memory.get<int8_t>(output));
        break;
      case ir::DType::kInt16:
        // The reference's arithmetic follows the bias type; no bias takes the 32-bit path.
        status = p_.has_bias && p_.bias_dtype == ir::DType::kInt64
                     ? rt::fully_connected_int16x8_bias64(
                           p_.params, p_.dims, multiplier, shift, memory.get<const int16_t>(input),
                           memory.get<const int8_t>(filter), optional_data<int64_t>(memory, bias),
                           memory.get<int16_t>(output))
                     : rt::fully_connected_int16x8_bias32(
                           p_.params, p_.dims, multiplier, shift, memory.get<const int16_t>(input),
                           memory.get<const int8_t>(filter), optional_data<int32_t>(memory, bias),
                           memory.get<int16_t>(output));
        break;
      default:
        break;
    }
    check_status(status, op_);
  }

 private:
  const ir::Operator& op_;
  FullyConnectedPrepared p_;
  std::unique_ptr<host_simd::FullyConnectedInt8> simd_;  // int8 on AVX2 hosts, else null
};

}  // namespace

namespace {

// The AVX2 plan of an int8 layer, or null (not int8, SIMD off, or arguments it does not cover).
std::unique_ptr<host_simd::FullyConnectedInt8> simd_plan(const ir::Model& model,
                                                         const ir::Operator& op,
                                                         const FullyConnectedPrepared& p) {
  if (p.dtype != ir::DType::kInt8 || !host_simd::enabled()) return nullptr;
  // The AVX2 plan packs the filter and bias now, so both must be constants.
  const auto* filter = host_simd::constant_data<int8_t>(model, op.inputs[1]);
  const auto* bias = p.has_bias ? host_simd::constant_data<int32_t>(model, op.inputs[2]) : nullptr;
  if (!filter || (p.has_bias && !bias)) return nullptr;
  return host_simd::FullyConnectedInt8::create(p.params, p.dims, p.output_multiplier.data(),
                                               p.output_shift.data(), filter, bias);
}

// Whether tensor t only carries values from one operator to the next: read by exactly one
// operator input, not a model output, not a state tensor.
bool internal_link(const ir::Model& model, int32_t t) {
  if (model.tensor(t).is_variable || std::ranges::count(model.outputs, t) > 0) return false;
  size_t readers = 0;
  for (const ir::Operator& op : model.operators) readers += std::ranges::count(op.inputs, t);
  return readers == 1;
}

class FullyConnectedChainKernel final : public Kernel {
 public:
  FullyConnectedChainKernel(int32_t input, int32_t output,
                            std::unique_ptr<host_simd::FullyConnectedChainInt8> chain)
      : input_(input), output_(output), chain_(std::move(chain)) {}

  void run(const TensorMemory& memory) override {
    chain_->run(memory.get<const int8_t>(input_), memory.get<int8_t>(output_));
  }

 private:
  int32_t input_, output_;
  std::unique_ptr<host_simd::FullyConnectedChainInt8> chain_;
};

}  // namespace

KernelPtr make_fully_connected_kernel(const ir::Model& model, const ir::Operator& op) {
  FullyConnectedPrepared p = prepare_fully_connected(model, op);
  std::unique_ptr<host_simd::FullyConnectedInt8> simd = simd_plan(model, op, p);
  return std::make_unique<FullyConnectedKernel>(op, std::move(p), std::move(simd));
}

KernelPtr make_fully_connected_chain_kernel(const ir::Model& model, size_t first,
                                            size_t* op_count) {
  *op_count = 0;
  std::vector<std::unique_ptr<host_simd::FullyConnectedInt8>> layers;
  int32_t input = ir::kNoTensor, output = ir::kNoTensor;
  for (size_t i = first; i < model.operators.size(); ++i) {
    const ir::Operator& op = model.operators[i];
    if (op.type != ir::OpType::kFullyConnected || op.inputs.size() < 2 || op.outputs.size() != 1)
      break;
    if (!layers.empty() && (op.inputs[0] != output || !internal_link(model, output))) break;
    std::unique_ptr<host_simd::FullyConnectedInt8> plan;
    try {
      plan = simd_plan(model, op, prepare_fully_connected(model, op));
    } catch (const Error&) {
      break;  // make_kernel reports it when the operator's turn comes
    }
    if (!plan || !plan->chainable()) break;
    if (layers.empty()) input = op.inputs[0];
    output = op.outputs[0];
    layers.push_back(std::move(plan));
  }
  const size_t count = layers.size();
  auto chain = host_simd::FullyConnectedChainInt8::create(std::move(layers));
  if (!chain) return nullptr;
  *op_count = count;
  return std::make_unique<FullyConnectedChainKernel>(input, output, std::move(chain));
}

}  // namespace kiln::exec
