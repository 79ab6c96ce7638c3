#include "exec/ops/softmax.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "exec/host_simd/host_simd.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

// Integer bits of the scaled input difference in the kernel (Q5.26).
constexpr int kScaledDiffIntegerBits = 5;

}  // namespace

SoftmaxPrepared prepare_softmax(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 1, 1, "SOFTMAX");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.shape.empty()) throw Error("SOFTMAX: input must have at least one dimension");
  if (input.shape != output.shape)
    throw Error(fmt::format("SOFTMAX: input {} and output {} shapes differ",
                            shape_string(input.shape), shape_string(output.shape)));
  const int32_t size = element_count(input, "SOFTMAX");
  const int32_t depth = input.shape.back();
  const int32_t outer_size = depth == 0 ? 0 : size / depth;
  float beta = 1.0f;
  if (const auto* options = std::get_if<ir::SoftmaxOptions>(&op.options)) beta = options->beta;

  SoftmaxPrepared prepared{};
  prepared.input_dtype = input.dtype;
  prepared.output_dtype = output.dtype;
  if (input.dtype == ir::DType::kFloat32) {
    require_dtype(output, ir::DType::kFloat32, "SOFTMAX");
    prepared.float_params = {outer_size, depth, beta};
    return prepared;
  }
  if (input.dtype != ir::DType::kInt8)
    throw Error(fmt::format("SOFTMAX: input type {} is not supported (int8, float32)",
                            ir::dtype_name(input.dtype)));

  // The kernel writes probabilities with a fixed output quantization; TFLM insists on it.
  const TensorQuant qi = tensor_quant(input, "SOFTMAX");
  if (output.dtype == ir::DType::kInt8) {
    const TensorQuant qo = tensor_quant(output, "SOFTMAX");
    if (qo.zero_point != -128 || qo.scale != 1.0f / 256)
      throw Error(
          fmt::format("SOFTMAX: int8 output needs scale 1/256 and zero point -128, got {} and {}",
                      qo.scale, qo.zero_point));
  } else if (output.dtype == ir::DType::kInt16) {
    const TensorQuant qo = tensor_quant(output, "SOFTMAX");
    if (qo.zero_point != -32768 || std::fabs(qo.scale - 1.0f / 65536) > 0.001f / 65536)
      throw Error(fmt::format(
          "SOFTMAX: int16 output needs scale 1/65536 and zero point -32768, got {} and {}",
          qo.scale, qo.zero_point));
  } else {
    throw Error(fmt::format("SOFTMAX: int8 input needs an int8 or int16 output, got {}",
                            ir::dtype_name(output.dtype)));
  }

  rt::SoftmaxQuantizedParams& p = prepared.quantized;
  p.outer_size = outer_size;
  p.depth = depth;
  // beta * input_scale in Q5.26, i.e. times 2^26; capped so the mantissa fits in int32 (a cap
  // only reached when every non-maximal input gives exp = 0 anyway).
  const double real_multiplier =
      std::min(static_cast<double>(beta) * static_cast<double>(qi.scale) *
                   static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)),
               static_cast<double>((int64_t{1} << 31) - 1));
  if (!(real_multiplier > 1.0))
    throw Error(fmt::format("SOFTMAX: beta * input scale = {} is too small (needs > 2^-26)",
                            static_cast<double>(beta) * qi.scale));
  int shift = 0;
  quantize_multiplier(real_multiplier, &p.input_multiplier, &shift);
  p.input_left_shift = shift;
  // The largest difference magnitude whose scaled value still fits in Q5.26:
  // floor((2^5 - 1) * 2^26 / 2^shift). Smaller (more negative) differences are dropped.
  const double radius =
      std::floor(static_cast<double>((1 << kScaledDiffIntegerBits) - 1) *
                 static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)) /
                 static_cast<double>(int64_t{1} << shift));
  p.diff_min = -static_cast<int32_t>(radius);
  return prepared;
}

namespace {

class SoftmaxKernel : public Kernel {
 public:
  SoftmaxKernel(const ir::Operator& op, const SoftmaxPrepared& prepared) : op_(op), p_(prepared) {
    // The fast host path (host_simd::enabled) reads the exps from the table the generated code
    // gets; KILN_HOST_SIMD=0 keeps the computed exps of the reference.
    if (p_.input_dtype == ir::DType::kInt8 && host_simd::enabled()) {
      exp_table_.resize(rt::kSoftmaxExpTableEntries);
      check_status(rt::softmax_int8_exp_table(p_.quantized, exp_table_.data()), op_);
    }
  }

  void run(const TensorMemory& memory) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status status;
    if (p_.input_dtype == ir::DType::kFloat32) {
      status = rt::softmax_float(p_.float_params, memory.get<float>(in), memory.get<float>(out));
    } else if (!exp_table_.empty()) {
      const int32_t* table = exp_table_.data();
      status = p_.output_dtype == ir::DType::kInt16
                   ? rt::softmax_int8_int16_tabled(p_.quantized, table, memory.get<int8_t>(in),
                                                   memory.get<int16_t>(out))
                   : rt::softmax_int8_tabled(p_.quantized, table, memory.get<int8_t>(in),
                                             memory.get<int8_t>(out));
    } else if (p_.output_dtype == ir::DType::kInt16) {
      status =
          rt::softmax_int8_int16(p_.quantized, memory.get<int8_t>(in), memory.get<int16_t>(out));
    } else {
      status = rt::softmax_int8(p_.quantized, memory.get<int8_t>(in), memory.get<int8_t>(out));
    }
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  SoftmaxPrepared p_;
  std::vector<int32_t> exp_table_;  // empty: computed exps
};

}  // namespace

KernelPtr make_softmax_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<SoftmaxKernel>(op, prepare_softmax(model, op));
}

}  // namespace kiln::exec
