// MUL: elementwise product of two tensors with broadcasting and a fused activation clamp.
//
// int8: (q1 - zp1) * (q2 - zp2) is exact in int32; one requantization by
// M = s1 * s2 / s_out maps it to the output, then the zero point is added and the activation
// range applied.
#ifndef KILN_RUNTIME_MUL_H_
#define KILN_RUNTIME_MUL_H_

#include "runtime/add.h"
#include "runtime/broadcast.h"
#include "runtime/common.h"

namespace kiln {
namespace rt {

struct MulInt8Params {
  int32_t input1_offset;  // minus input 1's zero point
  int32_t input2_offset;  // minus input 2's zero point
  int32_t output_offset;  // output zero point
  int32_t output_multiplier;
  int32_t output_shift;  // positive = left
  int32_t activation_min;
  int32_t activation_max;
};

Status mul_int8(const MulInt8Params& params, const BroadcastShape& shape, const int8_t* input1,
                const int8_t* input2, int8_t* output);
Status mul_float(const FloatActivationParams& params, const BroadcastShape& shape,
                 const float* input1, const float* input2, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_MUL_H_
