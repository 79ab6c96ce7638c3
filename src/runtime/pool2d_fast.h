// AVERAGE_POOL_2D and MAX_POOL_2D int8, fast variants for cores with the DSP extension
// (Cortex-M4/M7/M33): the same results as average_pool2d_int8 and max_pool2d_int8, bit for bit.
//
// Both work on four neighbouring channels at a time, one word load per window tap:
// - Average: SXTAB16 adds the tap's four values into two words of 16-bit lane sums (channels
//   c, c + 2 and c + 1, c + 3). A window of at most 256 taps keeps every sum within int16
//   (256 * -128 = -32768, 256 * 127 = 32512), so the wrapping lane additions are exact; larger
//   windows run the reference kernel. The division and its rounding stay per channel, as in
//   the reference.
// - Max: SSUB8 + SEL keep the four lanes' maxima; the activation clamp is two more SELs and the
//   four outputs leave in one store.
// Channels beyond the last multiple of four take the reference's scalar arithmetic.
//
// On other targets the DSP instructions are emulated exactly (simd32.h), so host tests check the
// very algorithm the device runs.
#ifndef KILN_RUNTIME_POOL2D_FAST_H_
#define KILN_RUNTIME_POOL2D_FAST_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln {
namespace rt {

// Arguments and results as for average_pool2d_int8.
Status average_pool2d_int8_fast(const Pool2DParams& params, const Shape4& input_shape,
                                const int8_t* input, const Shape4& output_shape, int8_t* output);

// Arguments and results as for max_pool2d_int8.
Status max_pool2d_int8_fast(const Pool2DParams& params, const Shape4& input_shape,
                            const int8_t* input, const Shape4& output_shape, int8_t* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_POOL2D_FAST_H_
