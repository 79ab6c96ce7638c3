#include "exec/ops/reshape.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/shape_op_util.h"

namespace kiln::exec {

namespace {

bool is_quantized_type(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8 || t == ir::DType::kInt16;
}

// Checks shared by the three operators once the implied output shape is known.
ReshapePrepared finish(const ir::Model& model, const ir::Operator& op,
                       const std::vector<int32_t>& implied, const char* name) {
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != output.dtype)
    throw Error(fmt::format("{}: input is {} but output is {}", name, ir::dtype_name(input.dtype),
                            ir::dtype_name(output.dtype)));
  if (implied != output.shape)
    throw Error(fmt::format("{}: the operator gives shape {} but the output tensor is {}", name,
                            shape_text(implied), shape_text(output.shape)));
  if (input.num_elements() != output.num_elements())
    throw Error(fmt::format("{}: input {} and output {} differ in element count", name,
                            shape_text(input.shape), shape_text(output.shape)));
  // The bytes are reused as they are, so they must mean the same values on both sides.
  if (is_quantized_type(input.dtype) && !(input.quant == output.quant))
    throw Error(fmt::format("{}: input and output quantization differ", name));
  ReshapePrepared prepared;
  prepared.params.num_bytes = static_cast<int32_t>(input.num_bytes());
  prepared.output_shape = implied;
  return prepared;
}

// Replaces a single -1 by whatever makes the element count equal `elements`.
std::vector<int32_t> resolve_new_shape(const std::vector<int64_t>& requested, int64_t elements) {
  std::vector<int32_t> shape;
  int64_t known = 1;
  int stretch = -1;
  for (size_t i = 0; i < requested.size(); ++i) {
    const int64_t d = requested[i];
    if (d == -1) {
      if (stretch >= 0) throw Error("RESHAPE: new shape has more than one -1");
      stretch = static_cast<int>(i);
      shape.push_back(-1);
      continue;
    }
    if (d < 0 || d > INT32_MAX)
      throw Error(fmt::format("RESHAPE: new shape has invalid dimension {}", d));
    known *= d;
    if (known > INT32_MAX) throw Error("RESHAPE: new shape is too large");
    shape.push_back(static_cast<int32_t>(d));
  }
  if (stretch >= 0) {
    if (known == 0 || elements % known != 0)
      throw Error(fmt::format("RESHAPE: cannot infer the -1 dimension for {} elements", elements));
    shape[static_cast<size_t>(stretch)] = static_cast<int32_t>(elements / known);
  }
  return shape;
}

}  // namespace

ReshapePrepared prepare_reshape(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 1, 2, "RESHAPE");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  const ir::Tensor* shape_input = model.optional_input(op, 1);

  std::vector<int32_t> implied = output.shape;
  if (shape_input != nullptr && shape_input->is_constant()) {
    implied = resolve_new_shape(constant_int_values(*shape_input, "RESHAPE", "shape input"),
                                input.num_elements());
  } else if (shape_input == nullptr) {
    const auto* options = std::get_if<ir::ReshapeOptions>(&op.options);
    if (options != nullptr && !options->new_shape.empty()) {
      // Old converters wrote [0] for a scalar result.
      if (options->new_shape == std::vector<int32_t>{0} && output.shape.empty()) {
        implied.clear();
      } else {
        const std::vector<int64_t> requested(options->new_shape.begin(), options->new_shape.end());
        implied = resolve_new_shape(requested, input.num_elements());
      }
    }
  }
  return finish(model, op, implied, "RESHAPE");
}

ReshapePrepared prepare_squeeze(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 1, 1, "SQUEEZE");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const int rank = static_cast<int>(input.shape.size());
  if (rank > 8) throw Error(fmt::format("SQUEEZE: input rank {} exceeds 8", rank));
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  const auto* options = std::get_if<ir::SqueezeOptions>(&op.options);
  if (options == nullptr || options->squeeze_dims.empty()) {
    for (int i = 0; i < rank; ++i) drop[static_cast<size_t>(i)] = input.shape[i] == 1;
  } else {
    for (int32_t axis : options->squeeze_dims) {
      const int resolved = axis < 0 ? axis + rank : axis;
      if (resolved < 0 || resolved >= rank)
        throw Error(fmt::format("SQUEEZE: axis {} is out of range for rank {}", axis, rank));
      if (input.shape[static_cast<size_t>(resolved)] != 1)
        throw Error(fmt::format("SQUEEZE: axis {} of input {} is not of size 1", axis,
                                shape_text(input.shape)));
      drop[static_cast<size_t>(resolved)] = true;
    }
  }
  std::vector<int32_t> implied;
  for (int i = 0; i < rank; ++i)
    if (!drop[static_cast<size_t>(i)]) implied.push_back(input.shape[static_cast<size_t>(i)]);
  return finish(model, op, implied, "SQUEEZE");
}

ReshapePrepared prepare_expand_dims(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 2, 2, "EXPAND_DIMS");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& axis_tensor = model.tensor(op.inputs[1]);
  if (axis_tensor.shape.size() > 1 || axis_tensor.num_elements() != 1)
    throw Error("EXPAND_DIMS: axis must hold exactly one value");
  const int64_t axis = constant_int_values(axis_tensor, "EXPAND_DIMS", "axis")[0];
  const int64_t rank = static_cast<int64_t>(input.shape.size());
  const int64_t resolved = axis < 0 ? axis + rank + 1 : axis;
  if (resolved < 0 || resolved > rank)
    throw Error(fmt::format("EXPAND_DIMS: axis {} is out of range for rank {}", axis, rank));
  std::vector<int32_t> implied = input.shape;
  implied.insert(implied.begin() + resolved, 1);
  return finish(model, op, implied, "EXPAND_DIMS");
}

namespace {

class ReshapeKernel : public Kernel {
 public:
  ReshapeKernel(const ir::Operator& op, ReshapePrepared prepared)
      : op_(op), prepared_(std::move(prepared)) {}

  void run(const TensorMemory& memory) override {
    check_status(rt::reshape(prepared_.params, memory.get<uint8_t>(op_.inputs[0]),
                             memory.get<uint8_t>(op_.outputs[0])),
                 op_);
  }

 private:
  const ir::Operator& op_;
  ReshapePrepared prepared_;
};

}  // namespace

KernelPtr make_reshape_kernel(const ir::Model& model, const ir::Operator& op) {
  switch (op.type) {
    case ir::OpType::kReshape:
      return std::make_unique<ReshapeKernel>(op, prepare_reshape(model, op));
    case ir::OpType::kSqueeze:
      return std::make_unique<ReshapeKernel>(op, prepare_squeeze(model, op));
    case ir::OpType::kExpandDims:
      return std::make_unique<ReshapeKernel>(op, prepare_expand_dims(model, op));
    default:
      return nullptr;
  }
}

}  // namespace kiln::exec
