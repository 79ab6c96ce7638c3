// Host side of TANH: validates operands and computes TFLM's Q4.27 input scaling
// (see runtime/tanh.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/tanh.h"

namespace kiln::exec {

struct TanhPrepared {
  ir::DType dtype;  // int8 or float32
  int32_t size;
  rt::TanhInt8Params quantized;  // int8 only
};

TanhPrepared prepare_tanh(const ir::Model& model, const ir::Operator& op);
KernelPtr make_tanh_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
