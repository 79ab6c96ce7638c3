// AVERAGE_POOL_2D: the mean of each window over the input positions it covers (padding is not
// counted), int8 and float32, bit-exact with TFLite Micro's reference kernels.
//
// Shapes: input [N, H, W, C], output [N, OH, OW, C]; input and output share their quantization.
#ifndef KILN_RUNTIME_AVERAGE_POOL2D_H_
#define KILN_RUNTIME_AVERAGE_POOL2D_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln {
namespace rt {

// sum / count rounded half away from zero, then clamped. Returns kBadArgument if some window
// covers no input position (only possible with an output larger than the padding allows).
Status average_pool2d_int8(const Pool2DParams& params, const Shape4& input_shape,
                           const int8_t* input, const Shape4& output_shape, int8_t* output);

// sum / count in float, summed in the reference's order, then clamped.
Status average_pool2d_float(const Pool2DFloatParams& params, const Shape4& input_shape,
                            const float* input, const Shape4& output_shape, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_AVERAGE_POOL2D_H_
