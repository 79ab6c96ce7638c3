// Host side of QUANTIZE: float -> int8/int16 (scale and zero point of the output), and
// requantization between int8, int16 and uint8 (multiplier in_scale / out_scale), as TFLM
// supports them (see runtime/quantize.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/quantize.h"

namespace kiln::exec {

struct QuantizePrepared {
  ir::DType input_dtype;               // float32, int8, int16 or uint8
  ir::DType output_dtype;              // int8, int16 or uint8
  rt::QuantizeFloatParams from_float;  // float32 input only
  rt::RequantizeParams requantize;     // integer input only
};

QuantizePrepared prepare_quantize(const ir::Model& model, const ir::Operator& op);
KernelPtr make_quantize_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
