#include "exec/ops/sub.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

void quantize_smaller_than_one(float real, int32_t* multiplier, int32_t* shift,
                               std::string_view what) {
  int exponent = 0;
  quantize_multiplier(static_cast<double>(real), multiplier, &exponent);
  if (!(real > 0.0f && real < 1.0f) || exponent > 0)
    throw Error(fmt::format("SUB: {} multiplier {} must be in (0, 1)", what, real));
  *shift = exponent;
}

}  // namespace

SubPrepared prepare_sub(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 2, 1, "SUB");
  const ir::Tensor& input1 = model.tensor(op.inputs[0]);
  const ir::Tensor& input2 = model.tensor(op.inputs[1]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (output.dtype != ir::DType::kInt8 && output.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("SUB: output type {} is not supported (int8, float32)",
                            ir::dtype_name(output.dtype)));
  require_dtype(input1, output.dtype, "SUB");
  require_dtype(input2, output.dtype, "SUB");

  SubPrepared prepared{};
  prepared.dtype = output.dtype;
  prepared.shape = broadcast_operands(input1, input2, output, "SUB");
  const ir::Activation act = elementwise_activation(op);
  if (output.dtype == ir::DType::kFloat32) {
    prepared.float_act = float_activation(act);
    return prepared;
  }

  const TensorQuant q1 = tensor_quant(input1, "SUB");
  const TensorQuant q2 = tensor_quant(input2, "SUB");
  const TensorQuant qo = tensor_quant(output, "SUB");
  rt::AddSubInt8Params& p = prepared.quantized;
  p.input1_offset = -q1.zero_point;
  p.input2_offset = -q2.zero_point;
  p.output_offset = qo.zero_point;
  p.left_shift = 20;  // as ADD
  // Unlike ADD, TFLM's SUB forms these ratios in single precision; the float roundings matter
  // for bit-exact multipliers.
  const float twice_max_input_scale = 2.0f * std::max(q1.scale, q2.scale);
  const float real_input1 = q1.scale / twice_max_input_scale;
  const float real_input2 = q2.scale / twice_max_input_scale;
  const float real_output =
      twice_max_input_scale / (static_cast<float>(1 << p.left_shift) * qo.scale);
  quantize_smaller_than_one(real_input1, &p.input1_multiplier, &p.input1_shift, "input 1");
  quantize_smaller_than_one(real_input2, &p.input2_multiplier, &p.input2_shift, "input 2");
  quantize_smaller_than_one(real_output, &p.output_multiplier, &p.output_shift, "output");
  const QuantizedRange range = activation_range_quantized(act, output);
  p.activation_min = range.min;
  p.activation_max = range.max;
  return prepared;
}

namespace {

class SubKernel : public Kernel {
 public:
  SubKernel(const ir::Operator& op, const SubPrepared& prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in1 = op_.inputs[0], in2 = op_.inputs[1], out = op_.outputs[0];
    rt::Status status;
    if (p_.dtype == ir::DType::kInt8) {
      status = rt::sub_int8(p_.quantized, p_.shape, memory.get<int8_t>(in1),
                            memory.get<int8_t>(in2), memory.get<int8_t>(out));
    } else {
      status = rt::sub_float(p_.float_act, p_.shape, memory.get<float>(in1), memory.get<float>(in2),
                             memory.get<float>(out));
    }
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  SubPrepared p_;
};

}  // namespace

KernelPtr make_sub_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<SubKernel>(op, prepare_sub(model, op));
}

}  // namespace kiln::exec
