#include "exec/ops/tanh.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"

namespace kiln::exec {

TanhPrepared prepare_tanh(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 1, 1, "TANH");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != ir::DType::kInt8 && input.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("TANH: type {} is not supported here (int8, float32)",
                            ir::dtype_name(input.dtype)));
  require_dtype(output, input.dtype, "TANH");
  require_same_size(input, output, "TANH");

  TanhPrepared prepared{};
  prepared.dtype = input.dtype;
  prepared.size = element_count(input, "TANH");
  if (input.dtype == ir::DType::kFloat32) return prepared;

  const TensorQuant qi = tensor_quant(input, "TANH");
  const TensorQuant qo = tensor_quant(output, "TANH");
  // The kernel produces tanh values on the grid k/128 with no offset (TFLM assumes this
  // without checking it).
  if (qo.zero_point != 0 || qo.scale != 1.0f / 128)
    throw Error(fmt::format("TANH: int8 output needs scale 1/128 and zero point 0, got {} and {}",
                            qo.scale, qo.zero_point));
  const Q4InputScaling scaling = q4_input_scaling(qi.scale, "TANH");
  rt::TanhInt8Params& p = prepared.quantized;
  p.size = prepared.size;
  p.input_zero_point = qi.zero_point;
  p.input_range_radius = scaling.range_radius;
  p.input_multiplier = scaling.multiplier;
  p.input_left_shift = scaling.left_shift;
  return prepared;
}

namespace {

class TanhKernel : public Kernel {
 public:
  TanhKernel(const ir::Operator& op, const TanhPrepared& prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    const rt::Status status =
        p_.dtype == ir::DType::kInt8
            ? rt::tanh_int8(p_.quantized, memory.get<int8_t>(in), memory.get<int8_t>(out))
            : rt::tanh_float(p_.size, memory.get<float>(in), memory.get<float>(out));
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  TanhPrepared p_;
};

}  // namespace

KernelPtr make_tanh_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<TanhKernel>(op, prepare_tanh(model, op));
}

}  // namespace kiln::exec
