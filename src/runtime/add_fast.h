// ADD int8, fast variant for cores with the DSP extension (Cortex-M4/M7/M33): the same results
// as add_int8, bit for bit.
//
// Each of the reference's three rescales, multiply_by_quantized_multiplier with a right shift
// rs >= 1, becomes the sequence of requant_fast.h: SMMLAR by twice the multiplier (TFLite's
// rounding doubling high multiply, for multipliers in [2^30, 2^31)), minus the sign bit, plus
// 2^(rs - 1), shifted right by rs (its rounding half away from zero). Here nothing saturates:
// the centred inputs (|v| <= 383) shifted left by at most 20 bits (TFLite's choice) stay below
// 2^29, their rescaled sum below 2^30, and a rounding term of at most 2^30 added to either keeps
// it inside int32, so plain additions are exact. Same-shape operands run one flat loop;
// broadcasting, or parameters outside that range (a multiplier below 2^30, a shift of 0, a
// left shift above 20, an output zero point outside int8), run the reference kernel.
//
// On other targets SMMLAR is emulated exactly (simd32.h), so host tests check the very
// algorithm the device runs.
#ifndef KILN_RUNTIME_ADD_FAST_H_
#define KILN_RUNTIME_ADD_FAST_H_

#include <stdint.h>

#include "runtime/add.h"
#include "runtime/broadcast.h"
#include "runtime/common.h"

namespace kiln {
namespace rt {

// Arguments and results as for add_int8.
Status add_int8_fast(const AddSubInt8Params& params, const BroadcastShape& shape,
                     const int8_t* input1, const int8_t* input2, int8_t* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_ADD_FAST_H_
