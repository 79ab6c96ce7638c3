// DEPTHWISE_CONV_2D int8 with depth_multiplier 1, fast variants for cores with the DSP extension:
// the same results as depthwise_conv2d_int8 and depthwise_conv2d_int8_in_place, bit for bit.
//
// Four neighbouring channels at a time: one word load brings a filter tap or an input pixel of
// all four, SXTAB16 widens the input and adds the input offset to two lanes per instruction, and
// SMLABB/SMLATT multiply-accumulate lane by lane (depthwise channels never mix, so the paired
// sum of SMLAD does not apply). The requantization runs from a per-channel table
// (requant_fast.h). Channel counts that are not a multiple of four finish one by one.
//
// depthwise_conv2d_int8_fast visits output pixels in memory order and writes each after reading
// its window, like the reference, so it may run on the memory plan's shifted placements.
// depthwise_conv2d_int8_in_place_fast keeps the in-place scheme of depthwise_conv2d_in_place.h
// with groups of four channel planes instead of one: the outputs of channels c..c+3 overwrite
// nothing but inputs of those channels, which are fully read by then. Working one channel quad
// at a time, it widens the quad's filter taps once (into a stack buffer of up to 49 taps, 392
// bytes) and computes a row of outputs at a time; 3x3 windows inside the input run unrolled.
//
// 3x3 layers with stride 1 and dilation 1 whose output rows are even and at least 6 long run the
// pair path: the input planes widened to 16 bits with zero borders (a channel quad at a time, in
// bands of output rows or one channel at a time where four whole planes do not fit in the
// scratch), two neighbouring outputs per pass with SMLAD / SMLADX over pairs of taps. The other
// stride-1 layers whose output lines are long enough run the channel-planar path of
// depthwise_planar.h (SMLAD over 16-bit widened input lines). The other 3x3 layers with
// dilation 1 (stride 2, short lines) run the padded path: each channel quad's input is copied
// into rows padded with the input zero point, so that one unrolled, border-free window loop
// computes every output pixel.
//
// Where the activation range is int8's and a channel's |bias| + 9 * 128 * 256 stays below 2^30,
// the pair path (rows of 6, 12, 24 or 48 outputs) and the padded path (maps of 64 outputs or
// more, whole quads) double its taps and bias and take a shorter exact output step (SMMLAR with
// the rounding term, the sign, one shift; no pre-shift and no saturating add).
//
// Other depth multipliers, activation ranges beyond int8, or requantization parameters outside
// the fast range run the reference kernels.
#ifndef KILN_RUNTIME_DEPTHWISE_CONV2D_FAST_H_
#define KILN_RUNTIME_DEPTHWISE_CONV2D_FAST_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/depthwise_conv2d.h"

namespace kiln {
namespace rt {

// Scratch bytes of depthwise_conv2d_int8_fast: the requantization table (0 for invalid shapes).
size_t depthwise_conv2d_int8_fast_scratch_bytes(const Shape4& output_shape);

// Arguments as for depthwise_conv2d_int8, plus `scratch` (4-byte aligned, overlapping neither
// tensor).
Status depthwise_conv2d_int8_fast(const DepthwiseConv2DParams& params,
                                  const int32_t* output_multiplier, const int32_t* output_shift,
                                  const Shape4& input_shape, const int8_t* input,
                                  const Shape4& filter_shape, const int8_t* filter,
                                  const int32_t* bias, const Shape4& output_shape, int8_t* output,
                                  void* scratch);

// Scratch bytes of depthwise_conv2d_int8_in_place_fast: the table plus the largest of four output
// channel planes, 4 * OH * OW bytes, the channel-planar path's widened lines
// (depthwise_planar_scratch_bound) and the padded path's rows: three rows of 4 * (2 * OW + 1)
// bytes, or for maps of at most 144 outputs that the planar path leaves, the whole padded plane
// of stride 2, 4 * (2 * OH + 1) * (2 * OW + 1) bytes (0 for invalid shapes).
size_t depthwise_conv2d_int8_in_place_fast_scratch_bytes(const Shape4& output_shape);

// Arguments as for depthwise_conv2d_int8_in_place (`data` holds the input on entry and the
// output on return), with the larger, 4-byte aligned `scratch` above.
Status depthwise_conv2d_int8_in_place_fast(const DepthwiseConv2DParams& params,
                                           const int32_t* output_multiplier,
                                           const int32_t* output_shift, const Shape4& input_shape,
                                           const Shape4& filter_shape, const int8_t* filter,
                                           const int32_t* bias, const Shape4& output_shape,
                                           int8_t* data, void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_DEPTHWISE_CONV2D_FAST_H_
