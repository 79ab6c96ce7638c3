#include "exec/ops/dequantize.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"

namespace kiln::exec {

DequantizePrepared prepare_dequantize(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 1, 1, "DEQUANTIZE");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != ir::DType::kInt8 && input.dtype != ir::DType::kInt16 &&
      input.dtype != ir::DType::kUInt8)
    throw Error(fmt::format("DEQUANTIZE: input type {} is not supported (int8, int16, uint8)",
                            ir::dtype_name(input.dtype)));
  require_dtype(output, ir::DType::kFloat32, "DEQUANTIZE");
  require_same_size(input, output, "DEQUANTIZE");
  const TensorQuant qi = tensor_quant(input, "DEQUANTIZE");
  return {input.dtype, {element_count(input, "DEQUANTIZE"), qi.scale, qi.zero_point}};
}

namespace {

class DequantizeKernel : public Kernel {
 public:
  DequantizeKernel(const ir::Operator& op, const DequantizePrepared& prepared)
      : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status status;
    switch (p_.input_dtype) {
      case ir::DType::kInt8:
        status = rt::dequantize_int8(p_.params, memory.get<int8_t>(in), memory.get<float>(out));
        break;
      case ir::DType::kInt16:
        status = rt::dequantize_int16(p_.params, memory.get<int16_t>(in), memory.get<float>(out));
        break;
      default:
        status = rt::dequantize_uint8(p_.params, memory.get<uint8_t>(in), memory.get<float>(out));
        break;
    }
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  DequantizePrepared p_;
};

}  // namespace

KernelPtr make_dequantize_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<DequantizeKernel>(op, prepare_dequantize(model, op));
}

}  // namespace kiln::exec
