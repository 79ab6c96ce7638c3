// Host side of LOGISTIC: validates operands and computes TFLM's Q4.27 input scaling
// (see runtime/logistic.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/logistic.h"

namespace kiln::exec {

struct LogisticPrepared {
  ir::DType dtype;  // int8 or float32
  int32_t size;
  rt::LogisticInt8Params quantized;  // int8 only
};

LogisticPrepared prepare_logistic(const ir::Model& model, const ir::Operator& op);
KernelPtr make_logistic_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
