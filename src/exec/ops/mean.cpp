#include "exec/ops/mean.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "exec/ops/arithmetic_common.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

// Marks the axes named by the constant int32 axis tensor; negative axes count from the end and
// repeats are ignored, as in TFLM's axis resolution.
std::vector<uint8_t> reduced_axes(const ir::Tensor& axis, size_t rank) {
  if (axis.dtype != ir::DType::kInt32)
    throw Error(fmt::format("MEAN: axis tensor '{}' must be int32, got {}", axis.name,
                            ir::dtype_name(axis.dtype)));
  if (!axis.is_constant())
    throw Error(fmt::format("MEAN: axis tensor '{}' must be constant", axis.name));
  const size_t count = static_cast<size_t>(axis.num_elements());
  if (axis.data.size() != count * sizeof(int32_t))
    throw Error(fmt::format("MEAN: axis tensor '{}' has {} bytes for {} elements", axis.name,
                            axis.data.size(), count));
  std::vector<uint8_t> reduce(rank, 0);
  for (size_t i = 0; i < count; ++i) {
    int32_t a = 0;
    std::memcpy(&a, axis.data.data() + i * sizeof(int32_t), sizeof(int32_t));
    const int64_t resolved = a < 0 ? static_cast<int64_t>(a) + static_cast<int64_t>(rank) : a;
    if (resolved < 0 || resolved >= static_cast<int64_t>(rank))
      throw Error(fmt::format("MEAN: axis {} is out of range for a rank-{} input", a, rank));
    reduce[static_cast<size_t>(resolved)] = 1;
  }
  return reduce;
}

}  // namespace

MeanPrepared prepare_mean(const ir::Model& model, const ir::Operator& op) {
  require_io(op, 2, 1, "MEAN");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& axis = model.tensor(op.inputs[1]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != ir::DType::kInt8 && input.dtype != ir::DType::kFloat32)
    throw Error(
        fmt::format("MEAN: type {} is not supported (int8, float32)", ir::dtype_name(input.dtype)));
  require_dtype(output, input.dtype, "MEAN");
  if (input.shape.size() > static_cast<size_t>(rt::kMeanMaxRank))
    throw Error(fmt::format("MEAN: rank {} input is not supported (at most {})", input.shape.size(),
                            rt::kMeanMaxRank));
  element_count(input, "MEAN");

  MeanPrepared prepared{};
  prepared.dtype = input.dtype;
  const std::vector<uint8_t> reduce = reduced_axes(axis, input.shape.size());
  if (rt::mean_shape_init(input.shape.data(), static_cast<int32_t>(input.shape.size()),
                          reduce.data(), &prepared.shape) != rt::kOk)
    throw Error(fmt::format("MEAN: input shape {} is not supported", shape_string(input.shape)));
  const int32_t outputs = rt::mean_output_size(prepared.shape);
  if (output.num_elements() != outputs)
    throw Error(fmt::format("MEAN: output {} should hold {} elements after reducing {}",
                            shape_string(output.shape), outputs, shape_string(input.shape)));
  if (input.dtype == ir::DType::kFloat32) return prepared;

  const TensorQuant qi = tensor_quant(input, "MEAN");
  const TensorQuant qo = tensor_quant(output, "MEAN");
  rt::MeanInt8Params& p = prepared.quantized;
  p.input_zero_point = qi.zero_point;
  p.output_zero_point = qo.zero_point;
  // TFLM averages the raw values directly when nothing needs requantizing.
  if (qi.zero_point == qo.zero_point && qi.scale == qo.scale) {
    p.mode = rt::kMeanIntegerDivide;
    return prepared;
  }
  p.mode = rt::kMeanRescale;
  const double real_multiplier = static_cast<double>(qi.scale) / static_cast<double>(qo.scale);
  int shift = 0;
  quantize_multiplier(real_multiplier, &p.multiplier, &shift);
  if (shift > 31) throw Error(fmt::format("MEAN: scale ratio {} is too large", real_multiplier));
  p.shift = shift;
  const int32_t count = rt::mean_reduced_count(prepared.shape);
  if (count > 0) rt::mean_fold_count(count, &p.multiplier, &p.shift);
  return prepared;
}

namespace {

class MeanKernel : public Kernel {
 public:
  MeanKernel(const ir::Operator& op, const MeanPrepared& prepared) : op_(op), p_(prepared) {}

  void run(const TensorMemory& memory) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    const rt::Status status =
        p_.dtype == ir::DType::kInt8
            ? rt::mean_int8(p_.quantized, p_.shape, memory.get<int8_t>(in), memory.get<int8_t>(out))
            : rt::mean_float(p_.shape, memory.get<float>(in), memory.get<float>(out));
    check_status(status, op_);
  }

 private:
  ir::Operator op_;
  MeanPrepared p_;
};

}  // namespace

KernelPtr make_mean_kernel(const ir::Model& model, const ir::Operator& op) {
  return std::make_unique<MeanKernel>(op, prepare_mean(model, op));
}

}  // namespace kiln::exec
