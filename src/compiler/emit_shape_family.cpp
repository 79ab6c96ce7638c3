// Emitters for the data-movement operators (RESHAPE, SQUEEZE, EXPAND_DIMS, PAD, CONCATENATION,
// STRIDED_SLICE, TRANSPOSE) and the standalone clamps RELU and RELU6. Each runs the executor's
// prepare step, so the generated call sees exactly the parameters the host kernel uses.
#include <fmt/ranges.h>

#include "compiler/emit_util.h"
#include "core/error.h"
#include "exec/ops/concatenation.h"
#include "exec/ops/pad.h"
#include "exec/ops/relu.h"
#include "exec/ops/reshape.h"
#include "exec/ops/strided_slice.h"
#include "exec/ops/transpose.h"

namespace kiln::compiler {

namespace {

// The C element type and the kernel-name suffix of the types these operators move.
struct ElementType {
  const char* c_type;
  const char* suffix;
};

ElementType element_type(ir::DType dtype, ir::OpType op) {
  switch (dtype) {
    case ir::DType::kFloat32:
      return {"float", "float"};
    case ir::DType::kInt8:
      return {"int8_t", "int8"};
    case ir::DType::kInt16:
      return {"int16_t", "int16"};
    case ir::DType::kInt32:
      return {"int32_t", "int32"};
    default:
      throw Error(fmt::format("{} on {} tensors is not supported by the compiler", ir::op_name(op),
                              ir::dtype_name(dtype)));
  }
}

// `{a, b, c}` of a fixed-size int32 array member.
template <size_t N>
std::string array_literal(const int32_t (&values)[N]) {
  return fmt::format("{{{}}}", fmt::join(values, values + N, ", "));
}

void emit_reshape(const EmitContext& ctx, EmittedOp& out) {
  exec::ReshapePrepared p;
  switch (ctx.op.type) {
    case ir::OpType::kReshape:
      p = exec::prepare_reshape(ctx.model, ctx.op);
      break;
    case ir::OpType::kSqueeze:
      p = exec::prepare_squeeze(ctx.model, ctx.op);
      break;
    default:
      p = exec::prepare_expand_dims(ctx.model, ctx.op);
      break;
  }
  const int32_t in = ctx.op.inputs[0];
  const int32_t result = ctx.op.outputs[0];
  if (ctx.same_memory(in, result)) {
    // The buffer planner gave the output the input's bytes: only the shape changes.
    out.call = "  // output shares the input's memory: nothing to copy\n";
    return;
  }
  out.runtime_files.insert("runtime/reshape.h");
  const std::string params = define_constant(out, ctx.prefix, "kiln::rt::ReshapeParams", "params",
                                             fmt::format("{{{}}}", p.params.num_bytes));
  out.call = fmt::format("  status = kiln::rt::reshape({}, {}, {});\n", params,
                         ctx.input(in, "uint8_t"), ctx.output(result, "uint8_t"));
}

void emit_relu(const EmitContext& ctx, EmittedOp& out) {
  out.runtime_files.insert("runtime/relu.h");
  const int32_t in = ctx.op.inputs[0];
  const int32_t result = ctx.op.outputs[0];
  if (ctx.op.type == ir::OpType::kRelu) {
    const exec::ReluPrepared p = exec::prepare_relu(ctx.model, ctx.op);
    const ElementType e = element_type(p.dtype, ctx.op.type);
    if (p.dtype == ir::DType::kFloat32) {
      out.call = fmt::format("  status = kiln::rt::relu_float({}, {}, {});\n", p.size,
                             ctx.input(in, "float"), ctx.output(result, "float"));
      return;
    }
    if (p.dtype != ir::DType::kInt8 && p.dtype != ir::DType::kInt16)
      throw Error(fmt::format("RELU on {} tensors is not supported by the compiler",
                              ir::dtype_name(p.dtype)));
    const auto& q = p.quantized;
    const std::string params =
        define_constant(out, ctx.prefix, "kiln::rt::ReluQuantizedParams", "params",
                        fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", q.size, q.input_zero_point,
                                    q.output_zero_point, q.output_multiplier, q.output_shift,
                                    q.activation_min, q.activation_max));
    out.call = fmt::format("  status = kiln::rt::relu_{}({}, {}, {});\n", e.suffix, params,
                           ctx.input(in, e.c_type), ctx.output(result, e.c_type));
    return;
  }
  const exec::Relu6Prepared p = exec::prepare_relu6(ctx.model, ctx.op);
  const ElementType e = element_type(p.dtype, ctx.op.type);
  if (p.dtype == ir::DType::kFloat32) {
    out.call = fmt::format("  status = kiln::rt::relu6_float({}, {}, {});\n", p.size,
                           ctx.input(in, "float"), ctx.output(result, "float"));
    return;
  }
  if (p.dtype != ir::DType::kInt8 && p.dtype != ir::DType::kInt16)
    throw Error(fmt::format("RELU6 on {} tensors is not supported by the compiler",
                            ir::dtype_name(p.dtype)));
  const auto& q = p.quantized;
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::Relu6QuantizedParams", "params",
                      fmt::format("{{{}, {}, {}}}", q.size, q.lower, q.upper));
  out.call = fmt::format("  status = kiln::rt::relu6_{}({}, {}, {});\n", e.suffix, params,
                         ctx.input(in, e.c_type), ctx.output(result, e.c_type));
}

void emit_pad(const EmitContext& ctx, EmittedOp& out) {
  const exec::PadPrepared p = exec::prepare_pad(ctx.model, ctx.op);
  const ElementType e = element_type(p.dtype, ctx.op.type);
  out.runtime_files.insert("runtime/pad.h");
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::PadParams", "params",
                      fmt::format("{{{}, {}, {}}}", array_literal(p.params.input_shape),
                                  array_literal(p.params.before), array_literal(p.params.after)));
  std::string pad_value;
  switch (p.dtype) {
    case ir::DType::kFloat32:
      pad_value = float_literal(p.pad_value_float);
      break;
    case ir::DType::kInt32:
      pad_value = fmt::format("{}", p.pad_value_int);
      break;
    default:
      pad_value = fmt::format("static_cast<{}>({})", e.c_type, p.pad_value_int);
      break;
  }
  out.call = fmt::format("  status = kiln::rt::pad_{}({}, {}, {}, {});\n", e.suffix, params,
                         ctx.input(ctx.op.inputs[0], e.c_type), pad_value,
                         ctx.output(ctx.op.outputs[0], e.c_type));
}

void emit_concatenation(const EmitContext& ctx, EmittedOp& out) {
  const exec::ConcatenationPrepared p = exec::prepare_concatenation(ctx.model, ctx.op);
  const ElementType e = element_type(p.dtype, ctx.op.type);
  out.runtime_files.insert("runtime/concatenation.h");
  const auto& q = p.params;
  const std::string params =
      define_constant(out, ctx.prefix, "kiln::rt::ConcatenationParams", "params",
                      fmt::format("{{{}, {}, {}, {}}}", q.num_inputs, q.outer_size, q.inner_size,
                                  array_literal(q.axis_sizes)));
  // The input pointers live in the arena (or flash), whose base may move with set_arena, so
  // the pointer table is built at call time.
  std::vector<std::string> inputs;
  for (int32_t t : ctx.op.inputs) inputs.push_back(ctx.input(t, e.c_type));
  const std::string table = ctx.prefix + "_inputs";
  out.call = fmt::format(
      "  {{\n    const {}* const {}[] = {{{}}};\n    status = kiln::rt::concatenation_{}({}, {}, "
      "{});\n  }}\n",
      e.c_type, table, fmt::join(inputs, ", "), e.suffix, params, table,
      ctx.output(ctx.op.outputs[0], e.c_type));
}

void emit_strided_slice(const EmitContext& ctx, EmittedOp& out) {
  const exec::StridedSlicePrepared p = exec::prepare_strided_slice(ctx.model, ctx.op);
  const ElementType e = element_type(p.dtype, ctx.op.type);
  out.runtime_files.insert("runtime/strided_slice.h");
  const auto& q = p.params;
  const std::string params = define_constant(
      out, ctx.prefix, "kiln::rt::StridedSliceParams", "params",
      fmt::format("{{{}, {}, {}, {}}}", array_literal(q.input_shape), array_literal(q.start),
                  array_literal(q.stride), array_literal(q.count)));
  out.call =
      fmt::format("  status = kiln::rt::strided_slice_{}({}, {}, {});\n", e.suffix, params,
                  ctx.input(ctx.op.inputs[0], e.c_type), ctx.output(ctx.op.outputs[0], e.c_type));
}

void emit_transpose(const EmitContext& ctx, EmittedOp& out) {
  const exec::TransposePrepared p = exec::prepare_transpose(ctx.model, ctx.op);
  const ElementType e = element_type(p.dtype, ctx.op.type);
  out.runtime_files.insert("runtime/transpose.h");
  const auto& q = p.params;
  const std::string params = define_constant(
      out, ctx.prefix, "kiln::rt::TransposeParams", "params",
      fmt::format("{{{}, {}, {}}}", q.rank, array_literal(q.input_shape), array_literal(q.perm)));
  out.call =
      fmt::format("  status = kiln::rt::transpose_{}({}, {}, {});\n", e.suffix, params,
                  ctx.input(ctx.op.inputs[0], e.c_type), ctx.output(ctx.op.outputs[0], e.c_type));
}

}  // namespace

bool emit_shape_family(const EmitContext& ctx, EmittedOp& out) {
  switch (ctx.op.type) {
    case ir::OpType::kReshape:
    case ir::OpType::kSqueeze:
    case ir::OpType::kExpandDims:
      emit_reshape(ctx, out);
      return true;
    case ir::OpType::kRelu:
    case ir::OpType::kRelu6:
      emit_relu(ctx, out);
      return true;
    case ir::OpType::kPad:
      emit_pad(ctx, out);
      return true;
    case ir::OpType::kConcatenation:
      emit_concatenation(ctx, out);
      return true;
    case ir::OpType::kStridedSlice:
      emit_strided_slice(ctx, out);
      return true;
    case ir::OpType::kTranspose:
      emit_transpose(ctx, out);
      return true;
    default:
      return false;
  }
}

}  // namespace kiln::compiler
