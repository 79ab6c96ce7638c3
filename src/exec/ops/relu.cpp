#include "exec/ops/relu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "exec/ops/shape_op_util.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

struct TypeRange {
  int32_t min;
  int32_t max;
};

TypeRange quantized_range(ir::DType t) {
  return t == ir::DType::kInt8 ? TypeRange{-128, 127} : TypeRange{-32768, 32767};
}

// Shared operand checks; returns the element count.
int32_t check_elementwise(const ir::Model& model, const ir::Operator& op, const char* name) {
  require_operands(op, 1, 1, name);
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != output.dtype)
    throw Error(fmt::format("{}: input is {} but output is {}", name, ir::dtype_name(input.dtype),
                            ir::dtype_name(output.dtype)));
  if (input.dtype != ir::DType::kFloat32 && input.dtype != ir::DType::kInt8 &&
      input.dtype != ir::DType::kInt16)
    throw Error(fmt::format("{}: unsupported type {}", name, ir::dtype_name(input.dtype)));
  if (input.num_elements() != output.num_elements())
    throw Error(fmt::format("{}: input {} and output {} differ in element count", name,
                            shape_text(input.shape), shape_text(output.shape)));
  return static_cast<int32_t>(input.num_elements());
}

void check_zero_point(const ir::Tensor& t, TypeRange range, const char* name) {
  const int64_t zp = t.quant.zero_point[0];
  if (zp < range.min || zp > range.max)
    throw Error(
        fmt::format("{}: zero point {} of '{}' is outside the type's range", name, zp, t.name));
  if (!(t.quant.scale[0] > 0.0f) || !std::isfinite(t.quant.scale[0]))
    throw Error(fmt::format("{}: scale of '{}' must be positive", name, t.name));
}

// TFLM's FloatToQuantizedType: zp + round(value / scale) (division in float), saturated.
int32_t quantize_saturated(float value, float scale, int32_t zero_point, TypeRange range) {
  const double q = std::round(static_cast<double>(value / scale)) + zero_point;
  return static_cast<int32_t>(
      std::clamp(q, static_cast<double>(range.min), static_cast<double>(range.max)));
}

}  // namespace

ReluPrepared prepare_relu(const ir::Model& model, const ir::Operator& op) {
  ReluPrepared prepared{};
  prepared.size = check_elementwise(model, op, "RELU");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  prepared.dtype = input.dtype;
  if (input.dtype == ir::DType::kFloat32) return prepared;

  require_per_tensor_quantization(input, "RELU");
  require_per_tensor_quantization(output, "RELU");
  const TypeRange range = quantized_range(input.dtype);
  check_zero_point(input, range, "RELU");
  check_zero_point(output, range, "RELU");
  const int32_t in_zp = static_cast<int32_t>(input.quant.zero_point[0]);
  const int32_t out_zp = static_cast<int32_t>(output.quant.zero_point[0]);
  if (input.dtype == ir::DType::kInt16 && (in_zp != 0 || out_zp != 0))
    throw Error("RELU: int16 tensors need zero points of 0");

  rt::ReluQuantizedParams& q = prepared.quantized;
  q.size = prepared.size;
  q.input_zero_point = in_zp;
  q.output_zero_point = out_zp;
  // TFLM divides the scales in double precision.
  const double real_multiplier =
      static_cast<double>(input.quant.scale[0]) / static_cast<double>(output.quant.scale[0]);
  int shift = 0;
  quantize_multiplier(real_multiplier, &q.output_multiplier, &shift);
  if (shift > 31)
    throw Error(fmt::format("RELU: input/output scale ratio {} is too large", real_multiplier));
  q.output_shift = shift;
  // The lower bound is real 0 in the output's domain (round(0 / scale) = 0); there is no upper
  // bound besides the type's.
  q.activation_min = std::max(range.min, out_zp);
  q.activation_max = range.max;
  return prepared;
}

Relu6Prepared prepare_relu6(const ir::Model& model, const ir::Operator& op) {
  Relu6Prepared prepared{};
  prepared.size = check_elementwise(model, op, "RELU6");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  prepared.dtype = input.dtype;
  if (input.dtype == ir::DType::kFloat32) return prepared;

  // TFLM's RELU6 reads only the input's quantization; the output's is not consulted.
  require_per_tensor_quantization(input, "RELU6");
  const TypeRange range = quantized_range(input.dtype);
  check_zero_point(input, range, "RELU6");
  const int32_t zp = static_cast<int32_t>(input.quant.zero_point[0]);
  rt::Relu6QuantizedParams& q = prepared.quantized;
  q.size = prepared.size;
  q.lower = zp;
  q.upper = quantize_saturated(6.0f, input.quant.scale[0], zp, range);
  return prepared;
}

namespace {

class ReluKernel : public Kernel {
 public:
  ReluKernel(const ir::Operator& op, ReluPrepared prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& m) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status s = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        s = rt::relu_float(p_.size, m.get<float>(in), m.get<float>(out));
        break;
      case ir::DType::kInt8:
        s = rt::relu_int8(p_.quantized, m.get<int8_t>(in), m.get<int8_t>(out));
        break;
      case ir::DType::kInt16:
        s = rt::relu_int16(p_.quantized, m.get<int16_t>(in), m.get<int16_t>(out));
        break;
      default:
        break;
    }
    check_status(s, op_);
  }

 private:
  const ir::Operator& op_;
  ReluPrepared p_;
};

class Relu6Kernel : public Kernel {
 public:
  Relu6Kernel(const ir::Operator& op, Relu6Prepared prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& m) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status s = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        s = rt::relu6_float(p_.size, m.get<float>(in), m.get<float>(out));
        break;
      case ir::DType::kInt8:
        s = rt::relu6_int8(p_.quantized, m.get<int8_t>(in), m.get<int8_t>(out));
        break;
      case ir::DType::kInt16:
        s = rt::relu6_int16(p_.quantized, m.get<int16_t>(in), m.get<int16_t>(out));
        break;
      default:
        break;
    }
    check_status(s, op_);
  }

 private:
  const ir::Operator& op_;
  Relu6Prepared p_;
};

}  // namespace

KernelPtr make_relu_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type == ir::OpType::kRelu)
    return std::make_unique<ReluKernel>(op, prepare_relu(model, op));
  if (op.type == ir::OpType::kRelu6)
    return std::make_unique<Relu6Kernel>(op, prepare_relu6(model, op));
  return nullptr;
}

}  // namespace kiln::exec
