// CONCATENATION: joins up to 10 tensors along one axis. Like TFLM's reference kernel, int8
// inputs are joined byte for byte, without requantization, even when an input's scale or zero
// point differs from the output's.
//
// Any rank reduces to three numbers: `outer` (product of the dimensions before the axis),
// each input's extent along the axis, and `inner` (product of the dimensions after it). The
// output is then, for every outer index, each input's contiguous block in turn.
#ifndef KILN_RUNTIME_CONCATENATION_H_
#define KILN_RUNTIME_CONCATENATION_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

enum { kConcatenationMaxInputs = 10 };

struct ConcatenationParams {
  int32_t num_inputs;
  int32_t outer_size;
  int32_t inner_size;
  int32_t axis_sizes[kConcatenationMaxInputs];  // each input's extent along the axis
};

Status concatenation_int8(const ConcatenationParams& params, const int8_t* const* inputs,
                          int8_t* output);
Status concatenation_int16(const ConcatenationParams& params, const int16_t* const* inputs,
                           int16_t* output);
Status concatenation_int32(const ConcatenationParams& params, const int32_t* const* inputs,
                           int32_t* output);
Status concatenation_float(const ConcatenationParams& params, const float* const* inputs,
                           float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_CONCATENATION_H_
