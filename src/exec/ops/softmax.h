// Host side of SOFTMAX: validates operands and computes TFLM's fixed-point scaling of the input
// differences (see runtime/softmax.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/softmax.h"

namespace kiln::exec {

struct SoftmaxPrepared {
  ir::DType input_dtype;                 // int8 or float32
  ir::DType output_dtype;                // int8 or int16 for int8 input; float32 for float32
  rt::SoftmaxQuantizedParams quantized;  // int8 input only
  rt::SoftmaxFloatParams float_params;   // float32 only
};

SoftmaxPrepared prepare_softmax(const ir::Model& model, const ir::Operator& op);
KernelPtr make_softmax_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
