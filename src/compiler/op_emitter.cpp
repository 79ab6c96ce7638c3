#include "compiler/op_emitter.h"

#include <fmt/format.h>

#include "core/error.h"
#include "exec/ops/fully_connected.h"
#include "exec/ops/lstm.h"
#include "exec/prepare_util.h"
#include "runtime/conv2d_fast.h"
#include "runtime/depthwise_conv2d_fast.h"
#include "runtime/fully_connected_fast.h"
#include "runtime/fully_connected_lookup.h"
#include "runtime/lstm_fast.h"

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

bool depthwise_runs_as_conv(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kDepthwiseConv2D || !int8_op(model, op) || op.inputs.size() < 2 ||
      op.inputs[1] == ir::kNoTensor || op.outputs.empty())
    return false;
  const ir::Tensor& filter = model.tensor(op.inputs[1]);
  const rt::Shape4 in = shape_of(model, op.inputs[0]);
  const rt::Shape4 out = shape_of(model, op.outputs[0]);
  // A single input channel widened to several outputs never runs in place (that needs equal
  // channel counts), and the filter must be a constant to transpose.
  return in.c == 1 && out.c > 1 && !filter.data.empty() && filter.dtype == ir::DType::kInt8;
}

bool fully_connected_runs_fast(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kFullyConnected || !int8_op(model, op) || op.inputs.size() < 2 ||
      op.inputs[1] == ir::kNoTensor || op.outputs.empty())
    return false;
  const ir::Tensor& filter = model.tensor(op.inputs[1]);
  if (filter.dtype != ir::DType::kInt8 || filter.data.empty()) return false;
  const exec::FullyConnectedPrepared p = exec::prepare_fully_connected(model, op);
  // The filter is reordered ahead of time, so it must be the constant itself, whole.
  return p.dtype == ir::DType::kInt8 && rt::fully_connected_int8_fast_scratch_bytes(p.dims) > 0 &&
         filter.data.size() ==
             static_cast<size_t>(p.dims.output_depth) * static_cast<size_t>(p.dims.input_depth);
}

bool fully_connected_runs_as_lookup(const ir::Model& model, const ir::Operator& op) {
  if (!fully_connected_runs_fast(model, op)) return false;
  const exec::FullyConnectedPrepared p = exec::prepare_fully_connected(model, op);
  const size_t bytes = rt::fully_connected_int8_lookup_table_bytes(p.dims);
  if (bytes == 0 || bytes > static_cast<size_t>(kMaxLookupTableBytes)) return false;
  return !p.has_bias || (p.bias_dtype == ir::DType::kInt32 &&
                         model.tensor(op.inputs[2]).data.size() ==
                             static_cast<size_t>(p.dims.output_depth) * sizeof(int32_t));
}

bool has_fast_kernel(const ir::Model& model, const ir::Operator& op) {
  switch (op.type) {
    case ir::OpType::kConv2D:
    case ir::OpType::kDepthwiseConv2D:
      return int8_op(model, op) && op.inputs.size() >= 2 && !op.outputs.empty();
    case ir::OpType::kFullyConnected:
      return fully_connected_runs_fast(model, op);
    case ir::OpType::kUnidirectionalSequenceLstm:
      return int8_op(model, op);
    default:
      return false;
  }
}

int64_t op_scratch_bytes(const ir::Model& model, const ir::Operator& op, bool fast,
                         bool packed_filters) {
  if (!fast && op.type != ir::OpType::kUnidirectionalSequenceLstm) {
    // The portable kernels work in their output; only the check below for unknown types runs.
    switch (op.type) {
      case ir::OpType::kConv2D:
      case ir::OpType::kDepthwiseConv2D:
      case ir::OpType::kFullyConnected:
        return 0;
      default:
        break;
    }
  }
  switch (op.type) {
    case ir::OpType::kUnidirectionalSequenceLstm: {
      // The int8 fast kernel (runtime/lstm_fast.h) only needs the widened input and hidden rows.
      const exec::LstmPrepared p = exec::prepare_lstm(model, op);
      if (fast && p.dtype == ir::DType::kInt8)
        return static_cast<int64_t>(rt::lstm_int8_fast_scratch_bytes(p.int8_params.dims));
      return static_cast<int64_t>(p.scratch_bytes);
    }
    case ir::OpType::kConv2D:
      if (!int8_op(model, op) || op.inputs.size() < 2) return 0;
      return static_cast<int64_t>((packed_filters ? rt::conv2d_int8_fast_packed_scratch_bytes
                                                  : rt::conv2d_int8_fast_scratch_bytes)(
          shape_of(model, op.inputs[0]), shape_of(model, op.inputs[1]),
          shape_of(model, op.outputs.at(0))));
    case ir::OpType::kDepthwiseConv2D:
      // The in-place variant's extra planes come with the in-place plan (output_sharing.cpp).
      if (!int8_op(model, op)) return 0;
      if (depthwise_runs_as_conv(model, op)) {
        const rt::Shape4 f = shape_of(model, op.inputs[1]);  // {1, H, W, multiplier}
        return static_cast<int64_t>((packed_filters ? rt::conv2d_int8_fast_packed_scratch_bytes
                                                    : rt::conv2d_int8_fast_scratch_bytes)(
            shape_of(model, op.inputs[0]), {f.c, f.h, f.w, 1}, shape_of(model, op.outputs.at(0))));
      }
      return static_cast<int64_t>(
          rt::depthwise_conv2d_int8_fast_scratch_bytes(shape_of(model, op.outputs.at(0))));
    case ir::OpType::kFullyConnected: {
      if (!fully_connected_runs_fast(model, op)) return 0;
      return static_cast<int64_t>(rt::fully_connected_int8_fast_scratch_bytes(
          exec::prepare_fully_connected(model, op).dims));
    }
    // The other kernels work in their output (or registers) only.
    case ir::OpType::kAdd:
    case ir::OpType::kAveragePool2D:
    case ir::OpType::kConcatenation:
    case ir::OpType::kDequantize:
    case ir::OpType::kExpandDims:
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
