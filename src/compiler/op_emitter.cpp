#include "compiler/op_emitter.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::compiler {

EmittedOp emit_op(const EmitContext& ctx) {
  EmittedOp out;
  if (emit_conv_family(ctx, out) || emit_arithmetic_family(ctx, out) || emit_shape_family(ctx, out) ||
      emit_lstm_family(ctx, out))
    return out;
  std::string types;
  for (int32_t i : ctx.op.inputs)
    if (i != ir::kNoTensor) types += std::string(types.empty() ? "" : ", ") + ir::dtype_name(ctx.model.tensor(i).dtype);
  throw Error(fmt::format("the compiler does not support {} with inputs ({})", ir::op_name(ctx.op.type), types));
}

int64_t op_scratch_bytes(const ir::Model& /*model*/, const ir::Operator& /*op*/) { return 0; }

}  // namespace kiln::compiler
