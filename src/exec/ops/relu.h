// Host side of RELU and RELU6 (the standalone operators). Prepare computes the requantization
// constants of quantized RELU and the clamp bounds of quantized RELU6 exactly as TFLM's
// activations prepare does (see runtime/relu.h for how the two differ).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/relu.h"

namespace kiln::exec {

struct ReluPrepared {
  ir::DType dtype;                    // float32, int8 or int16
  int32_t size;                       // elements
  rt::ReluQuantizedParams quantized;  // int8/int16 only
};

struct Relu6Prepared {
  ir::DType dtype;
  int32_t size;
  rt::Relu6QuantizedParams quantized;  // int8/int16 only
};

ReluPrepared prepare_relu(const ir::Model& model, const ir::Operator& op);
Relu6Prepared prepare_relu6(const ir::Model& model, const ir::Operator& op);

// Kernel for RELU or RELU6; nullptr for other operators.
KernelPtr make_relu_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
