#include "profile/analytic.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "compiler/op_emitter.h"
#include "exec/ops/depthwise_conv2d.h"
#include "exec/prepare_util.h"
#include "ir/op_stats.h"
#include "runtime/conv2d_fast.h"
#include "runtime/depthwise_planar.h"

namespace kiln::profile {

namespace {

// instructions = per_mac * MACs + per_tap * taps + per_output * outputs + per_input * inputs
//              + fixed;  cycles = instructions * cycles_per_instruction.
struct OpCost {
  double per_mac;
  double per_tap;
  double per_output;
  double per_input;
  double fixed;
  double cycles_per_instruction;
};

// Fitted (weighted least squares on relative error) to the per-call instruction counts that
// `kiln profile --json` reports ("calls" against "analytic_ops") for the seven golden models, at
// -O2, with the DSP-extension kernels --opt-speed runs:
// - CONV_2D, runtime/conv2d_fast.h with the packed filter: -56% (small-depth layers) .. +20% per
//   call, with the MACs of all-zero filter rows (pruned channels, which the kernel skips) left
//   out. The single-input-channel DEPTHWISE_CONV_2D run as a convolution: micro_speech's layer.
// - DEPTHWISE_CONV_2D with depth multiplier 1: cost per tap (every golden depthwise layer is 3x3,
//   so taps and outputs cannot be told apart), the channel-planar path (refit on KWS's doubled-step
//   lines) about +5% per call, the pair and padded paths (VWW, refit after their doubled steps)
//   with a per-input term.
//   Other multipliers run the portable kernel and keep its coefficients.
// - FULLY_CONNECTED: runtime/fully_connected_fast.h solved from the autoencoder's five layer
//   shapes (hello_world's tiny layers -12..+1%); the portable kernel -4..+19%. The 16-bit
//   filter variant of --opt-speed: every golden model's layers, -8..+5% (with a per-input term
//   for the widening of the input row and a fixed cost fitted too). The table of a one-input
//   layer (runtime/fully_connected_lookup.h): hello_world's first layer.
// - SOFTMAX with the exp table of --opt-speed: -15..+14% over four models' rows.
// - AVERAGE_POOL_2D int8 in --opt-speed (runtime/pool2d_fast.h): solved from KWS's and VWW's
//   calls (MAX_POOL_2D, in no golden model, is taken to cost the same).
// - UNIDIRECTIONAL_SEQUENCE_LSTM: runtime/lstm_fast.h from mnist_lstm's one call.
// The others are fitted to the portable kernels.
// Refit when the kernels change with bench/profile_fit.py.
// When the compiler picks the portable kernel for an int8 convolution, depthwise convolution or
// fully connected layer (--opt-memory, where the fast one's scratch would grow the arena), the
// portable kernels' own coefficients apply (fitted before the fast kernels existed).
OpCost portable_cost_of(ir::OpType type) {
  switch (type) {
    case ir::OpType::kConv2D:
      return {7.2, 39.4, 108.0, 0.0, 200.0, 1.45};
    case ir::OpType::kDepthwiseConv2D:
      return {0.0, 24.0, 154.0, 0.0, 200.0, 1.35};
    case ir::OpType::kUnidirectionalSequenceLstm:
      return {8.0, 0.0, 190.0, 0.0, 2000.0, 1.44};
    default:
      return {7.0, 0.0, 69.5, 0.0, 135.0, 1.42};  // FULLY_CONNECTED
  }
}

// True if speed mode's packed convolution kernel runs the operator (an int8 CONV_2D, or a
// DEPTHWISE_CONV_2D run as one) from a widened copy of its depth-one input (the plane of
// runtime/conv2d_fast.h), which it reserves scratch for.
bool runs_from_plane(const ir::Model& model, const ir::Operator& op) {
  if (op.inputs.size() < 2 || op.inputs[1] == ir::kNoTensor || op.outputs.empty()) return false;
  const rt::Shape4 in = exec::to_shape4(model.tensor(op.inputs[0]).shape);
  const rt::Shape4 out = exec::to_shape4(model.tensor(op.outputs[0]).shape);
  rt::Shape4 filter = exec::to_shape4(model.tensor(op.inputs[1]).shape);
  if (op.type == ir::OpType::kDepthwiseConv2D) filter = {filter.c, filter.h, filter.w, 1};
  return rt::conv2d_int8_fast_packed_scratch_bytes(in, filter, out) >
         rt::conv2d_int8_fast_scratch_bytes(in, filter, out);
}

OpCost cost_of(const ir::Model& model, const ir::Operator& op, bool fast_kernel,
               bool speed_tables) {
  using ir::OpType;
  const OpCost conv = {1.04, 0.39, 11.13, 0.0, 200.0, 1.153};
  // Depth-one layers from the plane: the SMLAD loop per MAC, the output step per output, and
  // the column copies per input value (each lies in several windows); solved from KWS's first
  // layer and micro_speech's.
  const OpCost conv_from_plane = {1.129, 0.0, 3.0, 48.3, 200.0, 1.18};
  if (!fast_kernel && compiler::has_fast_kernel(model, op)) return portable_cost_of(op.type);
  switch (op.type) {
    case OpType::kConv2D:
      return speed_tables && runs_from_plane(model, op) ? conv_from_plane : conv;
    case OpType::kDepthwiseConv2D: {
      // One input channel widened by the multiplier runs as a convolution, of depth one: about
      // two instructions per MAC (micro_speech's layer) without the plane of speed mode.
      if (compiler::depthwise_runs_as_conv(model, op))
        return speed_tables && runs_from_plane(model, op)
                   ? conv_from_plane
                   : OpCost{0.0, 2.01, 0.0, 0.0, 200.0, 1.27};
      const auto* options = std::get_if<ir::DepthwiseConv2DOptions>(&op.options);
      if (options && options->depth_multiplier != 1) return {0.0, 24.0, 154.0, 0.0, 200.0, 1.35};
      // 3x3 stride-1 layers with long enough lines run the channel-planar path
      // (runtime/depthwise_planar.h); the others the channel-quad loops.
      const exec::DepthwiseConv2DPrepared p = exec::prepare_depthwise_conv2d(model, op);
      if (p.dtype == ir::DType::kInt8 &&
          rt::depthwise_planar_plan(p.params, p.input_shape, p.filter_shape, p.output_shape,
                                    SIZE_MAX)
                  .group > 0)
        return {0.0, 2.63, 0.0, 0.0, 200.0, 1.38};
      return {0.0, 2.05, 0.0, 4.13, 200.0, 1.17};
    }
    case OpType::kFullyConnected:
      // int8 layers with a constant filter run the DSP kernel (runtime/fully_connected_fast.h),
      // with the filter widened to 16 bits in speed mode.
      if (compiler::fully_connected_runs_fast(model, op)) {
        // One input value per row: a row copied from the table of speed mode.
        if (speed_tables && compiler::fully_connected_runs_as_lookup(model, op))
          return {0.0, 0.0, 2.5, 0.0, 15.0, 1.71};
        if (speed_tables) return {0.707, 0.0, 11.96, 1.52, 82.4, 1.86};
        return {1.254, 0.0, 14.7, 1.5, 250.0, 1.34};
      }
      return {6.94, 0.0, 64.3, 0.0, 200.0, 1.42};
    case OpType::kUnidirectionalSequenceLstm:
      // The int8 DSP kernel (runtime/lstm_fast.h), from mnist_lstm's one call with its SMLAD
      // loop's 1.2 instructions per MAC taken as known; the float kernel keeps the portable cost.
      if (compiler::has_fast_kernel(model, op)) return {1.2, 0.0, 121.0, 0.0, 2000.0, 1.59};
      return {8.0, 0.0, 190.0, 0.0, 2000.0, 1.44};
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
      // Speed mode's int8 pooling works on four channels per word (runtime/pool2d_fast.h).
      if (speed_tables && !op.inputs.empty() &&
          model.tensor(op.inputs[0]).dtype == ir::DType::kInt8)
        return {0.0, 2.05, 25.7, 0.0, 100.0, 1.45};
      return {0.0, 7.5, 39.0, 0.0, 200.0, 1.41};
    case OpType::kMean:
      // Channels summed sixteen at a time (runtime/mean.cpp), from magic_wand's call.
      return {0.0, 0.0, 130.0, 3.5, 200.0, 1.50};
    case OpType::kSoftmax:
      // Speed mode reads the exps of int8 rows from a table (runtime/softmax.h).
      if (speed_tables && !op.inputs.empty() &&
          model.tensor(op.inputs[0]).dtype == ir::DType::kInt8)
        return {0.0, 0.0, 44.8, 0.0, 405.0, 1.32};
      return {0.0, 0.0, 350.0, 0.0, 1200.0, 1.29};
    case OpType::kReshape:
    case OpType::kSqueeze:
    case OpType::kExpandDims:
      return {0.0, 0.0, 0.0, 0.0, 10.0, 1.0};
    // Not fitted (no golden model uses them): a generic elementwise cost.
    case OpType::kLogistic:
    case OpType::kTanh:
      return {0.0, 0.0, 60.0, 0.0, 100.0, 1.35};
    default:
      return {0.0, 0.0, 25.0, 0.0, 100.0, 1.4};
  }
}

int64_t elements_of(const ir::Model& model, const std::vector<int32_t>& tensors) {
  if (tensors.empty() || tensors[0] == ir::kNoTensor) return 0;
  return model.tensor(tensors[0]).num_elements();
}

int64_t filter_area(const ir::Model& model, const ir::Operator& op) {
  if (const auto* pool = std::get_if<ir::Pool2DOptions>(&op.options))
    return int64_t{pool->filter_h} * pool->filter_w;
  if ((op.type == ir::OpType::kConv2D || op.type == ir::OpType::kDepthwiseConv2D) &&
      op.inputs.size() > 1 && op.inputs[1] != ir::kNoTensor) {
    const ir::Tensor& filter = model.tensor(op.inputs[1]);  // [out_c or 1, kh, kw, in_c or out_c]
    if (filter.shape.size() == 4) return int64_t{filter.shape[1]} * filter.shape[2];
  }
  return 0;
}

// The share of a convolution's output channels whose constant int8 filter row is not all zero:
// pruned channels (VWW's deep pointwise layers have many) have a constant output, and the fast
// kernel skips their products.
double active_channel_share(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kConv2D || op.inputs.size() < 2 || op.inputs[1] == ir::kNoTensor)
    return 1.0;
  const ir::Tensor& filter = model.tensor(op.inputs[1]);
  if (filter.dtype != ir::DType::kInt8 || filter.shape.size() != 4 || filter.shape[0] < 1 ||
      filter.data.size() != static_cast<size_t>(filter.num_elements()))
    return 1.0;
  const size_t rows = static_cast<size_t>(filter.shape[0]);
  const size_t row_bytes = filter.data.size() / rows;
  size_t active = 0;
  for (size_t r = 0; r < rows; ++r) {
    const auto* row = filter.data.data() + r * row_bytes;
    active += std::any_of(row, row + row_bytes, [](uint8_t b) { return b != 0; }) ? 1 : 0;
  }
  return static_cast<double>(active) / static_cast<double>(rows);
}

}  // namespace

OpFeatures op_features(const ir::Model& model, const ir::Operator& op) {
  OpFeatures f;
  f.macs =
      std::llround(static_cast<double>(ir::op_macs(model, op)) * active_channel_share(model, op));
  f.outputs = elements_of(model, op.outputs);
  f.inputs = elements_of(model, op.inputs);
  f.taps = f.outputs * filter_area(model, op);
  return f;
}

AnalyticEstimate analytic_estimate(const ir::Model& model, const std::vector<bool>& fast_kernel,
                                   bool speed_tables) {
  AnalyticEstimate e;
  for (size_t k = 0; k < model.operators.size(); ++k) {
    const ir::Operator& op = model.operators[k];
    const OpCost c = cost_of(model, op, k >= fast_kernel.size() || fast_kernel[k], speed_tables);
    OpEstimate o;
    o.op = ir::op_name(op.type);
    o.features = op_features(model, op);
    const OpFeatures& f = o.features;
    const double instructions = c.per_mac * static_cast<double>(f.macs) +
                                c.per_tap * static_cast<double>(f.taps) +
                                c.per_output * static_cast<double>(f.outputs) +
                                c.per_input * static_cast<double>(f.inputs) + c.fixed;
    o.instructions = static_cast<uint64_t>(std::llround(instructions));
    o.cycles = static_cast<uint64_t>(std::llround(instructions * c.cycles_per_instruction));
    e.instructions += o.instructions;
    e.cycles += o.cycles;
    e.ops.push_back(o);
  }
  return e;
}

}  // namespace kiln::profile
