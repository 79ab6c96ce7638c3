// Host side of CONV_2D: everything the device kernel needs, computed once from the IR.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/conv2d.h"

namespace kiln::exec {

struct Conv2DPrepared {
  // Which device kernel runs: kInt8 conv2d_int8, kInt16 conv2d_int16x8_bias64 (int64 bias) or
  // conv2d_int16x8_bias32 (int32 bias or none), kFloat32 conv2d_float.
  ir::DType dtype = ir::DType::kInt8;
  rt::Conv2DParams params{};               // quantized kernels
  rt::Conv2DFloatParams float_params{};    // float kernel
  std::vector<int32_t> output_multiplier;  // quantized: one per output channel
  std::vector<int32_t> output_shift;
  rt::Shape4 input_shape{};
  rt::Shape4 filter_shape{};
  rt::Shape4 output_shape{};
  bool has_bias = false;
  ir::DType bias_dtype = ir::DType::kInt32;  // when has_bias: int32, int64 (int16 only), float32
};

// Validates the operator (types, ranks, channel counts, bias size, quantization) and computes
// the kernel's constants; throws kiln::Error describing the first inconsistency.
Conv2DPrepared prepare_conv2d(const ir::Model& model, const ir::Operator& op);

KernelPtr make_conv2d_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
