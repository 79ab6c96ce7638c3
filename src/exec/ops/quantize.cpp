#include "exec/ops/quantize.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

using ir::DType;

bool supported_requantize(DType in, DType out) {
  return (in == DType::kInt8 &&
          (out == DType::kInt8 || out == DType::kInt16 || out == DType::kUInt8)) ||
         (in == DType::kInt16 && (out == DType::kInt8 || out == DType::kInt16)) ||
         (in == DType::kUInt8 && out == DType::kInt8);
}

}  // namespace

QuantizePrepared prepare_quantize(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 1, 1, "QUANTIZE");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  require_same_size(input, output, "QUANTIZE");
  const bool from_float = input.dtype == DType::kFloat32 &&
                          (output.dtype == DType::kInt8 || output.dtype == DType::kInt16);
  if (!from_float && !supported_requantize(input.dtype, output.dtype))
    throw Error(fmt::format("QUANTIZE: {} to {} is not supported", ir::dtype_name(input.dtype),
                            ir::dtype_name(output.dtype)));

  QuantizePrepared prepared{};
  prepared.input_dtype = input.dtype;
  prepared.output_dtype = output.dtype;
  const int32_t size = element_count(input, "QUANTIZE");
  const TensorQuant qo = tensor_quant(output, "QUANTIZE");
  if (from_float) {
    prepared.from_float = {size, qo.scale, qo.zero_point};
    return prepared;
  }
  const TensorQuant qi = tensor_quant(input, "QUANTIZE");
  rt::RequantizeParams& p = prepared.requantize;
  p.size = size;
  p.input_zero_point = qi.zero_point;
  p.output_zero_point = qo.zero_point;
  const double effective_scale = static_cast<double>(qi.scale) / static_cast<double>(qo.scale);
  int shift = 0;
  quantize_multiplier(effective_scale, &p.multiplier, &shift);
  if (shift > 31)
    throw Error(fmt::format("QUANTIZE: scale ratio {} is too large", effective_scale));
  p.shift = shift;
  return prepared;
}

namespace {

class QuantizeKernel : public Kernel {
 public:
  QuantizeKernel(const ir::Operator& op, const QuantizePrepared& prepared)
      : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override { check_status(dispatch(memory), op_); }

 private:
  rt::Status dispatch(const TensorMemory& m) const {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    const rt::RequantizeParams& r = p_.requantize;
    switch (p_.input_dtype) {
      case DType::kFloat32:
        return p_.output_dtype == DType::kInt8
                   ? rt::quantize_float_int8(p_.from_float, m.get<float>(in), m.get<int8_t>(out))
                   : rt::quantize_float_int16(p_.from_float, m.get<float>(in), m.get<int16_t>(out));
      case DType::kInt8:
        if (p_.output_dtype == DType::kInt8)
          return rt::requantize_int8_int8(r, m.get<int8_t>(in), m.get<int8_t>(out));
        if (p_.output_dtype == DType::kInt16)
          return rt::requantize_int8_int16(r, m.get<int8_t>(in), m.get<int16_t>(out));
        return rt::requantize_int8_uint8(r, m.get<int8_t>(in), m.get<uint8_t>(out));
      case DType::kInt16:
        if (p_.output_dtype == DType::kInt8)
          return rt::requantize_int16_int8(r, m.get<int16_t>(in), m.get<int8_t>(out));
        return rt::requantize_int16_int16(r, m.get<int16_t>(in), m.get<int16_t>(out));
      default:
        return rt::requantize_uint8_int8(r, m.get<uint8_t>(in), m.get<int8_t>(out));
    }
  }

  ir::Operator op_;
  QuantizePrepared p_;
};

}  // namespace

KernelPtr make_quantize_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<QuantizeKernel>(op, prepare_quantize(model, op));
}

}  // namespace kiln::exec
