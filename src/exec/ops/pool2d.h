// Host side of AVERAGE_POOL_2D and MAX_POOL_2D: everything the device kernels need, computed
// once from the IR.
#pragma once

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/conv_common.h"

namespace kiln::exec {

struct Pool2DPrepared {
  ir::OpType type = ir::OpType::kAveragePool2D;  // or kMaxPool2D
  ir::DType dtype = ir::DType::kInt8;            // kInt8 or kFloat32 kernel
  rt::Pool2DParams params{};
  rt::Pool2DFloatParams float_params{};
  rt::Shape4 input_shape{};
  rt::Shape4 output_shape{};
};

// Validates the operator (types, ranks, shapes, identical input/output quantization) and
// computes the kernel's constants; throws kiln::Error describing the first inconsistency.
Pool2DPrepared prepare_pool2d(const ir::Model& model, const ir::Operator& op);

KernelPtr make_pool2d_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
