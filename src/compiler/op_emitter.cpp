#include "compiler/op_emitter.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/lstm.h"
#include "exec/prepare_util.h"
#include "runtime/conv2d_fast.h"
#include "runtime/depthwise_conv2d_fast.h"

namespace kiln::compiler {

EmittedOp emit_op(const EmitContext& ctx) {
  EmittedOp out;
  if (emit_conv_family(ctx, out) || emit_arithmetic_family(ctx, out) ||
      emit_shape_family(ctx, out) || emit_lstm_family(ctx, out))
    return out;
  std::string types;
  for (int32_t i : ctx.op.inputs)
    if (i != ir::kNoTensor)
      types += std::string(types.empty() ? "" : ", ") + ir::dtype_name(ctx.model.tensor(i).dtype);
  throw Error(fmt::format("the compiler does not support {} with inputs ({})",
                          ir::op_name(ctx.op.type), types));
}

namespace {

// The fast int8 kernels' scratch depends on shapes only, read from the tensors directly so that
// it also works for a convolution that took over a folded PAD (its input is the unpadded one).
bool int8_op(const ir::Model& model, const ir::Operator& op) {
  return !op.inputs.empty() && op.inputs[0] != ir::kNoTensor &&
         model.tensor(op.inputs[0]).dtype == ir::DType::kInt8;
}

rt::Shape4 shape_of(const ir::Model& model, int32_t tensor) {
  return exec::to_shape4(model.tensor(tensor).shape);
}

}  // namespace

int64_t op_scratch_bytes(const ir::Model& model, const ir::Operator& op) {
  switch (op.type) {
    case ir::OpType::kUnidirectionalSequenceLstm:
      return static_cast<int64_t>(exec::prepare_lstm(model, op).scratch_bytes);
    case ir::OpType::kConv2D:
      if (!int8_op(model, op) || op.inputs.size() < 2) return 0;
      return static_cast<int64_t>(rt::conv2d_int8_fast_scratch_bytes(
          shape_of(model, op.inputs[0]), shape_of(model, op.inputs[1]),
          shape_of(model, op.outputs.at(0))));
    case ir::OpType::kDepthwiseConv2D:
      // The in-place variant's extra planes come with the in-place plan (output_sharing.cpp).
      if (!int8_op(model, op)) return 0;
      return static_cast<int64_t>(
          rt::depthwise_conv2d_int8_fast_scratch_bytes(shape_of(model, op.outputs.at(0))));
    // The other kernels work in their output (or registers) only.
    case ir::OpType::kAdd:
    case ir::OpType::kAveragePool2D:
    case ir::OpType::kConcatenation:
    case ir::OpType::kDequantize:
    case ir::OpType::kExpandDims:
    case ir::OpType::kFullyConnected:
    case ir::OpType::kLeakyRelu:
    case ir::OpType::kLogistic:
    case ir::OpType::kMaxPool2D:
    case ir::OpType::kMean:
    case ir::OpType::kMul:
    case ir::OpType::kPad:
    case ir::OpType::kQuantize:
    case ir::OpType::kRelu:
    case ir::OpType::kRelu6:
    case ir::OpType::kReshape:
    case ir::OpType::kSoftmax:
    case ir::OpType::kSqueeze:
    case ir::OpType::kStridedSlice:
    case ir::OpType::kSub:
    case ir::OpType::kTanh:
    case ir::OpType::kTranspose:
      return 0;
  }
  throw Error(fmt::format("the compiler does not know the scratch needs of operator type {}",
                          static_cast<int>(op.type)));
}

}  // namespace kiln::compiler
