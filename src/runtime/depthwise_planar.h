// The channel-planar path of depthwise_conv2d_int8_in_place_fast for 3x3 filters with stride 1,
// dilation 1 and depth multiplier 1: bit for bit the reference's results.
//
// For a group of up to four channels it widens the input lines a window needs into 16-bit
// entries, with the input offset added and zeros where the window hangs over the border: a ring
// of three lines per channel, filled as the output lines advance, interleaved by words so that
// one pointer reaches all three. Along a line, SMLAD multiplies two neighbouring taps of one
// channel at once and a halfword multiply the third; each pass computes four outputs from nine
// loaded words, with the channel's taps in registers as 16-bit pairs (zero for a ring line
// outside the input). The lines are the input rows or, for inputs taller than wide that keep
// their width (KWS's 25x5), the columns, so that the per-line setup is spread over more outputs.
// Each output line is requantized from the per-channel table and written straight over the
// input: output pixel q of channel c replaces input pixel q of channel c only, and the plan
// checks that every input line is widened before its bytes are overwritten. Channels whose
// accumulators stay below 2^30 in magnitude take doubled taps and a shorter exact output step
// (SMMLAR with the rounding constant as its addend); with the full int8 range on DSP targets an
// assembly line loop runs them (KWS: 324k -> 262k cycles per 25x5x64 layer).
//
// Measured on the M4 (QEMU cycle model), lines of fewer than 16 outputs and stride 2 (where the
// widening of four times as many inputs costs more than the pairs save) run faster on the
// padded quad path of depthwise_conv2d_fast.cpp; those layers stay there.
#ifndef KILN_RUNTIME_DEPTHWISE_PLANAR_H_
#define KILN_RUNTIME_DEPTHWISE_PLANAR_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/depthwise_conv2d.h"
#include "runtime/requant_fast.h"

namespace kiln {
namespace rt {

// How one call is laid out in scratch; group 0 when the planar path does not apply.
struct DepthwisePlanarPlan {
  int32_t group;       // channels widened together (4, 2 or 1)
  int32_t row_halves;  // 16-bit entries of one widened line (even)
  int32_t by_columns;  // 1: the lines are the input's columns (for inputs taller than wide)
  size_t bytes;        // scratch the path uses
};

// Scratch bytes that let every layer with this output shape that can take the planar path do so
// with groups of four channels (0 if none can: its lines would be too short to gain).
size_t depthwise_planar_scratch_bound(const Shape4& output_shape);

// The plan for these (valid, depth multiplier 1) arguments within `available` scratch bytes.
DepthwisePlanarPlan depthwise_planar_plan(const DepthwiseConv2DParams& params,
                                          const Shape4& input_shape, const Shape4& filter_shape,
                                          const Shape4& output_shape, size_t available);

// Runs the planar path in place over `data` (input on entry, output on return). `table` is the
// built requantization table, `scratch` 4-byte aligned with plan.bytes bytes.
void depthwise_planar_in_place(const DepthwisePlanarPlan& plan, const DepthwiseConv2DParams& params,
                               const Shape4& input_shape, const int8_t* filter,
                               const RequantChannel* table, const Shape4& output_shape,
                               int8_t* data, void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_DEPTHWISE_PLANAR_H_
