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

// ---- Speed mode: the filter widened to 16 bits ahead of time ----
// Where flash is no object (kiln's --opt-speed), the filter is stored as the 16-bit pairs
// SXTB16 would make of it, (w0, w2) and (w1, w3) per group of four, with the bias joined to
// the stream: each block of four rows starts with their four biases, then come the words of
// each group, row by row. The last output_depth % 4 rows form a pair block (two biases, then
// per group both rows' words) if there are two or three, and a single row (bias, words) if odd. A
// group of four rows then takes one input pair load, two LDMs and eight SMLADs. The requantization
// must come from a table.

// Words of the 16-bit filter: output_depth * (1 + 2 * ceil(input_depth / 4)) (0 if invalid).
size_t fully_connected_int8_fast_wide_filter_words(const FullyConnectedDims& dims);

// Fills `packed` from the filter in TFLite's [output_depth, input_depth] layout and the bias
// (null: zeros), in the order above.
Status fully_connected_int8_fast_pack_wide_filter(const FullyConnectedDims& dims,
                                                  const int8_t* filter, const int32_t* bias,
                                                  int32_t* packed);

// Everything a call of the wide kernel needs besides its arrays, checked and decided once by
// fully_connected_int8_fast_wide_plan (by the AOT compiler, ahead of time): tiny layers such as
// hello_world's feel every instruction a call spends on checks.
struct FullyConnectedWidePlan {
  FullyConnectedDims dims;
  int32_t input_offset;
  int32_t filter_offset;
  int32_t clamp_low;   // act_min in each of the four bytes
  int32_t clamp_high;  // act_max in each of the four bytes
  int32_t variant;     // which loop runs (the requantization and clamp it needs)
};

// Checks the arguments (the activation range must lie within int8) and fills `plan`;
// `requant_table` is what fully_connected_int8_fast_requant_table made.
Status fully_connected_int8_fast_wide_plan(const FullyConnectedParams& params,
                                           const FullyConnectedDims& dims,
                                           const RequantChannel* requant_table,
                                           FullyConnectedWidePlan* plan);

// output as fully_connected_int8 computes it, for a plan made by
// fully_connected_int8_fast_wide_plan from the same table: it checks nothing itself.
// `packed_filter` is fully_connected_int8_fast_pack_wide_filter's result; `scratch`:
// fully_connected_int8_fast_scratch_bytes bytes, 4-byte aligned, overlapping no other argument.
void fully_connected_int8_fast_wide(const FullyConnectedWidePlan& plan,
                                    const RequantChannel* requant_table, const int8_t* input,
                                    const int32_t* packed_filter, int8_t* output, void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FULLY_CONNECTED_FAST_H_
