#include "runtime/fully_connected_fast.h"

#include "runtime/conv_common.h"
#include "runtime/int8_columns.h"
#include "runtime/simd32.h"

namespace kiln {
namespace rt {

namespace {

// Groups of four input values per row, the last one padded with zeros (depth <= INT32_MAX - 3).
inline int32_t group_count(int32_t input_depth) {
  return (input_depth + 3) >> 2;
}

// Positive dimensions whose tensors, and the packed filter, have element counts within int32.
// Divisions rather than 64-bit products: the M4 divides in one instruction, and tiny layers feel
// every instruction of the call.
bool fast_dims_valid(const FullyConnectedDims& d) {
  if (d.batches < 1 || d.input_depth < 1 || d.output_depth < 1 || d.input_depth > INT32_MAX - 3)
    return false;
  const int32_t most = INT32_MAX / (group_count(d.input_depth) * 4);
  return d.batches <= most && d.output_depth <= most && d.batches <= INT32_MAX / d.output_depth;
}

// The input row widened into word pairs (x0 + io, x2 + io), (x1 + io, x3 + io), one pair per
// group (int8_columns.h); the lanes past `depth` are zero, so that the filter offset's sum over
// the input does not see them. `offsets` holds the input offset in both halves.
inline void widen_input_row(const int8_t* input, int32_t depth, int32_t input_offset,
                            int32_t offsets, int32_t* words) {
  for (int32_t g = depth >> 2; g > 0; --g, input += 4, words += 2) {
    const int32_t v = simd32::load4(input);
    words[0] = simd32::sxtab16(offsets, v);
    words[1] = simd32::sxtab16_odd(offsets, v);
  }
  const int32_t tail = depth & 3;
  if (tail == 0) return;
  int32_t lanes[4] = {0, 0, 0, 0};
  for (int32_t t = 0; t < tail; ++t) lanes[t] = input[t] + input_offset;
  words[0] = simd32::pack_halves(lanes[0], lanes[2]);
  words[1] = simd32::pack_halves(lanes[1], lanes[3]);
}

// Sum of all 16-bit lanes of the widened row (wrapping like the reference's 32-bit sums).
int32_t widened_sum(const int32_t* words, int32_t groups) {
  const int32_t ones = simd32::pack_halves(1, 1);
  int32_t sum = 0;
  for (int32_t i = 0; i < 2 * groups; ++i) sum = simd32::smlad(words[i], ones, sum);
  return sum;
}

// One packed filter word times the matching input word pair: acc + w0 x0 + w2 x2 + w1 x1 + w3 x3.
inline int32_t word_dot(int32_t w, int32_t x_even, int32_t x_odd, int32_t acc) {
  acc = simd32::smlad(simd32::sxtb16(w), x_even, acc);
  return simd32::smlad(simd32::sxtb16_odd(w), x_odd, acc);
}

// One group of four inputs of a block of four rows: the input pair loaded once for the four
// weight words, which lie next to each other (two LDRDs).
inline void block_group(const int32_t*& x, const int32_t*& w, int32_t& acc0, int32_t& acc1,
                        int32_t& acc2, int32_t& acc3) {
  int32_t x_even, x_odd, w0, w1;
  simd32::load_pair(x, x_even, x_odd);
  simd32::load_pair(w, w0, w1);
  acc0 = word_dot(w0, x_even, x_odd, acc0);
  acc1 = word_dot(w1, x_even, x_odd, acc1);
  int32_t w2, w3;
  simd32::load_pair(w + 2, w2, w3);
  acc2 = word_dot(w2, x_even, x_odd, acc2);
  acc3 = word_dot(w3, x_even, x_odd, acc3);
  x += 2;
  w += 4;
}

#if KILN_SIMD32_DSP
// The same group in assembly, for the loop below: GCC keeps four accumulators, two pointers, a
// counter and six temporaries in registers only when told which instructions to use (its own
// schedule hoists the loads and spills the accumulators to the stack).
// clang-format off
#define KILN_FC_ROW_WORD(acc, word)                          \
  "sxtb16 %[t], %[" word "]\n\t"                            \
  "smlad %[" acc "], %[t], %[xe], %[" acc "]\n\t"           \
  "sxtb16 %[" word "], %[" word "], ror #8\n\t"              \
  "smlad %[" acc "], %[" word "], %[xo], %[" acc "]\n\t"
#define KILN_FC_BLOCK_GROUP                                  \
  "ldrd %[xe], %[xo], [%[x]], #8\n\t"                      \
  "ldrd %[w0], %[w1], [%[w]], #8\n\t"                      \
  KILN_FC_ROW_WORD("a0", "w0") KILN_FC_ROW_WORD("a1", "w1")  \
  "ldrd %[w0], %[w1], [%[w]], #8\n\t"                      \
  KILN_FC_ROW_WORD("a2", "w0") KILN_FC_ROW_WORD("a3", "w1")
// clang-format on
#endif

// `groups` groups of a block of four rows.
inline void block_groups(const int32_t* x, const int32_t*& w, int32_t groups, int32_t& acc0,
                         int32_t& acc1, int32_t& acc2, int32_t& acc3) {
#if KILN_SIMD32_DSP
  int32_t pairs = groups >> 1;
  int32_t xe, xo, w0, w1, t;
  if (pairs > 0) {
    // Two groups per iteration halve the loop's count and branch.
    __asm__("1:\n\t" KILN_FC_BLOCK_GROUP KILN_FC_BLOCK_GROUP
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3), [x] "+r"(x),
              [w] "+r"(w), [n] "+r"(pairs), [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0),
              [w1] "=&r"(w1), [t] "=&r"(t)
            :
            : "cc", "memory");
  }
  if (groups & 1) {
    __asm__(
        KILN_FC_BLOCK_GROUP
        : [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3), [x] "+r"(x),
          [w] "+r"(w), [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)
        :
        : "memory");
  }
#else
  for (int32_t g = 0; g < groups; ++g) block_group(x, w, acc0, acc1, acc2, acc3);
#endif
}

#if KILN_SIMD32_DSP
#undef KILN_FC_BLOCK_GROUP
#undef KILN_FC_ROW_WORD
#endif

// What the rows of one batch need. The row loops are instantiated per requantization variant
// and called through a pointer, so that validation, widening and the batch loop exist once and
// each loop gets the registers to itself.
struct RowsJob {
  const int32_t* x;  // the batch's widened input row
  int32_t groups;
  const int32_t* filter;  // packed
  int32_t output_depth;
  const int32_t* bias;  // may be null
  int32_t base;         // the filter offset's term
  int8_t* out;
  const RequantChannel* table;  // null for the reference step
  const int32_t* multiplier;
  const int32_t* shift;
  const FullyConnectedParams* params;
};

// The output step from the table built ahead of time, one entry for all channels: a copy, so
// that it stays in registers (an int8 store may alias anything the compiler would reload).
// kFullRange when the activation range is all of int8 (one SSAT clamps).
template <bool kFullRange>
struct TensorRequant {
  RequantChannel entry;
  int32_t lo, hi;
  explicit TensorRequant(const RowsJob& job)
      : entry(*job.table), lo(job.params->act_min), hi(job.params->act_max) {}
  int8_t operator()(int32_t acc, int32_t) const {
    return requant_clamp<kFullRange, true>(acc, entry, lo, hi);
  }
};

// The same with an entry per channel.
template <bool kFullRange>
struct ChannelRequant {
  const RequantChannel* table;
  int32_t lo, hi;
  explicit ChannelRequant(const RowsJob& job)
      : table(job.table), lo(job.params->act_min), hi(job.params->act_max) {}
  int8_t operator()(int32_t acc, int32_t c) const {
    return requant_clamp<kFullRange, true>(acc, table[c], lo, hi);
  }
};

// The reference output step, for parameters outside the table's exact range (the bias is
// already in the sum).
struct ReferenceRequant {
  Int8OutputStep step;
  explicit ReferenceRequant(const RowsJob& job)
      : step{0,
             job.multiplier,
             job.shift,
             job.params->per_channel ? 1 : 0,
             job.params->output_offset,
             job.params->act_min,
             job.params->act_max} {}
  int8_t operator()(int32_t acc, int32_t c) const { return step(acc, c); }
};

// All rows of one batch: blocks of four, then the last output_depth % 4 rows one by one.
template <typename Requant>
void multiply_rows(const RowsJob& job) {
  const Requant requant(job);
  const int32_t* x = job.x;
  const int32_t groups = job.groups;
  const int32_t* w = job.filter;
  const int32_t* bias = job.bias;
  const int32_t base = job.base;
  const int32_t output_depth = job.output_depth;
  int8_t* out = job.out;
  const int32_t blocked = output_depth & ~3;
  int32_t o = 0;
  for (; o < blocked; o += 4) {
    int32_t acc0 = base, acc1 = base, acc2 = base, acc3 = base;
    if (bias) {
      acc0 = simd32::add_wrap(acc0, bias[o]);
      acc1 = simd32::add_wrap(acc1, bias[o + 1]);
      acc2 = simd32::add_wrap(acc2, bias[o + 2]);
      acc3 = simd32::add_wrap(acc3, bias[o + 3]);
    }
    block_groups(x, w, groups, acc0, acc1, acc2, acc3);
    out[o] = requant(acc0, o);
    out[o + 1] = requant(acc1, o + 1);
    out[o + 2] = requant(acc2, o + 2);
    out[o + 3] = requant(acc3, o + 3);
  }
  for (; o < output_depth; ++o) {
    int32_t acc = bias ? simd32::add_wrap(base, bias[o]) : base;
    const int32_t* xw = x;
    for (int32_t g = 0; g < groups; ++g, xw += 2) {
      int32_t x_even, x_odd;
      simd32::load_pair(xw, x_even, x_odd);
      acc = word_dot(*w++, x_even, x_odd, acc);
    }
    out[o] = requant(acc, o);
  }
}

typedef void (*RowsFunction)(const RowsJob& job);

// The row loops for these parameters (validated by the caller).
RowsFunction rows_function(const FullyConnectedParams& params, const RequantChannel* table) {
  if (!table) return &multiply_rows<ReferenceRequant>;
  const bool full_range = params.act_min == -128 && params.act_max == 127;
  if (params.per_channel)
    return full_range ? &multiply_rows<ChannelRequant<true> >
                      : &multiply_rows<ChannelRequant<false> >;
  return full_range ? &multiply_rows<TensorRequant<true> > : &multiply_rows<TensorRequant<false> >;
}

}  // namespace

size_t fully_connected_int8_fast_packed_filter_words(const FullyConnectedDims& dims) {
  if (!fast_dims_valid(dims)) return 0;
  return static_cast<size_t>(dims.output_depth) *
         static_cast<size_t>(group_count(dims.input_depth));
}

Status fully_connected_int8_fast_pack_filter(const FullyConnectedDims& dims, const int8_t* filter,
                                             int32_t* packed) {
  if (!filter || !packed || !fast_dims_valid(dims)) return kBadArgument;
  const int32_t depth = dims.input_depth;
  const int32_t groups = group_count(depth);
  // Word g of row r: its values 4g .. 4g + 3, zero past the depth.
  auto word_of = [&](int32_t r, int32_t g) {
    uint32_t word = 0;
    for (int32_t i = 0; i < 4; ++i) {
      const int32_t d = 4 * g + i;
      if (d < depth)
        word |= static_cast<uint32_t>(static_cast<uint8_t>(filter[r * depth + d])) << (8 * i);
    }
    return static_cast<int32_t>(word);
  };
  const int32_t blocked = dims.output_depth & ~3;
  int32_t r = 0;
  for (; r < blocked; r += 4)
    for (int32_t g = 0; g < groups; ++g)
      for (int32_t k = 0; k < 4; ++k) *packed++ = word_of(r + k, g);
  for (; r < dims.output_depth; ++r)
    for (int32_t g = 0; g < groups; ++g) *packed++ = word_of(r, g);
  return kOk;
}

int32_t fully_connected_int8_fast_requant_entries(const FullyConnectedParams& params,
                                                  const FullyConnectedDims& dims) {
  return params.per_channel ? dims.output_depth : 1;
}

bool fully_connected_int8_fast_requant_table(const FullyConnectedParams& params,
                                             const FullyConnectedDims& dims,
                                             const int32_t* output_multiplier,
                                             const int32_t* output_shift, RequantChannel* table) {
  if (!output_multiplier || !output_shift || !table || dims.output_depth < 1) return false;
  // The table's saturating sum is exact only under a clamp within int8 (requant_fast.h).
  if (params.act_min < -128 || params.act_max > 127) return false;
  return requant_table_build(0, output_multiplier, output_shift, 1,
                             fully_connected_int8_fast_requant_entries(params, dims),
                             params.output_offset, table);
}

size_t fully_connected_int8_fast_scratch_bytes(const FullyConnectedDims& dims) {
  if (!fast_dims_valid(dims)) return 0;
  return static_cast<size_t>(group_count(dims.input_depth)) * 2 * sizeof(int32_t);
}

Status fully_connected_int8_fast(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                                 const int32_t* output_multiplier, const int32_t* output_shift,
                                 const RequantChannel* requant_table, const int8_t* input,
                                 const int32_t* packed_filter, const int32_t* bias, int8_t* output,
                                 void* scratch) {
  if (!input || !packed_filter || !output || !scratch || !fast_dims_valid(dims) ||
      !int8_offset_valid(params.input_offset) || !int8_offset_valid(params.filter_offset) ||
      params.act_min > params.act_max)
    return kBadArgument;
  if (requant_table) {
    // The table's saturating sum is exact only under a clamp within int8 (requant_fast.h).
    if (params.act_min < -128 || params.act_max > 127) return kBadArgument;
  } else if (!output_multiplier || !output_shift ||
             !requant_shifts_valid(output_shift, params.per_channel ? dims.output_depth : 1, 30)) {
    return kBadArgument;
  }
  int32_t* words = static_cast<int32_t*>(scratch);
  const RowsFunction rows = rows_function(params, requant_table);
  RowsJob job = {words,
                 group_count(dims.input_depth),
                 packed_filter,
                 dims.output_depth,
                 bias,
                 0,
                 output,
                 requant_table,
                 output_multiplier,
                 output_shift,
                 &params};
  const int32_t offsets = offset_pair(params.input_offset);
  for (int32_t b = 0; b < dims.batches; ++b) {
    widen_input_row(input, dims.input_depth, params.input_offset, offsets, words);
    // sum (w + fo)(x + io) = sum w (x + io) + fo * sum (x + io), all modulo 2^32 like the
    // reference's int32 result.
    if (params.filter_offset != 0)
      job.base = static_cast<int32_t>(static_cast<uint32_t>(params.filter_offset) *
                                      static_cast<uint32_t>(widened_sum(words, job.groups)));
    rows(job);
    input += dims.input_depth;
    job.out += dims.output_depth;
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
