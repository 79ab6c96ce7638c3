// CONV_2D with a 1x1 filter, stride 1 and no padding ("pointwise"), int8, computed in place: the
// output may overwrite the input it is computed from, so the layer needs little more than the
// larger of the two tensors plus C_out bytes of scratch. Results are bit-identical with
// conv2d_int8.
//
// Why overwriting is safe: output pixel p reads input pixel p only. The kernel visits pixels in
// memory order, computes all C_out values of pixel p into the scratch, and only then stores them
// at output + p * C_out. The store must not reach an input pixel still to be read, i.e. the end
// of output pixel p may not pass the start of input pixel p + 1:
//   output + (p + 1) * C_out <= input + (p + 1) * C_in   for every pixel p < P = N*H*W.
// With C_out <= C_in this holds whenever output <= input (e.g. the same base); with C_out > C_in
// the output must start at least P * (C_out - C_in) bytes before the input, e.g. so that both
// end together. conv2d_pointwise_in_place_lead gives that distance.
#ifndef KILN_RUNTIME_CONV2D_POINTWISE_IN_PLACE_H_
#define KILN_RUNTIME_CONV2D_POINTWISE_IN_PLACE_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv2d.h"
#include "runtime/conv_common.h"

namespace kiln {
namespace rt {

// The least number of bytes the output must start before the input when the two overlap:
// max(0, P * (C_out - C_in)) (0 for invalid shapes).
int64_t conv2d_pointwise_in_place_lead(const Shape4& input_shape, const Shape4& output_shape);

// Scratch bytes conv2d_pointwise_int8_in_place needs: one output pixel, C_out bytes (0 for an
// invalid shape).
size_t conv2d_pointwise_int8_in_place_scratch_bytes(const Shape4& output_shape);

// input [N, H, W, C_in], filter [C_out, 1, 1, C_in], output [N, H, W, C_out]; params.window must
// have stride 1 and no padding. `output` either starts at least
// conv2d_pointwise_in_place_lead bytes before `input` (then the input is overwritten) or does
// not overlap it at all; any other placement returns kBadArgument. `scratch` must not overlap
// either tensor. bias may be null.
Status conv2d_pointwise_int8_in_place(const Conv2DParams& params, const int32_t* output_multiplier,
                                      const int32_t* output_shift, const Shape4& input_shape,
                                      const int8_t* input, const Shape4& filter_shape,
                                      const int8_t* filter, const int32_t* bias,
                                      const Shape4& output_shape, int8_t* output, int8_t* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_CONV2D_POINTWISE_IN_PLACE_H_
