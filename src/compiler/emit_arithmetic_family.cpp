// Emitters for ADD, SUB, MUL, SOFTMAX, LOGISTIC, TANH, LEAKY_RELU, QUANTIZE, DEQUANTIZE and
// MEAN. Each runs the executor's prepare step and spells its parameter structs; every type
// combination not listed explicitly is rejected rather than mapped to a similar kernel.
#include <fmt/ranges.h>

#include "compiler/emit_util.h"
#include "core/error.h"
#include "exec/ops/add.h"
#include "exec/ops/dequantize.h"
#include "exec/ops/leaky_relu.h"
#include "exec/ops/logistic.h"
#include "exec/ops/mean.h"
#include "exec/ops/mul.h"
#include "exec/ops/quantize.h"
#include "exec/ops/softmax.h"
#include "exec/ops/sub.h"
#include "exec/ops/tanh.h"

namespace kiln::compiler {

namespace {

[[noreturn]] void unsupported(const EmitContext& ctx, ir::DType input, ir::DType output) {
  throw Error(fmt::format("{} from {} to {} is not supported by the compiler",
                          ir::op_name(ctx.op.type), ir::dtype_name(input), ir::dtype_name(output)));
}

const char* c_type(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kFloat32:
      return "float";
    case ir::DType::kInt8:
      return "int8_t";
    case ir::DType::kUInt8:
      return "uint8_t";
    case ir::DType::kInt16:
      return "int16_t";
    default:
      return "";  // never used: callers reject these types first
  }
}

const char* suffix(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kFloat32:
      return "float";
    case ir::DType::kInt8:
      return "int8";
    case ir::DType::kUInt8:
      return "uint8";
    case ir::DType::kInt16:
      return "int16";
    default:
      return "";
  }
}

template <size_t N>
std::string array_literal(const int32_t (&values)[N]) {
  return fmt::format("{{{}}}", fmt::join(values, values + N, ", "));
}

std::string broadcast_literal(const rt::BroadcastShape& s) {
  return fmt::format("{{{}, {}, {}}}", array_literal(s.dims), array_literal(s.strides_a),
                     array_literal(s.strides_b));
}

std::string float_act_literal(const rt::FloatActivationParams& a) {
  return fmt::format("{{{}, {}}}", float_literal(a.activation_min),
                     float_literal(a.activation_max));
}

std::string add_sub_literal(const rt::AddSubInt8Params& q) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", q.input1_offset,
                     q.input2_offset, q.output_offset, q.left_shift, q.input1_multiplier,
                     q.input1_shift, q.input2_multiplier, q.input2_shift, q.output_multiplier,
                     q.output_shift, q.activation_min, q.activation_max);
}

// ADD, SUB and MUL: two broadcast inputs, int8 or float32 throughout.
// `fast_int8`: speed mode calls the DSP variant runtime/<fn>_fast.h for int8 (ADD has one).
void emit_binary(const EmitContext& ctx, ir::DType dtype, const rt::BroadcastShape& shape,
                 const std::string& int8_params_type, const std::string& int8_params,
                 const rt::FloatActivationParams& float_act, const char* fn, EmittedOp& out,
                 bool fast_int8 = false) {
  out.runtime_files.insert(fmt::format("runtime/{}.h", fn));
  const bool fast = fast_int8 && dtype == ir::DType::kInt8 && ctx.fast_kernel;
  if (fast) out.runtime_files.insert(fmt::format("runtime/{}_fast.h", fn));
  const std::string shape_id = define_constant(out, ctx.prefix, "kiln::rt::BroadcastShape", "shape",
                                               broadcast_literal(shape));
  std::string params;
  if (dtype == ir::DType::kInt8)
    params = define_constant(out, ctx.prefix, int8_params_type, "params", int8_params);
  else if (dtype == ir::DType::kFloat32)
    params = define_constant(out, ctx.prefix, "kiln::rt::FloatActivationParams", "params",
                             float_act_literal(float_act));
  else
    unsupported(ctx, dtype, dtype);
  const char* t = c_type(dtype);
  out.call = fmt::format("  status = kiln::rt::{}_{}{}({}, {}, {}, {}, {});\n", fn, suffix(dtype),
                         fast ? "_fast" : "", params, shape_id, ctx.input(ctx.op.inputs[0], t),
                         ctx.input(ctx.op.inputs[1], t), ctx.output(ctx.op.outputs[0], t));
}

void emit_add(const EmitContext& ctx, EmittedOp& out) {
  const exec::AddPrepared p = exec::prepare_add(ctx.model, ctx.op);
  emit_binary(ctx, p.dtype, p.shape, "kiln::rt::AddSubInt8Params", add_sub_literal(p.quantized),
              p.float_act, "add", out, true);
}

void emit_sub(const EmitContext& ctx, EmittedOp& out) {
  const exec::SubPrepared p = exec::prepare_sub(ctx.model, ctx.op);
  emit_binary(ctx, p.dtype, p.shape, "kiln::rt::AddSubInt8Params", add_sub_literal(p.quantized),
              p.float_act, "sub", out);
}

void emit_mul(const EmitContext& ctx, EmittedOp& out) {
  const exec::MulPrepared p = exec::prepare_mul(ctx.model, ctx.op);
  const auto& q = p.quantized;
  emit_binary(ctx, p.dtype, p.shape, "kiln::rt::MulInt8Params",
              fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", q.input1_offset, q.input2_offset,
                          q.output_offset, q.output_multiplier, q.output_shift, q.activation_min,
                          q.activation_max),
              p.float_act, "mul", out);
}

// "in, out" pointer arguments of a one-input operator.
std::string unary_pointers(const EmitContext& ctx, ir::DType in, ir::DType result) {
  return fmt::format("{}, {}", ctx.input(ctx.op.inputs[0], c_type(in)),
                     ctx.output(ctx.op.outputs[0], c_type(result)));
}

void emit_softmax(const EmitContext& ctx, EmittedOp& out) {
  const exec::SoftmaxPrepared p = exec::prepare_softmax(ctx.model, ctx.op);
  out.runtime_files.insert("runtime/softmax.h");
  const std::string io = unary_pointers(ctx, p.input_dtype, p.output_dtype);
  if (p.input_dtype == ir::DType::kFloat32 && p.output_dtype == ir::DType::kFloat32) {
    const auto& f = p.float_params;
    const std::string params = define_constant(
        out, ctx.prefix, "kiln::rt::SoftmaxFloatParams", "params",
        fmt::format("{{{}, {}, {}}}", f.outer_size, f.depth, float_literal(f.beta)));
    out.call = fmt::format("  status = kiln::rt::softmax_float({}, {});\n", params, io);
    return;
  }
  if (p.input_dtype != ir::DType::kInt8) unsupported(ctx, p.input_dtype, p.output_dtype);
  const char* fn = nullptr;
  if (p.output_dtype == ir::DType::kInt8)
    fn = "softmax_int8";
  else if (p.output_dtype == ir::DType::kInt16)
    fn = "softmax_int8_int16";
  else
    unsupported(ctx, p.input_dtype, p.output_dtype);
  const auto& q = p.quantized;
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::SoftmaxQuantizedParams", "params",
                      fmt::format("{{{}, {}, {}, {}, {}}}", q.outer_size, q.depth,
                                  q.input_multiplier, q.input_left_shift, q.diff_min));
  if (!ctx.pack_filters) {
    out.call = fmt::format("  status = kiln::rt::{}({}, {});\n", fn, params, io);
    return;
  }
  // Speed mode trades 1 KiB of flash for the exps: a table made by the kernel's own function.
  std::vector<int32_t> table(rt::kSoftmaxExpTableEntries);
  if (rt::softmax_int8_exp_table(q, table.data()) != rt::kOk)
    throw Error("SOFTMAX: the exp table cannot be built for these parameters");
  const std::string exp_table = define_int32_array(out, ctx.prefix, "exp_table", table);
  out.call =
      fmt::format("  status = kiln::rt::{}_tabled({}, {}, {});\n", fn, params, exp_table, io);
}

// LOGISTIC and TANH share the parameter layout and the int8/float32 split.
template <typename Prepared>
void emit_saturating(const EmitContext& ctx, const Prepared& p, const char* fn,
                     const char* params_type, EmittedOp& out) {
  out.runtime_files.insert(fmt::format("runtime/{}.h", fn));
  const std::string io = unary_pointers(ctx, p.dtype, p.dtype);
  if (p.dtype == ir::DType::kFloat32) {
    out.call = fmt::format("  status = kiln::rt::{}_float({}, {});\n", fn, p.size, io);
    return;
  }
  if (p.dtype != ir::DType::kInt8) unsupported(ctx, p.dtype, p.dtype);
  const auto& q = p.quantized;
  const std::string params =
      define_constant(out, ctx.prefix, params_type, "params",
                      fmt::format("{{{}, {}, {}, {}, {}}}", q.size, q.input_zero_point,
                                  q.input_range_radius, q.input_multiplier, q.input_left_shift));
  out.call = fmt::format("  status = kiln::rt::{}_int8({}, {});\n", fn, params, io);
}

void emit_leaky_relu(const EmitContext& ctx, EmittedOp& out) {
  const exec::LeakyReluPrepared p = exec::prepare_leaky_relu(ctx.model, ctx.op);
  out.runtime_files.insert("runtime/leaky_relu.h");
  const std::string io = unary_pointers(ctx, p.dtype, p.dtype);
  if (p.dtype == ir::DType::kFloat32) {
    out.call = fmt::format("  status = kiln::rt::leaky_relu_float({}, {}, {});\n", p.size,
                           float_literal(p.alpha), io);
    return;
  }
  if (p.dtype != ir::DType::kInt8 && p.dtype != ir::DType::kInt16)
    unsupported(ctx, p.dtype, p.dtype);
  const auto& q = p.quantized;
  const std::string params = define_constant(
      out, ctx.prefix, "kiln::rt::LeakyReluQuantizedParams", "params",
      fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", q.size, q.input_zero_point, q.output_zero_point,
                  q.identity_multiplier, q.identity_shift, q.alpha_multiplier, q.alpha_shift));
  out.call =
      fmt::format("  status = kiln::rt::leaky_relu_{}({}, {});\n", suffix(p.dtype), params, io);
}

void emit_quantize(const EmitContext& ctx, EmittedOp& out) {
  const exec::QuantizePrepared p = exec::prepare_quantize(ctx.model, ctx.op);
  out.runtime_files.insert("runtime/quantize.h");
  const ir::DType in = p.input_dtype, result = p.output_dtype;
  const std::string io = unary_pointers(ctx, in, result);
  using ir::DType;
  if (in == DType::kFloat32) {
    if (result != DType::kInt8 && result != DType::kInt16) unsupported(ctx, in, result);
    const auto& f = p.from_float;
    const std::string params = define_constant(
        out, ctx.prefix, "kiln::rt::QuantizeFloatParams", "params",
        fmt::format("{{{}, {}, {}}}", f.size, float_literal(f.scale), f.zero_point));
    out.call = fmt::format("  status = kiln::rt::quantize_float_{}({}, {});\n", suffix(result),
                           params, io);
    return;
  }
  // The requantize kernels that exist, as (input, output) pairs.
  const bool kernel_exists =
      (in == DType::kInt8 &&
       (result == DType::kInt8 || result == DType::kInt16 || result == DType::kUInt8)) ||
      (in == DType::kInt16 && (result == DType::kInt8 || result == DType::kInt16)) ||
      (in == DType::kUInt8 && result == DType::kInt8);
  if (!kernel_exists) unsupported(ctx, in, result);
  const auto& r = p.requantize;
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::RequantizeParams", "params",
                      fmt::format("{{{}, {}, {}, {}, {}}}", r.size, r.input_zero_point,
                                  r.output_zero_point, r.multiplier, r.shift));
  out.call = fmt::format("  status = kiln::rt::requantize_{}_{}({}, {});\n", suffix(in),
                         suffix(result), params, io);
}

void emit_dequantize(const EmitContext& ctx, EmittedOp& out) {
  const exec::DequantizePrepared p = exec::prepare_dequantize(ctx.model, ctx.op);
  out.runtime_files.insert("runtime/dequantize.h");
  const ir::DType in = p.input_dtype;
  if (in != ir::DType::kInt8 && in != ir::DType::kInt16 && in != ir::DType::kUInt8)
    unsupported(ctx, in, ir::DType::kFloat32);
  const auto& d = p.params;
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::DequantizeParams", "params",
                      fmt::format("{{{}, {}, {}}}", d.size, float_literal(d.scale), d.zero_point));
  out.call = fmt::format("  status = kiln::rt::dequantize_{}({}, {});\n", suffix(in), params,
                         unary_pointers(ctx, in, ir::DType::kFloat32));
}

void emit_mean(const EmitContext& ctx, EmittedOp& out) {
  const exec::MeanPrepared p = exec::prepare_mean(ctx.model, ctx.op);
  out.runtime_files.insert("runtime/mean.h");
  const auto& s = p.shape;
  const std::string shape = define_constant(
      out, ctx.prefix, "kiln::rt::MeanShape", "shape",
      fmt::format("{{{}, {}, {}, {}, {}, {}}}", s.kept_rank, array_literal(s.kept_dims),
                  array_literal(s.kept_strides), s.reduced_rank, array_literal(s.reduced_dims),
                  array_literal(s.reduced_strides)));
  const std::string io = unary_pointers(ctx, p.dtype, p.dtype);
  if (p.dtype == ir::DType::kFloat32) {
    out.call = fmt::format("  status = kiln::rt::mean_float({}, {});\n", shape, io);
    return;
  }
  if (p.dtype != ir::DType::kInt8) unsupported(ctx, p.dtype, p.dtype);
  const auto& q = p.quantized;
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::MeanInt8Params", "params",
                      fmt::format("{{{}, {}, {}, {}, {}}}", q.mode, q.input_zero_point,
                                  q.output_zero_point, q.multiplier, q.shift));
  out.call = fmt::format("  status = kiln::rt::mean_int8({}, {}, {});\n", params, shape, io);
}

}  // namespace

bool emit_arithmetic_family(const EmitContext& ctx, EmittedOp& out) {
  switch (ctx.op.type) {
    case ir::OpType::kAdd:
      emit_add(ctx, out);
      return true;
    case ir::OpType::kSub:
      emit_sub(ctx, out);
      return true;
    case ir::OpType::kMul:
      emit_mul(ctx, out);
      return true;
    case ir::OpType::kSoftmax:
      emit_softmax(ctx, out);
      return true;
    case ir::OpType::kLogistic:
      emit_saturating(ctx, exec::prepare_logistic(ctx.model, ctx.op), "logistic",
                      "kiln::rt::LogisticInt8Params", out);
      return true;
    case ir::OpType::kTanh:
      emit_saturating(ctx, exec::prepare_tanh(ctx.model, ctx.op), "tanh",
                      "kiln::rt::TanhInt8Params", out);
      return true;
    case ir::OpType::kLeakyRelu:
      emit_leaky_relu(ctx, out);
      return true;
    case ir::OpType::kQuantize:
      emit_quantize(ctx, out);
      return true;
    case ir::OpType::kDequantize:
      emit_dequantize(ctx, out);
      return true;
    case ir::OpType::kMean:
      emit_mean(ctx, out);
      return true;
    default:
      return false;
  }
}

}  // namespace kiln::compiler
