// UNIDIRECTIONAL_SEQUENCE_LSTM int8, fast variant for cores with the DSP extension
// (Cortex-M4/M7/M33): the same results as lstm_int8 (lstm.h), bit for bit.
//
// The reference computes each gate over all units, then the cell update over all units. Here
// one unit is finished at a time: its four gates' input and recurrent products run together
// (eight accumulators, two 16-bit products per SMLAD), and the unit's gate activations, cell
// update and hidden value follow while the eight sums are still in registers. The weights are
// packed ahead of time (by the AOT compiler) into 16-bit pairs in the order the loop reads
// them, with the biases in front of each unit, so the inner loop is loads and SMLADs only.
// The input and hidden rows are widened to 16 bits once per step. New hidden values go to the
// output row only (every unit's recurrent product reads the old hidden values); the next step
// reads its hidden input from there, and the hidden state gets the last row at the end.
//
// Requantizations whose parameters are outside the range of the exact DSP sequence (the
// reference's multiplier in [2^30, 2^31) and a right shift in [1, 31]) make the whole call use
// the reference's arithmetic for those steps instead (same loops). On other targets the DSP
// instructions are emulated exactly (simd32.h), so host tests check the very algorithm the
// device runs.
#ifndef KILN_RUNTIME_LSTM_FAST_H_
#define KILN_RUNTIME_LSTM_FAST_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/lstm.h"
#include "runtime/sigmoid_table.h"

namespace kiln {
namespace rt {

// The sigmoid table (sigmoid_table.h) as words for one-instruction interpolation: entry i - 32768
// in the high half, entry i + 1 - entry i in the low half (0 for the last entry).
extern const uint32_t kLstmSigmoidPairs[kSigmoidTableSize];

// Words of the packed weights for these dimensions (0 for invalid dimensions). Per unit n:
//   4 words: the input bias of the input, forget, cell and output gate;
//   for each group of four input values k..k+3: for each gate in that order, the words
//     (W[n, k], W[n, k+2]) and (W[n, k+1], W[n, k+3]) as 16-bit lanes (zero past input_size),
//     the order in which SXTB16 widens four int8 inputs;
//   4 words: the recurrent biases, then the same groups for the recurrent weights.
size_t lstm_int8_fast_packed_words(const LstmDims& dims);

// Fills `packed` (lstm_int8_fast_packed_words words) from the weights and folded biases
// lstm_int8 takes (a NULL recurrent bias counts as zeros).
Status lstm_int8_fast_pack(const LstmDims& dims, const LstmInt8Weights& weights, int32_t* packed);

// Scratch bytes lstm_int8_fast needs: the widened input and hidden rows (0 for invalid dims).
size_t lstm_int8_fast_scratch_bytes(const LstmDims& dims);

// As lstm_int8, with the packed weights; `scratch` is lstm_int8_fast_scratch_bytes bytes,
// 4-byte aligned, overlapping no tensor; `output` does not overlap the hidden state (it holds
// each step's hidden values until the state takes the last ones).
Status lstm_int8_fast(const LstmInt8Params& params, const int32_t* packed, const int8_t* input,
                      int8_t* hidden_state, int16_t* cell_state, int8_t* output, void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_LSTM_FAST_H_
