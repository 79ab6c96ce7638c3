#include "exec/ops/leaky_relu.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

// Quantizes a real multiplier of either sign; the magnitude is split as usual and the sign put
// back on the mantissa (the kernel applies a negative one as magnitude then negation).
void quantize_signed(float real, int32_t* multiplier, int32_t* shift) {
  int exponent = 0;
  quantize_multiplier(std::fabs(static_cast<double>(real)), multiplier, &exponent);
  if (exponent > 31) throw Error(fmt::format("LEAKY_RELU: multiplier {} is too large", real));
  if (real < 0.0f) *multiplier = -*multiplier;
  *shift = exponent;
}

}  // namespace

LeakyReluPrepared prepare_leaky_relu(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 1, 1, "LEAKY_RELU");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != ir::DType::kInt8 && input.dtype != ir::DType::kInt16 &&
      input.dtype != ir::DType::kFloat32)
    throw Error(fmt::format("LEAKY_RELU: type {} is not supported (int8, int16, float32)",
                            ir::dtype_name(input.dtype)));
  require_dtype(output, input.dtype, "LEAKY_RELU");
  require_same_size(input, output, "LEAKY_RELU");

  LeakyReluPrepared prepared{};
  prepared.dtype = input.dtype;
  prepared.size = element_count(input, "LEAKY_RELU");
  prepared.alpha = 0.2f;  // the schema's default
  if (const auto* options = std::get_if<ir::LeakyReluOptions>(&op.options))
    prepared.alpha = options->alpha;
  if (!std::isfinite(prepared.alpha))
    throw Error(fmt::format("LEAKY_RELU: alpha {} is not finite", prepared.alpha));
  if (input.dtype == ir::DType::kFloat32) return prepared;

  const TensorQuant qi = tensor_quant(input, "LEAKY_RELU");
  const TensorQuant qo = tensor_quant(output, "LEAKY_RELU");
  rt::LeakyReluQuantizedParams& p = prepared.quantized;
  p.size = prepared.size;
  p.input_zero_point = qi.zero_point;
  p.output_zero_point = qo.zero_point;
  // TFLM forms both ratios in single precision (scale * alpha first, then / output scale).
  const float alpha_ratio = qi.scale * prepared.alpha / qo.scale;
  const float identity_ratio = qi.scale / qo.scale;
  quantize_signed(alpha_ratio, &p.alpha_multiplier, &p.alpha_shift);
  quantize_signed(identity_ratio, &p.identity_multiplier, &p.identity_shift);
  return prepared;
}

namespace {

class LeakyReluKernel : public Kernel {
 public:
  LeakyReluKernel(const ir::Operator& op, const LeakyReluPrepared& prepared)
      : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status status;
    switch (p_.dtype) {
      case ir::DType::kInt8:
        status = rt::leaky_relu_int8(p_.quantized, memory.get<int8_t>(in), memory.get<int8_t>(out));
        break;
      case ir::DType::kInt16:
        status =
            rt::leaky_relu_int16(p_.quantized, memory.get<int16_t>(in), memory.get<int16_t>(out));
        break;
      default:
        status =
            rt::leaky_relu_float(p_.size, p_.alpha, memory.get<float>(in), memory.get<float>(out));
        break;
    }
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  LeakyReluPrepared p_;
};

}  // namespace

KernelPtr make_leaky_relu_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<LeakyReluKernel>(op, prepare_leaky_relu(model, op));
}

}  // namespace kiln::exec
