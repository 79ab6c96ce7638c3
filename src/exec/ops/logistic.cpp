#include "exec/ops/logistic.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"

namespace kiln::exec {

LogisticPrepared prepare_logistic(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 1, 1, "LOGISTIC");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != ir::DType::kInt8 && input.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("LOGISTIC: type {} is not supported here (int8, float32)",
                            ir::dtype_name(input.dtype)));
  require_dtype(output, input.dtype, "LOGISTIC");
  require_same_size(input, output, "LOGISTIC");

  LogisticPrepared prepared{};
  prepared.dtype = input.dtype;
  prepared.size = element_count(input, "LOGISTIC");
  if (input.dtype == ir::DType::kFloat32) return prepared;

  const TensorQuant qi = tensor_quant(input, "LOGISTIC");
  const TensorQuant qo = tensor_quant(output, "LOGISTIC");
  // The kernel produces sigmoid values on the grid k/256 - offset -128.
  if (qo.zero_point != -128 || qo.scale != 1.0f / 256)
    throw Error(
        fmt::format("LOGISTIC: int8 output needs scale 1/256 and zero point -128, got {} "
                    "and {}",
                    qo.scale, qo.zero_point));
  const Q4InputScaling scaling = q4_input_scaling(qi.scale, "LOGISTIC");
  rt::LogisticInt8Params& p = prepared.quantized;
  p.size = prepared.size;
  p.input_zero_point = qi.zero_point;
  p.input_range_radius = scaling.range_radius;
  p.input_multiplier = scaling.multiplier;
  p.input_left_shift = scaling.left_shift;
  return prepared;
}

namespace {

class LogisticKernel : public Kernel {
 public:
  LogisticKernel(const ir::Operator& op, const LogisticPrepared& prepared)
      : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    const rt::Status status =
        p_.dtype == ir::DType::kInt8
            ? rt::logistic_int8(p_.quantized, memory.get<int8_t>(in), memory.get<int8_t>(out))
            : rt::logistic_float(p_.size, memory.get<float>(in), memory.get<float>(out));
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  LogisticPrepared p_;
};

}  // namespace

KernelPtr make_logistic_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<LogisticKernel>(op, prepare_logistic(model, op));
}

}  // namespace kiln::exec
