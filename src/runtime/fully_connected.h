// FULLY_CONNECTED: output[b][o] = sum_d input[b][d] * filter[o][d] + bias[o], int8 (per-tensor or
// per-channel requantization), int16 activations with int8 weights ("16x8") and float32,
// bit-exact with TFLite Micro's reference kernels.
//
// Shapes: input [batches, input_depth] (any tensor flattened), filter [output_depth,
// input_depth], bias [output_depth] (optional), output [batches, output_depth].
#ifndef KILN_RUNTIME_FULLY_CONNECTED_H_
#define KILN_RUNTIME_FULLY_CONNECTED_H_

#include <stdint.h>

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct FullyConnectedDims {
  int32_t batches;
  int32_t input_depth;
  int32_t output_depth;
};

struct FullyConnectedParams {
  int32_t input_offset;   // minus the input zero point, in [-127, 128]; 0 for int16
  int32_t filter_offset;  // minus the filter zero point, in [-127, 128] (0 for per-channel)
  int32_t output_offset;  // the output zero point; 0 for int16
  int32_t act_min;        // clamp in the output's quantized domain (fused activation)
  int32_t act_max;
  // true: output_multiplier/output_shift hold one entry per output channel; false: one entry
  // for the whole tensor.
  bool per_channel;
};

struct FullyConnectedFloatParams {
  float act_min;  // fused activation clamp
  float act_max;
};

// output = clamp(requant_o(sum (input + input_offset) * (filter + filter_offset) + bias[o]) +
// output_offset), requant_o multiplying by output_multiplier[o] * 2^(output_shift[o] - 31) (or
// entry 0 when not per-channel). bias may be null.
Status fully_connected_int8(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                            const int32_t* output_multiplier, const int32_t* output_shift,
                            const int8_t* input, const int8_t* filter, const int32_t* bias,
                            int8_t* output);

// int16 activations, int8 weights, zero points of input and output 0: output =
// clamp(requant_o(sum input * (filter + filter_offset) + bias[o])). With an int64 bias the
// reference accumulates in 64 bits and requantizes with its 64-bit routine (multiplier rounded
// to 16 bits, shifts up to 14); with an int32 bias, or none, in 32 bits like int8. bias may be
// null.
Status fully_connected_int16x8_bias64(const FullyConnectedParams& params,
                                      const FullyConnectedDims& dims,
                                      const int32_t* output_multiplier, const int32_t* output_shift,
                                      const int16_t* input, const int8_t* filter,
                                      const int64_t* bias, int16_t* output);
Status fully_connected_int16x8_bias32(const FullyConnectedParams& params,
                                      const FullyConnectedDims& dims,
                                      const int32_t* output_multiplier, const int32_t* output_shift,
                                      const int16_t* input, const int8_t* filter,
                                      const int32_t* bias, int16_t* output);

// output = clamp(sum input * filter + bias[o]), summed in the reference's order. bias may be null.
Status fully_connected_float(const FullyConnectedFloatParams& params,
                             const FullyConnectedDims& dims, const float* input,
                             const float* filter, const float* bias, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FULLY_CONNECTED_H_
