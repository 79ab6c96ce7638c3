// Host side of DEQUANTIZE: int8/int16/uint8 -> float32 with the input's scale and zero point
// (see runtime/dequantize.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/dequantize.h"

namespace kiln::exec {

struct DequantizePrepared {
  ir::DType input_dtype;  // int8, int16 or uint8
  rt::DequantizeParams params;
};

DequantizePrepared prepare_dequantize(const ir::Model& model, const ir::Operator& op);
KernelPtr make_dequantize_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
