// Host side of FULLY_CONNECTED: everything the device kernel needs, computed once from the IR.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/fully_connected.h"

namespace kiln::exec {

struct FullyConnectedPrepared {
  // Which device kernel runs: kInt8 fully_connected_int8, kInt16 fully_connected_int16x8_bias64
  // (int64 bias) or fully_connected_int16x8_bias32 (int32 bias or none), kFloat32
  // fully_connected_float.
  ir::DType dtype = ir::DType::kInt8;
  rt::FullyConnectedParams params{};             // quantized kernels
  rt::FullyConnectedFloatParams float_params{};  // float kernel
  rt::FullyConnectedDims dims{};
  // Quantized: one entry per output channel when params.per_channel, else a single entry.
  std::vector<int32_t> output_multiplier;
  std::vector<int32_t> output_shift;
  bool has_bias = false;
  ir::DType bias_dtype = ir::DType::kInt32;  // when has_bias: int32, int64 (int16 only), float32
};

// Validates the operator (types, filter rank, depths, bias size, quantization) and computes the
// kernel's constants; throws kiln::Error describing the first inconsistency. The input is
// flattened to [batches, filter columns]; keep_num_dims only shapes the output tensor, which
// the model already records.
FullyConnectedPrepared prepare_fully_connected(const ir::Model& model, const ir::Operator& op);

KernelPtr make_fully_connected_kernel(const ir::Model& model, const ir::Operator& op);

// On AVX2 hosts, the run of int8 FULLY_CONNECTED operators starting at model.operators[first]
// whose rows stay in registers between layers (host_simd::FullyConnectedChainInt8): small
// layers of one row, each intermediate tensor read only by the next operator. Returns null (and
// *op_count = 0) unless at least two operators qualify; otherwise one kernel for *op_count
// operators, which leaves their intermediate tensors unwritten.
KernelPtr make_fully_connected_chain_kernel(const ir::Model& model, size_t first, size_t* op_count);

}  // namespace kiln::exec
