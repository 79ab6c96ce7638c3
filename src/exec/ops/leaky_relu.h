// Host side of LEAKY_RELU: validates operands and computes TFLM's identity and alpha
// multipliers (see runtime/leaky_relu.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/leaky_relu.h"

namespace kiln::exec {

struct LeakyReluPrepared {
  ir::DType dtype;  // int8, int16 or float32
  int32_t size;
  float alpha;                             // float32 only
  rt::LeakyReluQuantizedParams quantized;  // int8/int16 only
};

LeakyReluPrepared prepare_leaky_relu(const ir::Model& model, const ir::Operator& op);
KernelPtr make_leaky_relu_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
