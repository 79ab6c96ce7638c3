#include "exec/ops/transpose.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/shape_op_util.h"

namespace kiln::exec {

TransposePrepared prepare_transpose(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 2, 2, "TRANSPOSE");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& perm_tensor = model.tensor(op.inputs[1]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != output.dtype)
    throw Error(fmt::format("TRANSPOSE: input is {} but output is {}", ir::dtype_name(input.dtype),
                            ir::dtype_name(output.dtype)));
  if (input.dtype != ir::DType::kFloat32 && input.dtype != ir::DType::kInt8 &&
      input.dtype != ir::DType::kInt16 && input.dtype != ir::DType::kInt32)
    throw Error(fmt::format("TRANSPOSE: unsupported type {}", ir::dtype_name(input.dtype)));
  const size_t rank = input.shape.size();
  if (rank < 1 || rank > rt::kTransposeMaxRank)
    throw Error(
        fmt::format("TRANSPOSE: input rank {} is not in 1..{}", rank, int{rt::kTransposeMaxRank}));

  const auto perm = constant_int_values(perm_tensor, "TRANSPOSE", "perm");
  if (perm_tensor.shape.size() != 1 || perm.size() != rank)
    throw Error(
        fmt::format("TRANSPOSE: perm {} must list {} axes", shape_text(perm_tensor.shape), rank));
  TransposePrepared prepared{};
  prepared.dtype = input.dtype;
  prepared.params.rank = static_cast<int32_t>(rank);
  std::vector<bool> seen(rank, false);
  std::vector<int32_t> implied(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Like TFLM, negative entries are rejected rather than counted from the back.
    if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(rank) || seen[perm[i]])
      throw Error(fmt::format("TRANSPOSE: perm is not a permutation of 0..{}", rank - 1));
    seen[perm[i]] = true;
    prepared.params.perm[i] = static_cast<int32_t>(perm[i]);
    prepared.params.input_shape[i] = input.shape[i];
    implied[i] = input.shape[static_cast<size_t>(perm[i])];
  }
  if (implied != output.shape)
    throw Error(fmt::format("TRANSPOSE: permuting {} gives {} but the output tensor is {}",
                            shape_text(input.shape), shape_text(implied),
                            shape_text(output.shape)));
  return prepared;
}

namespace {

class TransposeKernel : public Kernel {
 public:
  TransposeKernel(const ir::Operator& op, const TransposePrepared& prepared)
      : op_(op), p_(prepared) {}

  void run(const TensorMemory& m) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status s = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        s = rt::transpose_float(p_.params, m.get<float>(in), m.get<float>(out));
        break;
      case ir::DType::kInt8:
        s = rt::transpose_int8(p_.params, m.get<int8_t>(in), m.get<int8_t>(out));
        break;
      case ir::DType::kInt16:
        s = rt::transpose_int16(p_.params, m.get<int16_t>(in), m.get<int16_t>(out));
        break;
      case ir::DType::kInt32:
        s = rt::transpose_int32(p_.params, m.get<int32_t>(in), m.get<int32_t>(out));
        break;
      default:
        break;
    }
    check_status(s, op_);
  }

 private:
  const ir::Operator& op_;
  TransposePrepared p_;
};

}  // namespace

KernelPtr make_transpose_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kTranspose) return nullptr;
  return std::make_unique<TransposeKernel>(op, prepare_transpose(model, op));
}

}  // namespace kiln::exec
