// CONV_2D int8, fast variant for cores with the DSP extension (Cortex-M4/M7/M33): the same
// results as conv2d_int8 (conv2d.h), bit for bit, computed as a matrix product.
//
// A few output pixels at a time (three with the packed filter, two without), their input
// windows are copied into a column buffer as 16-bit values with the input offset already added
// (padding becomes 0), in the order the SMLAD instruction wants and interleaved so that one
// step meets the same word of every column; the depth is padded to whole groups of four. Then
// every pair of filter rows is multiplied with the columns, two 16-bit products per
// instruction, each loaded filter word used for every column and each column word for both
// rows. conv2d_int8_fast reads the filter in TFLite's layout and widens it in the inner loop;
// conv2d_int8_fast_packed reads it packed ahead of time (by the AOT compiler) into 16-bit words
// in the order the loop uses them, zero padded, so that the loop is loads and SMLADs only (on
// the DSP, a hand-scheduled loop over the row pairs with the output step included; layers of up
// to eight groups, the shallow ones, run copies of it unrolled for their group count, and
// pointwise ones of that depth run all their passes in one block, with doubled columns so that
// the output step needs one instruction less, where twice every partial sum fits; deeper
// pointwise layers use doubled columns too where some channel shifts right by more than 22, as
// pruned channels do, dropping the pre-shift: there a row pair with all-zero weights skips its
// multiply and stores its constant outputs, and a pair with one all-zero row multiplies the
// other alone). Output
// pixels are produced in memory order and each is written only after its whole window was
// read, so the kernel may run with the output placed over its input wherever conv2d_int8 may
// (compiler/output_sharing.h), including the pointwise in-place placement of
// conv2d_pointwise_in_place.h.
//
// On other targets the DSP instructions are emulated exactly (simd32.h), so host tests check the
// very algorithm the device runs (the hand-scheduled loops excepted, which the device model
// tests compare). Requantization parameters outside the table's range (requant_fast.h; zero
// multipliers are covered) use the reference output step in the same loops; grouped
// convolutions run conv2d_int8 itself.
#ifndef KILN_RUNTIME_CONV2D_FAST_H_
#define KILN_RUNTIME_CONV2D_FAST_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/conv2d.h"

namespace kiln {
namespace rt {

// Scratch bytes conv2d_int8_fast needs (0 for invalid shapes): the per-channel requantization
// table, three 16-bit columns and one 8-bit window.
size_t conv2d_int8_fast_scratch_bytes(const Shape4& input_shape, const Shape4& filter_shape,
                                      const Shape4& output_shape);

// Arguments as for conv2d_int8, plus `scratch`: conv2d_int8_fast_scratch_bytes bytes, 4-byte
// aligned, overlapping neither tensor (kBadArgument without it).
Status conv2d_int8_fast(const Conv2DParams& params, const int32_t* output_multiplier,
                        const int32_t* output_shift, const Shape4& input_shape, const int8_t* input,
                        const Shape4& filter_shape, const int8_t* filter, const int32_t* bias,
                        const Shape4& output_shape, int8_t* output, void* scratch);

// The filter packed for conv2d_int8_fast_packed, computed ahead of time (the AOT compiler emits
// it as a constant): for each pair of filter rows (output channels) r, r + 1, for each group of
// four values a0..a3 of row r and b0..b3 of row r + 1, the words (a0, a2), (b0, b2), (a1, a3),
// (b1, b3) of 16-bit lanes; the depth is padded to whole groups with zeros, and an odd last
// row pairs with a zero row. Words of the packed filter (0 for invalid shapes).
size_t conv2d_int8_fast_packed_filter_words(const Shape4& filter_shape);

// Fills `packed` (conv2d_int8_fast_packed_filter_words words) from the filter in TFLite's layout.
Status conv2d_int8_fast_pack_filter(const Shape4& filter_shape, const int8_t* filter,
                                    int32_t* packed);

// Scratch bytes conv2d_int8_fast_packed needs: conv2d_int8_fast_scratch_bytes, plus for a
// depth-one input whose window rows are whole groups of four (and which is not too large) a
// zero-padded 16-bit copy of the input, from which the kernel copies its columns.
size_t conv2d_int8_fast_packed_scratch_bytes(const Shape4& input_shape, const Shape4& filter_shape,
                                             const Shape4& output_shape);

// conv2d_int8_fast with the packed filter: the inner loop only loads and multiplies. The filter
// must not be grouped (filter depth = input depth); the results are the same bit for bit.
// `scratch` holds conv2d_int8_fast_packed_scratch_bytes bytes.
Status conv2d_int8_fast_packed(const Conv2DParams& params, const int32_t* output_multiplier,
                               const int32_t* output_shift, const Shape4& input_shape,
                               const int8_t* input, const Shape4& filter_shape,
                               const int32_t* packed_filter, const int32_t* bias,
                               const Shape4& output_shape, int8_t* output, void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_CONV2D_FAST_H_
