// Host side of PAD: reads the constant paddings, checks them against the input and output
// shapes and picks the pad value the way TFLM does (output zero point for int8, zero for the
// other types, or the optional constant-value input).
#pragma once

#include <cstdint>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/pad.h"

namespace kiln::exec {

struct PadPrepared {
  rt::PadParams params;
  ir::DType dtype;        // float32, int8, int16 or int32
  int32_t pad_value_int;  // for the integer types
  float pad_value_float;  // for float32
};

PadPrepared prepare_pad(const ir::Model& model, const ir::Operator& op);

// Kernel for PAD; nullptr for other operators.
KernelPtr make_pad_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
