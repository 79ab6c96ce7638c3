#include "exec/ops/concatenation.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/shape_op_util.h"

namespace kiln::exec {

namespace {
// RuntimeShape's inline capacity, the rank limit TFLM's concatenation enforces.
constexpr size_t kMaxRank = 6;
}  // namespace

ConcatenationPrepared prepare_concatenation(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 1, rt::kConcatenationMaxInputs, "CONCATENATION");
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  const auto* options = std::get_if<ir::ConcatenationOptions>(&op.options);
  const ir::ConcatenationOptions defaults;
  const ir::ConcatenationOptions& opts = options != nullptr ? *options : defaults;

  // TFLM rejects fused activations here, so models never carry one that matters.
  if (opts.activation != ir::Activation::kNone)
    throw Error(fmt::format("CONCATENATION: fused activation {} is not supported",
                            ir::activation_name(opts.activation)));
  if (output.dtype != ir::DType::kFloat32 && output.dtype != ir::DType::kInt8 &&
      output.dtype != ir::DType::kInt16 && output.dtype != ir::DType::kInt32)
    throw Error(fmt::format("CONCATENATION: unsupported type {}", ir::dtype_name(output.dtype)));

  const size_t rank = output.shape.size();
  if (rank == 0 || rank > kMaxRank)
    throw Error(fmt::format("CONCATENATION: output rank {} is not in 1..{}", rank, kMaxRank));
  const int64_t axis = opts.axis < 0 ? opts.axis + static_cast<int64_t>(rank) : opts.axis;
  if (axis < 0 || axis >= static_cast<int64_t>(rank))
    throw Error(fmt::format("CONCATENATION: axis {} is out of range for rank {}", opts.axis, rank));
  const size_t a = static_cast<size_t>(axis);

  ConcatenationPrepared prepared{};
  prepared.dtype = output.dtype;
  prepared.axis = static_cast<int32_t>(axis);
  prepared.params.num_inputs = static_cast<int32_t>(op.inputs.size());
  int64_t axis_total = 0;
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (op.inputs[i] == ir::kNoTensor)
      throw Error(fmt::format("CONCATENATION: input {} is missing", i));
    const ir::Tensor& input = model.tensor(op.inputs[i]);
    // int8 inputs are copied byte for byte like TFLM does, whatever their quantization.
    if (input.dtype != output.dtype)
      throw Error(fmt::format("CONCATENATION: input {} is {} but output is {}", i,
                              ir::dtype_name(input.dtype), ir::dtype_name(output.dtype)));
    if (input.shape.size() != rank)
      throw Error(fmt::format("CONCATENATION: input {} {} and output {} differ in rank", i,
                              shape_text(input.shape), shape_text(output.shape)));
    for (size_t d = 0; d < rank; ++d)
      if (d != a && input.shape[d] != output.shape[d])
        throw Error(fmt::format("CONCATENATION: input {} {} does not match output {} off axis {}",
                                i, shape_text(input.shape), shape_text(output.shape), axis));
    prepared.params.axis_sizes[i] = input.shape[a];
    axis_total += input.shape[a];
  }
  if (axis_total != output.shape[a])
    throw Error(
        fmt::format("CONCATENATION: inputs add up to {} along axis {} but the output {} "
                    "has {}",
                    axis_total, axis, shape_text(output.shape), output.shape[a]));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < a; ++d) outer *= output.shape[d];
  for (size_t d = a + 1; d < rank; ++d) inner *= output.shape[d];
  prepared.params.outer_size = static_cast<int32_t>(outer);
  prepared.params.inner_size = static_cast<int32_t>(inner);
  return prepared;
}

namespace {

class ConcatenationKernel : public Kernel {
 public:
  ConcatenationKernel(const ir::Operator& op, const ConcatenationPrepared& prepared)
      : op_(op), p_(prepared) {}

  void run(const TensorMemory& m) override {
    rt::Status s = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        s = call<float>(m, rt::concatenation_float);
        break;
      case ir::DType::kInt8:
        s = call<int8_t>(m, rt::concatenation_int8);
        break;
      case ir::DType::kInt16:
        s = call<int16_t>(m, rt::concatenation_int16);
        break;
      case ir::DType::kInt32:
        s = call<int32_t>(m, rt::concatenation_int32);
        break;
      default:
        break;
    }
    check_status(s, op_);
  }

 private:
  template <typename T>
  rt::Status call(const TensorMemory& m,
                  rt::Status (*kernel)(const rt::ConcatenationParams&, const T* const*, T*)) {
    const T* inputs[rt::kConcatenationMaxInputs] = {};
    for (size_t i = 0; i < op_.inputs.size(); ++i) inputs[i] = m.get<T>(op_.inputs[i]);
    return kernel(p_.params, inputs, m.get<T>(op_.outputs[0]));
  }

  const ir::Operator& op_;
  ConcatenationPrepared p_;
};

}  // namespace

KernelPtr make_concatenation_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kConcatenation) return nullptr;
  return std::make_unique<ConcatenationKernel>(op, prepare_concatenation(model, op));
}

}  // namespace kiln::exec
