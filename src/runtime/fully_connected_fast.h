// FULLY_CONNECTED int8, fast variant for cores with the DSP extension (Cortex-M4/M7/M33): the
// same results as fully_connected_int8 (fully_connected.h), bit for bit.
//
// A batch-1 layer uses every weight once, so the weights stay int8 (16-bit packing would double
// their flash) and are widened in the inner loop; what is reused, the input row, is widened once
// into the scratch as 16-bit pairs with the input offset added, in the lane order of
// int8_columns.h. Four output rows run together: per group of four inputs the two input words are
// loaded once, and each row's weight word becomes two SXTB16s and two SMLADs. The filter is
// reordered ahead of time (by the AOT compiler, fully_connected_int8_fast_pack_filter) so that
// the four rows' words of a group lie next to each other and one pointer walks them; the depth is
// padded to a multiple of four with zero weights, so the loops have no tails.
//
// The requantization table (requant_fast.h) is built ahead of time too
// (fully_connected_int8_fast_requant_table); where the parameters are outside its exact range the
// kernel takes no table and applies the reference output step. A filter zero point other than 0
// is exact as well: sum (w + fo) (x + io) = sum w (x + io) + fo * sum (x + io), the last term
// one number per batch.
//
// On other targets the DSP instructions are emulated exactly (simd32.h), so host tests check the
// very algorithm the device runs.
#ifndef KILN_RUNTIME_FULLY_CONNECTED_FAST_H_
#define KILN_RUNTIME_FULLY_CONNECTED_FAST_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/fully_connected.h"
#include "runtime/requant_fast.h"

namespace kiln {
namespace rt {

// Words of the packed filter (0 for invalid dimensions): output_depth rows of
// ceil(input_depth / 4) words each.
size_t fully_connected_int8_fast_packed_filter_words(const FullyConnectedDims& dims);

// Fills `packed` from the filter in TFLite's [output_depth, input_depth] layout. Word w of row r
// holds the row's values 4w .. 4w + 3 in bytes 0 .. 3 (zero beyond input_depth). Rows come in
// blocks of four, 0-3, 4-7, ..., where for each word index w the block holds row 0's word w, then
// rows 1, 2 and 3's; the last output_depth % 4 rows follow one after the other, each whole.
Status fully_connected_int8_fast_pack_filter(const FullyConnectedDims& dims, const int8_t* filter,
                                             int32_t* packed);

// Entries of the requantization table: output_depth when per-channel, else 1.
int32_t fully_connected_int8_fast_requant_entries(const FullyConnectedParams& params,
                                                  const FullyConnectedDims& dims);

// Builds the table (with bias 0: the kernel adds the bias to the sum) from the multipliers and
// shifts fully_connected_int8 takes. Returns false when some entry is outside the exact range or
// the activation range is not within int8; the kernel must then get no table.
bool fully_connected_int8_fast_requant_table(const FullyConnectedParams& params,
                                             const FullyConnectedDims& dims,
                                             const int32_t* output_multiplier,
                                             const int32_t* output_shift, RequantChannel* table);

// Scratch bytes the kernel needs (0 for invalid dimensions): one widened input row.
size_t fully_connected_int8_fast_scratch_bytes(const FullyConnectedDims& dims);

// output as fully_connected_int8 computes it. `requant_table` is what
// fully_connected_int8_fast_requant_table made of output_multiplier / output_shift (which may
// then be null), or null to requantize with those arrays as the reference does (they are needed
// then). `packed_filter` is fully_connected_int8_fast_pack_filter's result; `scratch`:
// fully_connected_int8_fast_scratch_bytes bytes, 4-byte aligned, overlapping no other argument.
// bias may be null.
Status fully_connected_int8_fast(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                                 const int32_t* output_multiplier, const int32_t* output_shift,
                                 const RequantChannel* requant_table, const int8_t* input,
                                 const int32_t* packed_filter, const int32_t* bias, int8_t* output,
                                 void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FULLY_CONNECTED_FAST_H_
