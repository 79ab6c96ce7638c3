// Host side of DEPTHWISE_CONV_2D: everything the device kernel needs, computed once from the IR.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/depthwise_conv2d.h"

namespace kiln::exec {

struct DepthwiseConv2DPrepared {
  // Which device kernel runs: kInt8 depthwise_conv2d_int8, kInt16 depthwise_conv2d_int16x8
  // (int64 bias), kFloat32 depthwise_conv2d_float.
  ir::DType dtype = ir::DType::kInt8;
  rt::DepthwiseConv2DParams params{};             // quantized kernels
  rt::DepthwiseConv2DFloatParams float_params{};  // float kernel
  std::vector<int32_t> output_multiplier;         // quantized: one per output channel
  std::vector<int32_t> output_shift;
  rt::Shape4 input_shape{};
  rt::Shape4 filter_shape{};
  rt::Shape4 output_shape{};
  bool has_bias = false;
};

// Validates the operator (types, ranks, channel counts and depth multiplier, bias size,
// quantization) and computes the kernel's constants; throws kiln::Error on any inconsistency.
DepthwiseConv2DPrepared prepare_depthwise_conv2d(const ir::Model& model, const ir::Operator& op);

KernelPtr make_depthwise_conv2d_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
