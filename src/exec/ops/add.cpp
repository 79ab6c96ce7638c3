#include "exec/ops/add.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

// Splits a real multiplier known to be in (0, 1) into mantissa and (non-positive) shift, as
// TFLM's QuantizeMultiplierSmallerThanOneExp, which rejects anything else.
void quantize_smaller_than_one(double real, int32_t* multiplier, int32_t* shift,
                               std::string_view what) {
  int exponent = 0;
  quantize_multiplier(real, multiplier, &exponent);
  if (!(real > 0.0 && real < 1.0) || exponent > 0)
    throw Error(fmt::format("ADD: {} multiplier {} must be in (0, 1)", what, real));
  *shift = exponent;
}

}  // namespace

AddPrepared prepare_add(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 2, 1, "ADD");
  const ir::Tensor& input1 = model.tensor(op.inputs[0]);
  const ir::Tensor& input2 = model.tensor(op.inputs[1]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (output.dtype != ir::DType::kInt8 && output.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("ADD: output type {} is not supported (int8, float32)",
                            ir::dtype_name(output.dtype)));
  require_dtype(input1, output.dtype, "ADD");
  require_dtype(input2, output.dtype, "ADD");

  AddPrepared prepared{};
  prepared.dtype = output.dtype;
  prepared.shape = broadcast_operands(input1, input2, output, "ADD");
  const ir::Activation act = elementwise_activation(op);
  if (output.dtype == ir::DType::kFloat32) {
    prepared.float_act = float_activation(act);
    return prepared;
  }

  const TensorQuant q1 = tensor_quant(input1, "ADD");
  const TensorQuant q2 = tensor_quant(input2, "ADD");
  const TensorQuant qo = tensor_quant(output, "ADD");
  rt::AddSubInt8Params& p = prepared.quantized;
  p.input1_offset = -q1.zero_point;
  p.input2_offset = -q2.zero_point;
  p.output_offset = qo.zero_point;
  // 20 bits of headroom: a centred int8 value (at most 255 in magnitude) times 2^20 still leaves
  // room in int32 for the sum of two of them.
  p.left_shift = 20;
  // Both inputs are brought to the scale 2 * max(s1, s2), so each input multiplier is at most
  // 1/2; TFLM computes these ratios in double precision for ADD.
  const double twice_max_input_scale = 2.0 * static_cast<double>(std::max(q1.scale, q2.scale));
  const double real_input1 = static_cast<double>(q1.scale) / twice_max_input_scale;
  const double real_input2 = static_cast<double>(q2.scale) / twice_max_input_scale;
  const double real_output = twice_max_input_scale / (static_cast<double>(1 << p.left_shift) *
                                                      static_cast<double>(qo.scale));
  quantize_smaller_than_one(real_input1, &p.input1_multiplier, &p.input1_shift, "input 1");
  quantize_smaller_than_one(real_input2, &p.input2_multiplier, &p.input2_shift, "input 2");
  quantize_smaller_than_one(real_output, &p.output_multiplier, &p.output_shift, "output");
  const QuantizedRange range = activation_range_quantized(act, output);
  p.activation_min = range.min;
  p.activation_max = range.max;
  return prepared;
}

namespace {

class AddKernel : public Kernel {
 public:
  AddKernel(const ir::Operator& op, const AddPrepared& prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in1 = op_.inputs[0], in2 = op_.inputs[1], out = op_.outputs[0];
    rt::Status status;
    if (p_.dtype == ir::DType::kInt8) {
      status = rt::add_int8(p_.quantized, p_.shape, memory.get<int8_t>(in1),
                            memory.get<int8_t>(in2), memory.get<int8_t>(out));
    } else {
      status = rt::add_float(p_.float_act, p_.shape, memory.get<float>(in1), memory.get<float>(in2),
                             memory.get<float>(out));
    }
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  AddPrepared p_;
};

}  // namespace

KernelPtr make_add_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<AddKernel>(op, prepare_add(model, op));
}

}  // namespace kiln::exec
