// Emitters for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D and MAX_POOL_2D.
// Each runs the executor's prepare step and spells its results, so generated code and the host
// executor use the same constants.
#include "compiler/emit_util.h"
#include "core/error.h"
#include "exec/ops/conv2d.h"
#include "exec/ops/depthwise_conv2d.h"
#include "exec/ops/fully_connected.h"
#include "exec/ops/pool2d.h"
#include "exec/prepare_util.h"
#include "runtime/conv2d_fast.h"
#include "runtime/fully_connected_fast.h"
#include "runtime/fully_connected_lookup.h"

namespace kiln::compiler {

namespace {

// The emitters below spell the int8 and float32 kernels; anything else (int16 activations) must
// fail loudly rather than fall through to the wrong kernel.
void require_float(ir::DType dtype) {
  if (dtype != ir::DType::kFloat32)
    throw Error(
        fmt::format("{} activations are not supported by the compiler yet", ir::dtype_name(dtype)));
}

std::string act_pair_int(int32_t lo, int32_t hi) {
  return fmt::format("{}, {}", lo, hi);
}
std::string act_pair_float(float lo, float hi) {
  return fmt::format("{}, {}", float_literal(lo), float_literal(hi));
}

// Runs a convolution's prepare step. A convolution that took over a folded PAD is prepared as
// it was before folding (reading the PAD's output, so the IR's VALID output size checks out),
// then told to read the unpadded input with the PAD's leading rows and columns as its own
// padding; trailing padding needs no parameter, the output size already implies it.
template <typename Prepared>
Prepared prepare_conv_like(const EmitContext& ctx,
                           Prepared (*prepare)(const ir::Model&, const ir::Operator&)) {
  const ExplicitPadding* folded = ctx.explicit_padding;
  if (folded == nullptr) return prepare(ctx.model, ctx.op);
  if (ctx.in_place) throw Error("a convolution with folded padding cannot run in place");
  ir::Operator unfolded = ctx.op;
  unfolded.inputs.at(0) = folded->padded_input;
  Prepared p = prepare(ctx.model, unfolded);
  p.input_shape = exec::to_shape4(ctx.model.tensor(ctx.op.inputs[0]).shape);
  p.params.window.pad_h = p.float_params.window.pad_h = folded->pad_h;
  p.params.window.pad_w = p.float_params.window.pad_w = folded->pad_w;
  return p;
}

void emit_conv2d(const EmitContext& ctx, EmittedOp& out) {
  const exec::Conv2DPrepared p = prepare_conv_like(ctx, &exec::prepare_conv2d);
  out.runtime_files.insert("runtime/conv2d.h");
  const auto& op = ctx.op;
  const std::string in_shape = geometry_constant(ctx, out, "kiln::rt::Shape4", "input_shape",
                                                 literal(p.input_shape), kBandInputRows);
  const std::string f_shape =
      define_constant(out, ctx.prefix, "kiln::rt::Shape4", "filter_shape", literal(p.filter_shape));
  const std::string o_shape = geometry_constant(ctx, out, "kiln::rt::Shape4", "output_shape",
                                                literal(p.output_shape), kBandOutputRows);
  if (p.dtype == ir::DType::kInt8) {
    const auto& q = p.params;
    const std::string params =
        geometry_constant(ctx, out, "kiln::rt::Conv2DParams", "params",
                          fmt::format("{{{}, {}, {}, {}}}", literal(q.window), q.input_offset,
                                      q.output_offset, act_pair_int(q.act_min, q.act_max)),
                          kBandTopPadding);
    const std::string mult = define_int32_array(out, ctx.prefix, "multiplier", p.output_multiplier);
    const std::string shift = define_int32_array(out, ctx.prefix, "shift", p.output_shift);
    if (!ctx.fast_kernel) {
      // The portable kernels need no scratch; the pointwise in-place one stages a pixel.
      const std::string common =
          fmt::format("{}, {}, {}, {}, {}, {}, {}, {}, {}", params, mult, shift, in_shape,
                      ctx.input(op.inputs[0], "int8_t"), f_shape, ctx.input(op.inputs[1], "int8_t"),
                      optional_input(ctx, 2, "int32_t"), o_shape);
      if (ctx.in_place) {
        out.runtime_files.insert("runtime/conv2d_pointwise_in_place.h");
        out.call = fmt::format("  status = kiln::rt::conv2d_pointwise_int8_in_place({}, {}, {});\n",
                               common, ctx.output(op.outputs[0], "int8_t"), ctx.scratch("int8_t"));
      } else {
        out.call = fmt::format("  status = kiln::rt::conv2d_int8({}, {});\n", common,
                               ctx.output(op.outputs[0], "int8_t"));
      }
      return;
    }
    // The fast kernel (runtime/conv2d_fast.h) writes pixels in memory order after reading their
    // windows, so it also serves the placements of the memory plan: a shifted output, and the
    // pointwise in-place one (runtime/conv2d_pointwise_in_place.h).
    out.runtime_files.insert("runtime/conv2d_fast.h");
    // A constant, ungrouped filter is packed here, ahead of time, into the order and width the
    // kernel's inner loop reads (conv2d_int8_fast_pack_filter); the int8 original is then unused.
    const ir::Tensor& filter = ctx.model.tensor(op.inputs[1]);
    const size_t filter_elements = static_cast<size_t>(p.filter_shape.n) * p.filter_shape.h *
                                   p.filter_shape.w * p.filter_shape.c;
    std::string filter_arg, fn = "conv2d_int8_fast";
    if (ctx.pack_filters && p.filter_shape.c == p.input_shape.c &&
        filter.data.size() == filter_elements) {
      std::vector<int32_t> packed(rt::conv2d_int8_fast_packed_filter_words(p.filter_shape));
      if (packed.empty() || rt::conv2d_int8_fast_pack_filter(
                                p.filter_shape, reinterpret_cast<const int8_t*>(filter.data.data()),
                                packed.data()) != rt::kOk)
        throw Error(fmt::format("cannot pack the filter of convolution '{}'",
                                ctx.model.tensor(op.outputs[0]).name));
      filter_arg = define_int32_array(out, ctx.prefix, "packed_filter", packed);
      fn = "conv2d_int8_fast_packed";
    } else {
      filter_arg = ctx.input(op.inputs[1], "int8_t");
    }
    out.call = fmt::format("  status = kiln::rt::{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});\n",
                           fn, params, mult, shift, in_shape, ctx.input(op.inputs[0], "int8_t"),
                           f_shape, filter_arg, optional_input(ctx, 2, "int32_t"), o_shape,
                           ctx.output(op.outputs[0], "int8_t"), ctx.scratch("void"));
  } else {
    require_float(p.dtype);
    const auto& q = p.float_params;
    const std::string params = geometry_constant(
        ctx, out, "kiln::rt::Conv2DFloatParams", "params",
        fmt::format("{{{}, {}}}", literal(q.window), act_pair_float(q.act_min, q.act_max)),
        kBandTopPadding);
    out.call = fmt::format("  status = kiln::rt::conv2d_float({}, {}, {}, {}, {}, {}, {}, {});\n",
                           params, in_shape, ctx.input(op.inputs[0], "float"), f_shape,
                           ctx.input(op.inputs[1], "float"), optional_input(ctx, 2, "float"),
                           o_shape, ctx.output(op.outputs[0], "float"));
  }
}

void emit_depthwise_conv2d(const EmitContext& ctx, EmittedOp& out) {
  const exec::DepthwiseConv2DPrepared p = prepare_conv_like(ctx, &exec::prepare_depthwise_conv2d);
  out.runtime_files.insert("runtime/depthwise_conv2d.h");
  const auto& op = ctx.op;
  const std::string in_shape = geometry_constant(ctx, out, "kiln::rt::Shape4", "input_shape",
                                                 literal(p.input_shape), kBandInputRows);
  const std::string f_shape =
      define_constant(out, ctx.prefix, "kiln::rt::Shape4", "filter_shape", literal(p.filter_shape));
  const std::string o_shape = geometry_constant(ctx, out, "kiln::rt::Shape4", "output_shape",
                                                literal(p.output_shape), kBandOutputRows);
  if (p.dtype == ir::DType::kInt8) {
    const auto& q = p.params;
    const std::string params = geometry_constant(
        ctx, out, "kiln::rt::DepthwiseConv2DParams", "params",
        fmt::format("{{{}, {}, {}, {}, {}}}", literal(q.window), q.depth_multiplier, q.input_offset,
                    q.output_offset, act_pair_int(q.act_min, q.act_max)),
        kBandTopPadding);
    const std::string mult = define_int32_array(out, ctx.prefix, "multiplier", p.output_multiplier);
    const std::string shift = define_int32_array(out, ctx.prefix, "shift", p.output_shift);
    if (!ctx.fast_kernel) {
      if (ctx.in_place) {
        if (!ctx.same_memory(op.inputs[0], op.outputs[0]))
          throw Error("in-place depthwise convolution planned on separate input and output memory");
        out.runtime_files.insert("runtime/depthwise_conv2d_in_place.h");
        out.call = fmt::format(
            "  status = kiln::rt::depthwise_conv2d_int8_in_place({}, {}, {}, {}, {}, {}, {}, {}, "
            "{}, {});\n",
            params, mult, shift, in_shape, f_shape, ctx.input(op.inputs[1], "int8_t"),
            optional_input(ctx, 2, "int32_t"), o_shape, ctx.output(op.outputs[0], "int8_t"),
            ctx.scratch("int8_t"));
      } else {
        out.call = fmt::format(
            "  status = kiln::rt::depthwise_conv2d_int8({}, {}, {}, {}, {}, {}, {}, {}, {}, {});\n",
            params, mult, shift, in_shape, ctx.input(op.inputs[0], "int8_t"), f_shape,
            ctx.input(op.inputs[1], "int8_t"), optional_input(ctx, 2, "int32_t"), o_shape,
            ctx.output(op.outputs[0], "int8_t"));
      }
      return;
    }
    if (!ctx.in_place && depthwise_runs_as_conv(ctx.model, op)) {
      // One input channel: an ordinary convolution whose M filters are the multiplier's
      // channels, transposed from {1, H, W, M} to {M, H, W, 1} and packed here.
      const rt::Shape4 conv_filter = {p.filter_shape.c, p.filter_shape.h, p.filter_shape.w, 1};
      const auto& data = ctx.model.tensor(op.inputs[1]).data;
      const size_t taps = static_cast<size_t>(conv_filter.h) * conv_filter.w;
      if (data.size() != taps * static_cast<size_t>(conv_filter.n))
        throw Error("depthwise convolution filter data does not match its shape");
      std::vector<int8_t> transposed(data.size());
      for (size_t m = 0; m < static_cast<size_t>(conv_filter.n); ++m)
        for (size_t t = 0; t < taps; ++t)
          transposed[m * taps + t] = static_cast<int8_t>(data[t * conv_filter.n + m]);
      const std::string conv_params =
          geometry_constant(ctx, out, "kiln::rt::Conv2DParams", "conv_params",
                            fmt::format("{{{}, {}, {}, {}}}", literal(q.window), q.input_offset,
                                        q.output_offset, act_pair_int(q.act_min, q.act_max)),
                            kBandTopPadding);
      const std::string conv_f_shape = define_constant(out, ctx.prefix, "kiln::rt::Shape4",
                                                       "conv_filter_shape", literal(conv_filter));
      std::string filter_name, fn = "conv2d_int8_fast";
      if (ctx.pack_filters) {
        std::vector<int32_t> packed(rt::conv2d_int8_fast_packed_filter_words(conv_filter));
        if (packed.empty() || rt::conv2d_int8_fast_pack_filter(conv_filter, transposed.data(),
                                                               packed.data()) != rt::kOk)
          throw Error("cannot pack a depthwise convolution filter");
        filter_name = define_int32_array(out, ctx.prefix, "packed_filter", packed);
        fn = "conv2d_int8_fast_packed";
      } else {
        // Transposed, still int8: the same flash as the original, which is then unused.
        filter_name = ctx.prefix + "_transposed_filter";
        const std::vector<uint8_t> bytes(transposed.begin(), transposed.end());
        out.constants += const_array("int8_t", filter_name, bytes, false) + "\n";
        out.constant_bytes += static_cast<int64_t>(bytes.size());
      }
      out.runtime_files.insert("runtime/conv2d_fast.h");
      out.call =
          fmt::format("  status = kiln::rt::{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});\n", fn,
                      conv_params, mult, shift, in_shape, ctx.input(op.inputs[0], "int8_t"),
                      conv_f_shape, filter_name, optional_input(ctx, 2, "int32_t"), o_shape,
                      ctx.output(op.outputs[0], "int8_t"), ctx.scratch("void"));
      return;
    }
    if (ctx.in_place) {
      // Output and input share their memory (see runtime/depthwise_conv2d_in_place.h).
      if (!ctx.same_memory(op.inputs[0], op.outputs[0]))
        throw Error("in-place depthwise convolution planned on separate input and output memory");
      out.runtime_files.insert("runtime/depthwise_conv2d_fast.h");
      out.call = fmt::format(
          "  status = kiln::rt::depthwise_conv2d_int8_in_place_fast({}, {}, {}, {}, {}, {}, {}, "
          "{}, "
          "{}, {});\n",
          params, mult, shift, in_shape, f_shape, ctx.input(op.inputs[1], "int8_t"),
          optional_input(ctx, 2, "int32_t"), o_shape, ctx.output(op.outputs[0], "int8_t"),
          ctx.scratch("void"));
      return;
    }
    // The fast kernel (runtime/depthwise_conv2d_fast.h) keeps the reference's memory order, so
    // it serves shifted placements too.
    out.runtime_files.insert("runtime/depthwise_conv2d_fast.h");
    out.call = fmt::format(
        "  status = kiln::rt::depthwise_conv2d_int8_fast({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
        "{});\n",
        params, mult, shift, in_shape, ctx.input(op.inputs[0], "int8_t"), f_shape,
        ctx.input(op.inputs[1], "int8_t"), optional_input(ctx, 2, "int32_t"), o_shape,
        ctx.output(op.outputs[0], "int8_t"), ctx.scratch("void"));
  } else {
    require_float(p.dtype);
    const auto& q = p.float_params;
    const std::string params =
        geometry_constant(ctx, out, "kiln::rt::DepthwiseConv2DFloatParams", "params",
                          fmt::format("{{{}, {}, {}}}", literal(q.window), q.depth_multiplier,
                                      act_pair_float(q.act_min, q.act_max)),
                          kBandTopPadding);
    out.call = fmt::format(
        "  status = kiln::rt::depthwise_conv2d_float({}, {}, {}, {}, {}, {}, {}, {});\n", params,
        in_shape, ctx.input(op.inputs[0], "float"), f_shape, ctx.input(op.inputs[1], "float"),
        optional_input(ctx, 2, "float"), o_shape, ctx.output(op.outputs[0], "float"));
  }
}

// Defines the requantization table as a constant and returns its name.
std::string define_requant_table(const EmitContext& ctx,
                                 const std::vector<rt::RequantChannel>& table, EmittedOp& out) {
  std::vector<std::string> entries;
  for (const rt::RequantChannel& t : table)
    entries.push_back(fmt::format("{{{}, {}, {}, {}, {}}}", t.bias, t.multiplier2, t.pre_shift,
                                  t.rounding, t.post_shift));
  const std::string name = ctx.prefix + "_requant";
  out.constants += fmt::format("const kiln::rt::RequantChannel {}[{}] = {{{}}};\n", name,
                               entries.size(), fmt::join(entries, ",\n    "));
  out.constant_bytes += static_cast<int64_t>(table.size() * sizeof(rt::RequantChannel));
  return name;
}

// Speed mode's variant: the filter widened to 16 bits with the bias in the stream (twice the
// filter's flash, no widening in the inner loop).
void emit_fully_connected_wide(const EmitContext& ctx, const exec::FullyConnectedPrepared& p,
                               const std::vector<rt::RequantChannel>& table, EmittedOp& out) {
  const auto& op = ctx.op;
  const ir::Tensor& filter = ctx.model.tensor(op.inputs[1]);
  const int32_t* bias =
      p.has_bias ? reinterpret_cast<const int32_t*>(ctx.model.tensor(op.inputs[2]).data.data())
                 : nullptr;
  std::vector<int32_t> words(rt::fully_connected_int8_fast_wide_filter_words(p.dims));
  if (words.empty() || rt::fully_connected_int8_fast_pack_wide_filter(
                           p.dims, reinterpret_cast<const int8_t*>(filter.data.data()), bias,
                           words.data()) != rt::kOk)
    throw Error(fmt::format("cannot widen the filter of fully connected layer '{}'",
                            ctx.model.tensor(op.outputs[0]).name));
  // The call checks nothing: its plan is checked and made here.
  rt::FullyConnectedWidePlan plan{};
  if (rt::fully_connected_int8_fast_wide_plan(p.params, p.dims, table.data(), &plan) != rt::kOk)
    throw Error(fmt::format("fully connected layer '{}': no plan for its wide kernel",
                            ctx.model.tensor(op.outputs[0]).name));
  const std::string plan_name = define_constant(
      out, ctx.prefix, "kiln::rt::FullyConnectedWidePlan", "plan",
      fmt::format("{{{{{}, {}, {}}}, {}, {}, {}, {}, {}}}", plan.dims.batches,
                  plan.dims.input_depth, plan.dims.output_depth, plan.input_offset,
                  plan.filter_offset, plan.clamp_low, plan.clamp_high, plan.variant));
  const std::string filter_name = define_int32_array(out, ctx.prefix, "wide_filter", words);
  const std::string table_name = define_requant_table(ctx, table, out);
  out.runtime_files.insert("runtime/fully_connected_fast.h");
  out.call = fmt::format("  kiln::rt::fully_connected_int8_fast_wide({}, {}, {}, {}, {}, {});\n",
                         plan_name, table_name, ctx.input(op.inputs[0], "int8_t"), filter_name,
                         ctx.output(op.outputs[0], "int8_t"), ctx.scratch("void"));
}

// Speed mode's table of a layer with one input value per row (runtime/fully_connected_lookup.h):
// its 256 possible output rows, computed here by the reference kernel, stored as words so the
// rows are word aligned.
void emit_fully_connected_lookup(const EmitContext& ctx, const exec::FullyConnectedPrepared& p,
                                 const std::string& dims, EmittedOp& out) {
  const auto& op = ctx.op;
  const ir::Tensor& filter = ctx.model.tensor(op.inputs[1]);
  const int32_t* bias =
      p.has_bias ? reinterpret_cast<const int32_t*>(ctx.model.tensor(op.inputs[2]).data.data())
                 : nullptr;
  std::vector<int8_t> table(rt::fully_connected_int8_lookup_table_bytes(p.dims));
  if (table.empty() ||
      rt::fully_connected_int8_lookup_table(
          p.params, p.dims, p.output_multiplier.data(), p.output_shift.data(),
          reinterpret_cast<const int8_t*>(filter.data.data()), bias, table.data()) != rt::kOk)
    throw Error(fmt::format("fully connected layer '{}': cannot tabulate its outputs",
                            ctx.model.tensor(op.outputs[0]).name));
  std::vector<int32_t> words((table.size() + 3) / 4, 0);
  for (size_t i = 0; i < table.size(); ++i)
    words[i / 4] = static_cast<int32_t>(
        static_cast<uint32_t>(words[i / 4]) |
        (static_cast<uint32_t>(static_cast<uint8_t>(table[i])) << (8 * (i % 4))));
  const std::string table_name = define_int32_array(out, ctx.prefix, "lookup_table", words);
  out.runtime_files.insert("runtime/fully_connected_lookup.h");
  out.call = fmt::format(
      "  kiln::rt::fully_connected_int8_lookup({}, reinterpret_cast<const int8_t*>({}), {}, {});\n",
      dims, table_name, ctx.input(op.inputs[0], "int8_t"), ctx.output(op.outputs[0], "int8_t"));
}

// The int8 fast kernel (runtime/fully_connected_fast.h): the filter reordered into its
// four-row blocks (the same int8 bytes, plus zeros padding the depth to a multiple of four) and
// the requantization table built here, so the call does neither. Parameters outside the
// table's exact range keep the multiplier and shift arrays for the reference output step.
void emit_fully_connected_fast(const EmitContext& ctx, const exec::FullyConnectedPrepared& p,
                               const std::string& params, const std::string& dims, EmittedOp& out) {
  const auto& op = ctx.op;
  if (ctx.pack_filters && fully_connected_runs_as_lookup(ctx.model, op))
    return emit_fully_connected_lookup(ctx, p, dims, out);
  const ir::Tensor& filter = ctx.model.tensor(op.inputs[1]);
  std::vector<rt::RequantChannel> table(
      static_cast<size_t>(rt::fully_connected_int8_fast_requant_entries(p.params, p.dims)));
  const bool table_built = rt::fully_connected_int8_fast_requant_table(
      p.params, p.dims, p.output_multiplier.data(), p.output_shift.data(), table.data());
  // The wide variant folds the bias into its filter stream, so the bias must be a constant.
  const bool constant_bias =
      !p.has_bias || ctx.model.tensor(op.inputs[2]).data.size() ==
                         static_cast<size_t>(p.dims.output_depth) * sizeof(int32_t);
  if (ctx.pack_filters && table_built && constant_bias && p.bias_dtype == ir::DType::kInt32)
    return emit_fully_connected_wide(ctx, p, table, out);
  std::vector<int32_t> rows(rt::fully_connected_int8_fast_packed_filter_words(p.dims));
  if (rows.empty() ||
      rt::fully_connected_int8_fast_pack_filter(
          p.dims, reinterpret_cast<const int8_t*>(filter.data.data()), rows.data()) != rt::kOk)
    throw Error(fmt::format("cannot reorder the filter of fully connected layer '{}'",
                            ctx.model.tensor(op.outputs[0]).name));
  const std::string filter_name = define_int32_array(out, ctx.prefix, "interleaved_filter", rows);
  std::string mult = "0", shift = "0", table_name = "0";
  if (table_built) {
    table_name = define_requant_table(ctx, table, out);
  } else {
    mult = define_int32_array(out, ctx.prefix, "multiplier", p.output_multiplier);
    shift = define_int32_array(out, ctx.prefix, "shift", p.output_shift);
  }
  out.runtime_files.insert("runtime/fully_connected_fast.h");
  out.call = fmt::format(
      "  status = kiln::rt::fully_connected_int8_fast({}, {}, {}, {}, {}, {}, {}, {}, {}, {});\n",
      params, dims, mult, shift, table_name, ctx.input(op.inputs[0], "int8_t"), filter_name,
      optional_input(ctx, 2, "int32_t"), ctx.output(op.outputs[0], "int8_t"), ctx.scratch("void"));
}

void emit_fully_connected(const EmitContext& ctx, EmittedOp& out) {
  const exec::FullyConnectedPrepared p = exec::prepare_fully_connected(ctx.model, ctx.op);
  const auto& op = ctx.op;
  const std::string dims = define_constant(
      out, ctx.prefix, "kiln::rt::FullyConnectedDims", "dims",
      fmt::format("{{{}, {}, {}}}", p.dims.batches, p.dims.input_depth, p.dims.output_depth));
  if (p.dtype == ir::DType::kInt8) {
    const auto& q = p.params;
    const std::string params = define_constant(
        out, ctx.prefix, "kiln::rt::FullyConnectedParams", "params",
        fmt::format("{{{}, {}, {}, {}, {}}}", q.input_offset, q.filter_offset, q.output_offset,
                    act_pair_int(q.act_min, q.act_max), literal(q.per_channel)));
    if (ctx.fast_kernel && fully_connected_runs_fast(ctx.model, op))
      return emit_fully_connected_fast(ctx, p, params, dims, out);
    out.runtime_files.insert("runtime/fully_connected.h");
    const std::string mult = define_int32_array(out, ctx.prefix, "multiplier", p.output_multiplier);
    const std::string shift = define_int32_array(out, ctx.prefix, "shift", p.output_shift);
    out.call = fmt::format(
        "  status = kiln::rt::fully_connected_int8({}, {}, {}, {}, {}, {}, {}, {});\n", params,
        dims, mult, shift, ctx.input(op.inputs[0], "int8_t"), ctx.input(op.inputs[1], "int8_t"),
        optional_input(ctx, 2, "int32_t"), ctx.output(op.outputs[0], "int8_t"));
  } else {
    require_float(p.dtype);
    out.runtime_files.insert("runtime/fully_connected.h");
    const auto& q = p.float_params;
    const std::string params =
        define_constant(out, ctx.prefix, "kiln::rt::FullyConnectedFloatParams", "params",
                        fmt::format("{{{}}}", act_pair_float(q.act_min, q.act_max)));
    out.call =
        fmt::format("  status = kiln::rt::fully_connected_float({}, {}, {}, {}, {}, {});\n", params,
                    dims, ctx.input(op.inputs[0], "float"), ctx.input(op.inputs[1], "float"),
                    optional_input(ctx, 2, "float"), ctx.output(op.outputs[0], "float"));
  }
}

void emit_pool2d(const EmitContext& ctx, EmittedOp& out) {
  const exec::Pool2DPrepared p = exec::prepare_pool2d(ctx.model, ctx.op);
  const bool average = p.type == ir::OpType::kAveragePool2D;
  out.runtime_files.insert(average ? "runtime/average_pool2d.h" : "runtime/max_pool2d.h");
  const char* fn = average ? "average_pool2d" : "max_pool2d";
  const auto& op = ctx.op;
  const std::string in_shape = geometry_constant(ctx, out, "kiln::rt::Shape4", "input_shape",
                                                 literal(p.input_shape), kBandInputRows);
  const std::string o_shape = geometry_constant(ctx, out, "kiln::rt::Shape4", "output_shape",
                                                literal(p.output_shape), kBandOutputRows);
  if (p.dtype == ir::DType::kInt8) {
    const auto& q = p.params;
    const std::string params =
        geometry_constant(ctx, out, "kiln::rt::Pool2DParams", "params",
                          fmt::format("{{{}, {}, {}, {}}}", literal(q.window), q.filter_h,
                                      q.filter_w, act_pair_int(q.act_min, q.act_max)),
                          kBandTopPadding);
    // Speed mode runs the four-channel DSP variants (runtime/pool2d_fast.h): no scratch, but
    // their code, which the memory mode does not spend.
    const char* variant = "";
    if (ctx.fast_kernel) {
      out.runtime_files.insert("runtime/pool2d_fast.h");
      variant = "_fast";
    }
    out.call = fmt::format("  status = kiln::rt::{}_int8{}({}, {}, {}, {}, {});\n", fn, variant,
                           params, in_shape, ctx.input(op.inputs[0], "int8_t"), o_shape,
                           ctx.output(op.outputs[0], "int8_t"));
  } else {
    require_float(p.dtype);
    const auto& q = p.float_params;
    const std::string params =
        geometry_constant(ctx, out, "kiln::rt::Pool2DFloatParams", "params",
                          fmt::format("{{{}, {}, {}, {}}}", literal(q.window), q.filter_h,
                                      q.filter_w, act_pair_float(q.act_min, q.act_max)),
                          kBandTopPadding);
    out.call =
        fmt::format("  status = kiln::rt::{}_float({}, {}, {}, {}, {});\n", fn, params, in_shape,
                    ctx.input(op.inputs[0], "float"), o_shape, ctx.output(op.outputs[0], "float"));
  }
}

}  // namespace

bool emit_conv_family(const EmitContext& ctx, EmittedOp& out) {
  switch (ctx.op.type) {
    case ir::OpType::kConv2D:
      emit_conv2d(ctx, out);
      return true;
    case ir::OpType::kDepthwiseConv2D:
      emit_depthwise_conv2d(ctx, out);
      return true;
    case ir::OpType::kFullyConnected:
      emit_fully_connected(ctx, out);
      return true;
    case ir::OpType::kAveragePool2D:
    case ir::OpType::kMaxPool2D:
      emit_pool2d(ctx, out);
      return true;
    default:
      return false;
  }
}

}  // namespace kiln::compiler
