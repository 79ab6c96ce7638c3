#include "exec/ops/mul.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

MulPrepared prepare_mul(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 2, 1, "MUL");
  const ir::Tensor& input1 = model.tensor(op.inputs[0]);
  const ir::Tensor& input2 = model.tensor(op.inputs[1]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (output.dtype != ir::DType::kInt8 && output.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("MUL: output type {} is not supported (int8, float32)",
                            ir::dtype_name(output.dtype)));
  require_dtype(input1, output.dtype, "MUL");
  require_dtype(input2, output.dtype, "MUL");

  MulPrepared prepared{};
  prepared.dtype = output.dtype;
  prepared.shape = broadcast_operands(input1, input2, output, "MUL");
  const ir::Activation act = elementwise_activation(op);
  if (output.dtype == ir::DType::kFloat32) {
    prepared.float_act = float_activation(act);
    return prepared;
  }

  const TensorQuant q1 = tensor_quant(input1, "MUL");
  const TensorQuant q2 = tensor_quant(input2, "MUL");
  const TensorQuant qo = tensor_quant(output, "MUL");
  rt::MulInt8Params& p = prepared.quantized;
  p.input1_offset = -q1.zero_point;
  p.input2_offset = -q2.zero_point;
  p.output_offset = qo.zero_point;
  const double real_multiplier =
      static_cast<double>(q1.scale) * static_cast<double>(q2.scale) / static_cast<double>(qo.scale);
  int shift = 0;
  quantize_multiplier(real_multiplier, &p.output_multiplier, &shift);
  if (shift > 31)
    throw Error(fmt::format("MUL: output multiplier {} is too large", real_multiplier));
  p.output_shift = shift;
  const QuantizedRange range = activation_range_quantized(act, output);
  p.activation_min = range.min;
  p.activation_max = range.max;
  return prepared;
}

namespace {

class MulKernel : public Kernel {
 public:
  MulKernel(const ir::Operator& op, const MulPrepared& prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in1 = op_.inputs[0], in2 = op_.inputs[1], out = op_.outputs[0];
    rt::Status status;
    if (p_.dtype == ir::DType::kInt8) {
      status = rt::mul_int8(p_.quantized, p_.shape, memory.get<int8_t>(in1),
                            memory.get<int8_t>(in2), memory.get<int8_t>(out));
    } else {
      status = rt::mul_float(p_.float_act, p_.shape, memory.get<float>(in1), memory.get<float>(in2),
                             memory.get<float>(out));
    }
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  MulPrepared p_;
};

}  // namespace

KernelPtr make_mul_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<MulKernel>(op, prepare_mul(model, op));
}

}  // namespace kiln::exec
