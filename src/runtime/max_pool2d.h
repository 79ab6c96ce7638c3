// MAX_POOL_2D: the maximum of each window over the input positions it covers (padding is
// ignored), int8 and float32, bit-exact with TFLite Micro's reference kernels.
//
// Shapes: input [N, H, W, C], output [N, OH, OW, C]; input and output share their quantization.
#ifndef KILN_RUNTIME_MAX_POOL2D_H_
#define KILN_RUNTIME_MAX_POOL2D_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln {
namespace rt {

// act_min/act_max must lie in [-128, 127].
Status max_pool2d_int8(const Pool2DParams& params, const Shape4& input_shape, const int8_t* input,
                       const Shape4& output_shape, int8_t* output);

Status max_pool2d_float(const Pool2DFloatParams& params, const Shape4& input_shape,
                        const float* input, const Shape4& output_shape, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_MAX_POOL2D_H_
