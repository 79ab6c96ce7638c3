// SOFTMAX over the last dimension: out[i] = exp(beta * (x[i] - max)) / sum_j exp(beta * (x[j] -
// max)).
//
// Quantized inputs follow TFLM's fixed-point algorithm (int8 in; int8 or int16 out):
// - d = x[i] - max(x) is an integer <= 0. Differences below diff_min are treated as exp = 0.
// - d is scaled by beta * input_scale into Q5.26 (input_multiplier, input_left_shift), and
//   exp(d) evaluated in fixed point (Q0.31 result).
// - The exps are summed in Q12.19; the sum's reciprocal is a Q0.31 mantissa with a power of two.
// - Each output is exp * reciprocal, shifted down to the output's 8 (or 16) bits, offset by the
//   type minimum (the output zero point is fixed at -128 / -32768: scale 1/256 / 1/65536).
//
// The exp is the costly part (a polynomial and up to ten barrel steps per element, twice), yet
// an int8 row has only 256 possible differences. The *_tabled variants read it from a table of
// those 256 values that softmax_int8_exp_table fills once (the AOT compiler emits it as a
// constant, 1 KiB of flash); every other step is shared, so both variants agree bit for bit.
#ifndef KILN_RUNTIME_SOFTMAX_H_
#define KILN_RUNTIME_SOFTMAX_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct SoftmaxQuantizedParams {
  int32_t outer_size;        // number of rows (product of all but the last dimension)
  int32_t depth;             // length of the last dimension
  int32_t input_multiplier;  // Q0.31 mantissa of beta * input_scale * 2^26, > 1 overall
  int32_t input_left_shift;  // its power of two, in [0, 31]
  int32_t diff_min;          // smallest (most negative) difference that still contributes
};

struct SoftmaxFloatParams {
  int32_t outer_size;
  int32_t depth;
  float beta;
};

Status softmax_int8(const SoftmaxQuantizedParams& params, const int8_t* input, int8_t* output);
Status softmax_int8_int16(const SoftmaxQuantizedParams& params, const int8_t* input,
                          int16_t* output);
// Entries of the exp table: the differences 0, -1, ..., -255.
const int32_t kSoftmaxExpTableEntries = 256;

// table[k] = the Q0.31 exp the kernels use for the difference -k (0 below diff_min).
Status softmax_int8_exp_table(const SoftmaxQuantizedParams& params, int32_t* table);
// softmax_int8 / softmax_int8_int16 with the exp from that table.
Status softmax_int8_tabled(const SoftmaxQuantizedParams& params, const int32_t* exp_table,
                           const int8_t* input, int8_t* output);
Status softmax_int8_int16_tabled(const SoftmaxQuantizedParams& params, const int32_t* exp_table,
                                 const int8_t* input, int16_t* output);
Status softmax_float(const SoftmaxFloatParams& params, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_SOFTMAX_H_
