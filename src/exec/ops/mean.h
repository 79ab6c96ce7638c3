// Host side of MEAN: resolves the constant axis tensor into kept and reduced axes and computes
// TFLM's int8 rescaling, with 1/count already folded into the multiplier (see runtime/mean.h).
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/mean.h"

namespace kiln::exec {

struct MeanPrepared {
  ir::DType dtype;  // int8 or float32
  rt::MeanShape shape;
  rt::MeanInt8Params quantized;  // int8 only
};

MeanPrepared prepare_mean(const ir::Model& model, const ir::Operator& op);
KernelPtr make_mean_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
