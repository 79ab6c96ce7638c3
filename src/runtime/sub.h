// SUB: elementwise difference input1 - input2 with broadcasting and a fused activation clamp.
//
// int8 uses ADD's arithmetic (see add.h) with the rescaled inputs subtracted instead of added.
// Only the host-side multipliers differ in origin: TFLM derives SUB's from single-precision
// ratios where ADD uses double precision.
#ifndef KILN_RUNTIME_SUB_H_
#define KILN_RUNTIME_SUB_H_

#include "runtime/add.h"

namespace kiln {
namespace rt {

Status sub_int8(const AddSubInt8Params& params, const BroadcastShape& shape, const int8_t* input1,
                const int8_t* input2, int8_t* output);
Status sub_float(const FloatActivationParams& params, const BroadcastShape& shape,
                 const float* input1, const float* input2, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_SUB_H_
