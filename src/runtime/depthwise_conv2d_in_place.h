// DEPTHWISE_CONV_2D, int8 with depth_multiplier 1, computed in place: the output overwrites the
// input it is computed from, so the layer needs the memory of its input plus one output channel
// plane of scratch, instead of input plus output (as TinyEngine does on microcontrollers).
// Results are bit-identical with depthwise_conv2d_int8.
//
// Why overwriting is safe: with one filter per channel, output channel c reads input channel c
// only, and in NHWC (same base address, same C) the elements of channel c of both tensors sit at
// the flat indices congruent to c modulo C. The kernel computes all OH*OW outputs of channel c of
// one batch into the scratch, reading nothing but input channel c, and only then stores them at
// the channel-c indices of that batch's output. Those indices can hold only channel-c inputs,
// which are no longer needed, or inputs of earlier batches, which are finished: batch b's
// outputs lie below (b + 1) * OH*OW*C <= (b + 1) * H*W*C, where the next batch's input starts,
// provided OH*OW <= H*W (true for every TFLite padding with stride >= 1, checked).
#ifndef KILN_RUNTIME_DEPTHWISE_CONV2D_IN_PLACE_H_
#define KILN_RUNTIME_DEPTHWISE_CONV2D_IN_PLACE_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv_common.h"
#include "runtime/depthwise_conv2d.h"

namespace kiln {
namespace rt {

// Scratch bytes depthwise_conv2d_int8_in_place needs: one output channel plane, OH * OW bytes
// (0 for an invalid shape).
size_t depthwise_conv2d_int8_in_place_scratch_bytes(const Shape4& output_shape);

// `data` holds the input [N, H, W, C] on entry and the output [N, OH, OW, C] on return, both
// starting at `data`. params.depth_multiplier must be 1; the other parameters mean what they
// mean for depthwise_conv2d_int8. `scratch` (scratch_bytes above) must not overlap the input or
// the output. bias may be null.
Status depthwise_conv2d_int8_in_place(const DepthwiseConv2DParams& params,
                                      const int32_t* output_multiplier, const int32_t* output_shift,
                                      const Shape4& input_shape, const Shape4& filter_shape,
                                      const int8_t* filter, const int32_t* bias,
                                      const Shape4& output_shape, int8_t* data, int8_t* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_DEPTHWISE_CONV2D_IN_PLACE_H_
