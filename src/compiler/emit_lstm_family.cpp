// Emitter for UNIDIRECTIONAL_SEQUENCE_LSTM: the executor's prepare step gives the parameter
// struct and (int8) the biases with the zero-point terms folded in; those become constants, and
// the weight struct points at the weight arrays in flash. With the fast kernel (int8,
// runtime/lstm_fast.h) the weights and folded biases are instead packed here, ahead of time,
// into the 16-bit order its inner loop reads (twice the weights' flash, which for LSTM-sized
// matrices is small; the int8 originals are then unused). The state tensors live in the arena
// for the whole program (compile.cpp), so the call updates them in place.
#include "compiler/emit_util.h"
#include "core/error.h"
#include "exec/ops/lstm.h"
#include "runtime/lstm_fast.h"

namespace kiln::compiler {

namespace {

constexpr const char* kGateNames[4] = {"input_gate", "forget_gate", "cell_gate", "output_gate"};

std::string dims_literal(const rt::LstmDims& d) {
  return fmt::format("{{{}, {}, {}, {}, {}}}", d.batch, d.time_steps, d.input_size, d.state_size,
                     literal(d.time_major));
}

std::string activation_literal(rt::LstmCellActivation a) {
  switch (a) {
    case rt::kLstmCellTanh:
      return "kiln::rt::kLstmCellTanh";
    case rt::kLstmCellSigmoid:
      return "kiln::rt::kLstmCellSigmoid";
  }
  throw Error(
      fmt::format("UNIDIRECTIONAL_SEQUENCE_LSTM: unknown cell activation {}", static_cast<int>(a)));
}

std::string scales_literal(const rt::LstmInt8GateScales& s) {
  return fmt::format("{{{}, {}, {}, {}}}", s.input_multiplier, s.input_shift,
                     s.recurrent_multiplier, s.recurrent_shift);
}

std::string int8_params_literal(const rt::LstmInt8Params& q) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {{{}, {}}}, {}, {}}}",
                     dims_literal(q.dims), scales_literal(q.input_gate),
                     scales_literal(q.forget_gate), scales_literal(q.cell_gate),
                     scales_literal(q.output_gate), activation_literal(q.cell_activation),
                     q.forget_cell_multiplier, q.forget_cell_shift, q.input_cell_multiplier,
                     q.input_cell_shift, q.hidden_multiplier, q.hidden_shift, q.hidden_zero_point,
                     q.cell_tanh.input_multiplier, q.cell_tanh.input_right_shift,
                     literal(q.use_cell_clip), q.cell_clip);
}

// The weight structs are namespace-scope constants holding the weight arrays' addresses, which
// only works for tensors in flash (prepare already requires them to be constant).
void require_flash_weights(const EmitContext& ctx, const exec::LstmPrepared& p) {
  for (const exec::LstmGateTensors& g : p.gates)
    for (int32_t t : {g.input_weights, g.recurrent_weights, g.bias})
      if (!ctx.model.tensor(t).is_constant() || ctx.model.tensor(t).is_variable)
        throw Error(
            fmt::format("UNIDIRECTIONAL_SEQUENCE_LSTM: weight tensor '{}' must be constant "
                        "and not a variable",
                        ctx.model.tensor(t).name));
}

void emit_lstm_int8_fast(const EmitContext& ctx, const exec::LstmPrepared& p,
                         const std::string& params, EmittedOp& out) {
  auto data = [&](int32_t tensor) {
    return reinterpret_cast<const int8_t*>(ctx.model.tensor(tensor).data.data());
  };
  auto gate = [&](size_t g) {
    return rt::LstmInt8Gate{data(p.gates[g].input_weights), p.input_bias[g].data(),
                            data(p.gates[g].recurrent_weights), p.recurrent_bias[g].data()};
  };
  const rt::LstmInt8Weights weights = {gate(0), gate(1), gate(2), gate(3)};
  std::vector<int32_t> packed(rt::lstm_int8_fast_packed_words(p.int8_params.dims));
  if (rt::lstm_int8_fast_pack(p.int8_params.dims, weights, packed.data()) != rt::kOk)
    throw Error("UNIDIRECTIONAL_SEQUENCE_LSTM: the fast kernel cannot pack these weights");
  const std::string packed_name = define_int32_array(out, ctx.prefix, "packed_weights", packed);
  out.runtime_files.insert("runtime/lstm_fast.h");
  out.call = fmt::format("  status = kiln::rt::lstm_int8_fast({}, {}, {}, {}, {}, {}, {});\n",
                         params, packed_name, ctx.input(p.input, "int8_t"),
                         ctx.output(p.hidden_state, "int8_t"), ctx.output(p.cell_state, "int16_t"),
                         ctx.output(p.output, "int8_t"), ctx.scratch("void"));
}

void emit_lstm_int8(const EmitContext& ctx, const exec::LstmPrepared& p, EmittedOp& out) {
  const std::string params = define_constant(out, ctx.prefix, "kiln::rt::LstmInt8Params", "params",
                                             int8_params_literal(p.int8_params));
  if (ctx.fast_kernel) return emit_lstm_int8_fast(ctx, p, params, out);
  std::vector<std::string> gates;
  for (size_t g = 0; g < 4; ++g) {
    const std::string input_bias = define_int32_array(
        out, ctx.prefix, fmt::format("{}_input_bias", kGateNames[g]), p.input_bias[g]);
    const std::string recurrent_bias = define_int32_array(
        out, ctx.prefix, fmt::format("{}_recurrent_bias", kGateNames[g]), p.recurrent_bias[g]);
    gates.push_back(fmt::format("{{{}, {}, {}, {}}}", ctx.input(p.gates[g].input_weights, "int8_t"),
                                input_bias, ctx.input(p.gates[g].recurrent_weights, "int8_t"),
                                recurrent_bias));
  }
  const std::string weights =
      define_constant(out, ctx.prefix, "kiln::rt::LstmInt8Weights", "weights",
                      fmt::format("{{{}, {}, {}, {}}}", gates[0], gates[1], gates[2], gates[3]));
  out.call = fmt::format("  status = kiln::rt::lstm_int8({}, {}, {}, {}, {}, {}, {});\n", params,
                         weights, ctx.input(p.input, "int8_t"),
                         ctx.output(p.hidden_state, "int8_t"), ctx.output(p.cell_state, "int16_t"),
                         ctx.output(p.output, "int8_t"), ctx.scratch("void"));
}

void emit_lstm_float(const EmitContext& ctx, const exec::LstmPrepared& p, EmittedOp& out) {
  const auto& f = p.float_params;
  const std::string params = define_constant(
      out, ctx.prefix, "kiln::rt::LstmFloatParams", "params",
      fmt::format("{{{}, {}, {}, {}}}", dims_literal(f.dims), activation_literal(f.cell_activation),
                  literal(f.use_cell_clip), float_literal(f.cell_clip)));
  std::vector<std::string> gates;
  for (size_t g = 0; g < 4; ++g)
    gates.push_back(fmt::format("{{{}, {}, {}}}", ctx.input(p.gates[g].input_weights, "float"),
                                ctx.input(p.gates[g].bias, "float"),
                                ctx.input(p.gates[g].recurrent_weights, "float")));
  const std::string weights =
      define_constant(out, ctx.prefix, "kiln::rt::LstmFloatWeights", "weights",
                      fmt::format("{{{}, {}, {}, {}}}", gates[0], gates[1], gates[2], gates[3]));
  out.call = fmt::format("  status = kiln::rt::lstm_float({}, {}, {}, {}, {}, {}, {});\n", params,
                         weights, ctx.input(p.input, "float"), ctx.output(p.hidden_state, "float"),
                         ctx.output(p.cell_state, "float"), ctx.output(p.output, "float"),
                         ctx.scratch("void"));
}

}  // namespace

bool emit_lstm_family(const EmitContext& ctx, EmittedOp& out) {
  if (ctx.op.type != ir::OpType::kUnidirectionalSequenceLstm) return false;
  const exec::LstmPrepared p = exec::prepare_lstm(ctx.model, ctx.op);
  out.runtime_files.insert("runtime/lstm.h");
  require_flash_weights(ctx, p);
  switch (p.dtype) {
    case ir::DType::kInt8:
      emit_lstm_int8(ctx, p, out);
      return true;
    case ir::DType::kFloat32:
      emit_lstm_float(ctx, p, out);
      return true;
    default:
      throw Error(
          fmt::format("UNIDIRECTIONAL_SEQUENCE_LSTM on {} tensors is not supported by the "
                      "compiler",
                      ir::dtype_name(p.dtype)));
  }
}

}  // namespace kiln::compiler
