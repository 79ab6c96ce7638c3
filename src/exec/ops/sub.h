// Host side of SUB: validates operands and computes TFLM's requantization constants
// (see runtime/sub.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/broadcast.h"
#include "runtime/sub.h"

namespace kiln::exec {

struct SubPrepared {
  ir::DType dtype;  // int8 or float32
  rt::BroadcastShape shape;
  rt::AddSubInt8Params quantized;       // int8 only
  rt::FloatActivationParams float_act;  // float32 only
};

SubPrepared prepare_sub(const ir::Model& model, const ir::Operator& op);
KernelPtr make_sub_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
