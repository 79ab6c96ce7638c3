#include "runtime/softmax.h"
#include "runtime/float_math.h"

#include <math.h>

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

namespace {

// Integer bits of the scaled difference (Q5.26): differences down to -32 are representable;
// exp(-16) and below no longer change an 8- or 16-bit result.
const int kScaledDiffIntegerBits = 5;
// Integer bits of the running sum (Q12.19): room for 4095 terms of at most 1. Longer rows can
// wrap around, as they do in the reference.
const int kAccumulationIntegerBits = 12;

bool params_valid(const SoftmaxQuantizedParams& p) {
  return p.outer_size >= 0 && p.depth >= 0 && p.input_left_shift >= 0 && p.input_left_shift <= 31 &&
         p.diff_min <= 0 && static_cast<int64_t>(p.outer_size) * p.depth <= INT32_MAX;
}

Status check_params(const SoftmaxQuantizedParams& p, const void* input, const void* output) {
  if (!params_valid(p)) return kBadArgument;
  if (p.outer_size > 0 && p.depth > 0 && (input == NULL || output == NULL)) return kBadArgument;
  return kOk;
}

// beta * input_scale * d in Q5.26. diff_min guarantees d * 2^shift fits in int32 for valid
// parameters; the shift is done on unsigned values so that invalid ones cannot cause UB.
int32_t scaled_difference(int32_t diff, const SoftmaxQuantizedParams& p) {
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(diff)
                                               << static_cast<uint32_t>(p.input_left_shift));
  return saturating_rounding_doubling_high_mul(shifted, p.input_multiplier);
}

// exp(beta * input_scale * d) in Q0.31 for a difference d in [diff_min, 0], computed.
struct ComputedExp {
  const SoftmaxQuantizedParams* p;
  int32_t operator()(int32_t diff) const {
    if (diff < p->diff_min) return 0;
    return fxp::exp_on_negative_values(scaled_difference(diff, *p), kScaledDiffIntegerBits);
  }
};

// The same looked up: an int8 row's differences are the 256 integers 0 .. -255, so the table
// softmax_int8_exp_table builds ahead of time holds every value ComputedExp can return.
struct TableExp {
  const int32_t* table;
  int32_t operator()(int32_t diff) const { return table[-diff]; }
};

// An exp of 0 (a difference below diff_min, or one whose exp underflows) adds nothing to the
// sum and gives the output minimum, in the reference as here.
template <typename OutputT, typename Exp>
void softmax_rows(const SoftmaxQuantizedParams& p, const Exp& exp_of, const int8_t* input,
                  OutputT* output, int32_t output_bits, int32_t output_min, int32_t output_max) {
  for (int32_t row = 0; row < p.outer_size; ++row) {
    const int8_t* in = input + row * p.depth;
    OutputT* out = output + row * p.depth;
    int32_t max_value = -128;
    for (int32_t c = 0; c < p.depth; ++c) max_value = max_i32(max_value, in[c]);

    int32_t sum_of_exps = 0;  // Q12.19
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t exp_q0 = exp_of(in[c] - max_value);
      sum_of_exps =
          fxp::wrapping_add(sum_of_exps, fxp::rescale(exp_q0, 0, kAccumulationIntegerBits));
    }

    // 1 / sum = reciprocal * 2^-bits_over_unit. The maximum element contributes exactly 1, so the
    // sum is at least 1 and bits_over_unit >= 0.
    int bits_over_unit = 0;
    const int32_t reciprocal =
        fxp::reciprocal(sum_of_exps, kAccumulationIntegerBits, &bits_over_unit);
    // exp * reciprocal is a Q0.31 probability scaled by 2^bits_over_unit; keep output_bits bits.
    const int exponent = bits_over_unit + 31 - output_bits;
    const bool exponent_valid = exponent >= 0 && exponent <= 31;

    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t exp_q0 = exp_of(in[c] - max_value);
      int32_t value = output_min;
      if (exp_q0 != 0 && exponent_valid) {
        const int32_t unsaturated = rounding_divide_by_pot(fxp::mul(reciprocal, exp_q0), exponent);
        value = clamp_i32(unsaturated + output_min, output_min, output_max);
      }
      out[c] = static_cast<OutputT>(value);
    }
  }
}

}  // namespace

Status softmax_int8(const SoftmaxQuantizedParams& p, const int8_t* input, int8_t* output) {
  const Status status = check_params(p, input, output);
  if (status != kOk) return status;
  const ComputedExp exp_of = {&p};
  softmax_rows<int8_t>(p, exp_of, input, output, 8, -128, 127);
  return kOk;
}

Status softmax_int8_int16(const SoftmaxQuantizedParams& p, const int8_t* input, int16_t* output) {
  const Status status = check_params(p, input, output);
  if (status != kOk) return status;
  const ComputedExp exp_of = {&p};
  softmax_rows<int16_t>(p, exp_of, input, output, 16, -32768, 32767);
  return kOk;
}

Status softmax_int8_exp_table(const SoftmaxQuantizedParams& p, int32_t* table) {
  if (table == NULL || !params_valid(p)) return kBadArgument;
  const ComputedExp exp_of = {&p};
  for (int32_t k = 0; k < kSoftmaxExpTableEntries; ++k) table[k] = exp_of(-k);
  return kOk;
}

Status softmax_int8_tabled(const SoftmaxQuantizedParams& p, const int32_t* exp_table,
                           const int8_t* input, int8_t* output) {
  const Status status = check_params(p, input, output);
  if (status != kOk) return status;
  if (exp_table == NULL) return kBadArgument;
  const TableExp exp_of = {exp_table};
  softmax_rows<int8_t>(p, exp_of, input, output, 8, -128, 127);
  return kOk;
}

Status softmax_int8_int16_tabled(const SoftmaxQuantizedParams& p, const int32_t* exp_table,
                                 const int8_t* input, int16_t* output) {
  const Status status = check_params(p, input, output);
  if (status != kOk) return status;
  if (exp_table == NULL) return kBadArgument;
  const TableExp exp_of = {exp_table};
  softmax_rows<int16_t>(p, exp_of, input, output, 16, -32768, 32767);
  return kOk;
}

Status softmax_float(const SoftmaxFloatParams& p, const float* input, float* output) {
  if (p.outer_size < 0 || p.depth < 0) return kBadArgument;
  if (static_cast<int64_t>(p.outer_size) * p.depth > INT32_MAX) return kBadArgument;
  if (p.outer_size > 0 && p.depth > 0 && (input == NULL || output == NULL)) return kBadArgument;
  for (int32_t row = 0; row < p.outer_size; ++row) {
    const float* in = input + row * p.depth;
    float* out = output + row * p.depth;
    // Subtracting the maximum keeps exp() from overflowing; the ratio is unchanged.
    // Two elements per iteration in the first and last loops (same comparisons and divisions,
    // in the same order): on the M4 the loop overhead is a visible part of a short row.
    float max_value = -3.402823466e+38f;
    int32_t c = 0;
    for (; c + 1 < p.depth; c += 2) {
      max_value = in[c] > max_value ? in[c] : max_value;
      max_value = in[c + 1] > max_value ? in[c + 1] : max_value;
    }
    if (c < p.depth) max_value = in[c] > max_value ? in[c] : max_value;
    const float beta = p.beta;
    float sum = 0.0f;
    for (c = 0; c < p.depth; ++c) {
      out[c] = exp_float((in[c] - max_value) * beta);
      sum += out[c];
    }
    for (c = 0; c + 1 < p.depth; c += 2) {
      out[c] = out[c] / sum;
      out[c + 1] = out[c + 1] / sum;
    }
    if (c < p.depth) out[c] = out[c] / sum;
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
