// Host side of MUL: validates operands and computes the output multiplier s1 * s2 / s_out
// (see runtime/mul.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/broadcast.h"
#include "runtime/mul.h"

namespace kiln::exec {

struct MulPrepared {
  ir::DType dtype;  // int8 or float32
  rt::BroadcastShape shape;
  rt::MulInt8Params quantized;          // int8 only
  rt::FloatActivationParams float_act;  // float32 only
};

MulPrepared prepare_mul(const ir::Model& model, const ir::Operator& op);
KernelPtr make_mul_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
