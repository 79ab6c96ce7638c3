#include "compiler/op_emitter.h"

namespace kiln::compiler {

bool emit_arithmetic_family(const EmitContext& /*ctx*/, EmittedOp& /*out*/) { return false; }

}  // namespace kiln::compiler
