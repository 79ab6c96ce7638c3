// Host side of ADD: validates operands and computes TFLM's requantization constants
// (see runtime/add.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/add.h"
#include "runtime/broadcast.h"

namespace kiln::exec {

struct AddPrepared {
  ir::DType dtype;  // int8 or float32
  rt::BroadcastShape shape;
  rt::AddSubInt8Params quantized;       // int8 only
  rt::FloatActivationParams float_act;  // float32 only
};

AddPrepared prepare_add(const ir::Model& model, const ir::Operator& op);
KernelPtr make_add_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
