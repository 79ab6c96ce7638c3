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
  widen_groups(input, depth >> 2, offsets, words);
  input += depth & ~3;
  words += 2 * (depth >> 2);
  const int32_t tail = depth & 3;
  if (tail == 0) return;
  const int32_t x0 = input[0] + input_offset;
  const int32_t x1 = tail > 1 ? input[1] + input_offset : 0;
  const int32_t x2 = tail > 2 ? input[2] + input_offset : 0;
  words[0] = simd32::pack_halves(x0, x2);
  words[1] = simd32::pack_halves(x1, 0);
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

// ---- the 16-bit filter of speed mode ----

// One group of four inputs of a block of four rows with the filter already widened: the
// input pair, then each row's two words (w0, w2), (w1, w3).
inline void wide_block_group(const int32_t*& x, const int32_t*& w, int32_t& acc0, int32_t& acc1,
                             int32_t& acc2, int32_t& acc3) {
  int32_t x_even, x_odd;
  simd32::load_pair(x, x_even, x_odd);
  acc0 = simd32::smlad(w[0], x_even, simd32::smlad(w[1], x_odd, acc0));
  acc1 = simd32::smlad(w[2], x_even, simd32::smlad(w[3], x_odd, acc1));
  acc2 = simd32::smlad(w[4], x_even, simd32::smlad(w[5], x_odd, acc2));
  acc3 = simd32::smlad(w[6], x_even, simd32::smlad(w[7], x_odd, acc3));
  x += 2;
  w += 8;
}

#if KILN_SIMD32_DSP
// The same in assembly: two LDMs bring the four rows' eight words, into fixed registers (r4-r6
// and r8, declared clobbered; r7 may be Thumb's frame pointer), so one group is eleven
// instructions where widening at run time takes eighteen.
// clang-format off
#define KILN_FC_WIDE_GROUP                                   \
  "ldrd %[xe], %[xo], [%[x]], #8\n\t"                      \
  "ldmia %[w]!, {r4, r5, r6, r8}\n\t"                       \
  "smlad %[a0], r4, %[xe], %[a0]\n\t"                       \
  "smlad %[a0], r5, %[xo], %[a0]\n\t"                       \
  "smlad %[a1], r6, %[xe], %[a1]\n\t"                       \
  "smlad %[a1], r8, %[xo], %[a1]\n\t"                       \
  "ldmia %[w]!, {r4, r5, r6, r8}\n\t"                       \
  "smlad %[a2], r4, %[xe], %[a2]\n\t"                       \
  "smlad %[a2], r5, %[xo], %[a2]\n\t"                       \
  "smlad %[a3], r6, %[xe], %[a3]\n\t"                       \
  "smlad %[a3], r8, %[xo], %[a3]\n\t"
// clang-format on
#endif

// How the groups of a block run: full passes of eight unrolled groups, then a jump into a run
// of eight that skips those beyond the rest (1..8 groups), so that no loop overhead is paid per
// group (the scheme of lstm_fast.cpp).
struct WideShape {
  int32_t groups;
  int32_t full_passes;
  int32_t skip_bytes;
};

inline WideShape wide_shape(int32_t groups) {
  const int32_t full_passes = groups > 8 ? (groups - 1) / 8 : 0;
  const WideShape shape = {groups, full_passes, (8 - (groups - 8 * full_passes)) * 44};
  return shape;
}

// The groups of a block of four rows, 16-bit filter (at least one). Always inlined: the
// accumulators must stay in registers across the assembly. Twelve registers are all it takes
// (the pass count lives in memory): with thirteen, GCC 12 fails to allocate some
// instantiations of the loop below.
inline __attribute__((always_inline)) void wide_block_groups(const int32_t* x, const int32_t*& w,
                                                             int32_t full_passes,
                                                             int32_t skip_bytes, int32_t& acc0,
                                                             int32_t& acc1, int32_t& acc2,
                                                             int32_t& acc3) {
#if KILN_SIMD32_DSP
  int32_t xe, xo;
  if (full_passes > 0) {
    __asm__("1:\n\t" KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP
                KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP
            "ldr %[xe], %[n]\n\t"
            "subs %[xe], %[xe], #1\n\t"
            "str %[xe], %[n]\n\t"
            "bne 1b\n\t"
            : [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3), [x] "+r"(x),
              [w] "+r"(w), [n] "+m"(full_passes), [xe] "=&r"(xe), [xo] "=&r"(xo)
            :
            : "r4", "r5", "r6", "r8", "cc", "memory");
  }
  // ADD PC skips the groups not needed: each is eleven 32-bit instructions (LDRD, LDM with r8
  // and SMLAD have no 16-bit encoding; the assembler checks the size). PC reads as the ADD's
  // address + 4, past the NOP.
  xe = skip_bytes;
  __asm__(
      "0:\n\t"
      "add pc, %[xe]\n\t"
      "nop\n"
      "1:\n\t" KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP
          KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP KILN_FC_WIDE_GROUP
      "2:\n\t"
      ".if (1b - 0b) != 4 || (2b - 1b) != 8 * 44\n\t"
      ".error \"fully_connected_fast: unexpected code size\"\n\t"
      ".endif\n\t"
      : [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3), [x] "+r"(x),
        [w] "+r"(w), [xe] "+r"(xe), [xo] "=&r"(xo)
      :
      : "r4", "r5", "r6", "r8", "memory");
#else
  const int32_t groups = 8 * full_passes + 8 - skip_bytes / 44;
  for (int32_t g = 0; g < groups; ++g) wide_block_group(x, w, acc0, acc1, acc2, acc3);
#endif
}

// `groups` groups of one row of the 16-bit filter: acc plus the row's products.
inline int32_t wide_row_groups(const int32_t* x, const int32_t*& w, int32_t groups, int32_t acc) {
#if KILN_SIMD32_DSP
  if (groups > 0) {
    int32_t xe, xo, we, wo;
    __asm__(
        "1:\n\t"
        "ldrd %[xe], %[xo], [%[x]], #8\n\t"
        "ldrd %[we], %[wo], [%[w]], #8\n\t"
        "smlad %[a], %[we], %[xe], %[a]\n\t"
        "smlad %[a], %[wo], %[xo], %[a]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        : [a] "+r"(acc), [x] "+r"(x), [w] "+r"(w), [n] "+r"(groups), [xe] "=&r"(xe), [xo] "=&r"(xo),
          [we] "=&r"(we), [wo] "=&r"(wo)
        :
        : "cc", "memory");
  }
#else
  for (int32_t g = 0; g < groups; ++g, x += 2, w += 2) {
    int32_t x_even, x_odd, w_even, w_odd;
    simd32::load_pair(x, x_even, x_odd);
    simd32::load_pair(w, w_even, w_odd);
    acc = simd32::smlad(w_even, x_even, simd32::smlad(w_odd, x_odd, acc));
  }
#endif
  return acc;
}

// `groups` groups of a pair of rows of the 16-bit filter (the two rows' words of a group lie
// next to each other): one input load and one LDM for four SMLADs.
inline __attribute__((always_inline)) void wide_pair_groups(const int32_t* x, const int32_t*& w,
                                                            int32_t groups, int32_t& acc0,
                                                            int32_t& acc1) {
#if KILN_SIMD32_DSP
  // clang-format off
#define KILN_FC_PAIR_GROUP                     \
  "ldrd %[xe], %[xo], [%[x]], #8\n\t"         \
  "ldmia %[w]!, {r4, r5, r6, r8}\n\t"          \
  "smlad %[a0], r4, %[xe], %[a0]\n\t"          \
  "smlad %[a0], r5, %[xo], %[a0]\n\t"          \
  "smlad %[a1], r6, %[xe], %[a1]\n\t"          \
  "smlad %[a1], r8, %[xo], %[a1]\n\t"
  // clang-format on
  int32_t xe, xo, pairs = groups >> 1;
  if (groups & 1) {
    __asm__(
        KILN_FC_PAIR_GROUP
        : [a0] "+r"(acc0), [a1] "+r"(acc1), [x] "+r"(x), [w] "+r"(w), [xe] "=&r"(xe), [xo] "=&r"(xo)
        :
        : "r4", "r5", "r6", "r8", "memory");
  }
  if (pairs > 0) {
    // Two groups per iteration halve the loop's count and branch.
    __asm__("1:\n\t" KILN_FC_PAIR_GROUP KILN_FC_PAIR_GROUP
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [a0] "+r"(acc0), [a1] "+r"(acc1), [x] "+r"(x), [w] "+r"(w), [n] "+r"(pairs),
              [xe] "=&r"(xe), [xo] "=&r"(xo)
            :
            : "r4", "r5", "r6", "r8", "cc", "memory");
  }
#undef KILN_FC_PAIR_GROUP
#else
  for (int32_t g = 0; g < groups; ++g, x += 2, w += 4) {
    int32_t x_even, x_odd;
    simd32::load_pair(x, x_even, x_odd);
    acc0 = simd32::smlad(w[0], x_even, simd32::smlad(w[1], x_odd, acc0));
    acc1 = simd32::smlad(w[2], x_even, simd32::smlad(w[3], x_odd, acc1));
  }
#endif
}

#if KILN_SIMD32_DSP
#undef KILN_FC_WIDE_GROUP
#endif

// What the rows of one batch need. The row loops are instantiated per requantization variant
// and called through a pointer, so that validation, widening and the batch loop exist once and
// each loop gets the registers to itself.
struct RowsJob {
  int32_t* x;  // the batch's widened input row (the scratch)
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
// kPreShift false for tables whose pre-shift is 0 (requant_fast.h), one instruction less.
template <bool kFullRange, bool kPreShift = true>
struct TensorRequant {
  RequantChannel entry;
  int32_t lo, hi;
  explicit TensorRequant(const RowsJob& job)
      : entry(*job.table), lo(job.params->act_min), hi(job.params->act_max) {}
  int8_t operator()(int32_t acc, int32_t) const {
    return requant_clamp<kFullRange, kPreShift>(acc, entry, lo, hi);
  }
};

// The same with an entry per channel.
template <bool kFullRange, bool kPreShift = true>
struct ChannelRequant {
  const RequantChannel* table;
  int32_t lo, hi;
  explicit ChannelRequant(const RowsJob& job)
      : table(job.table), lo(job.params->act_min), hi(job.params->act_max) {}
  int8_t operator()(int32_t acc, int32_t c) const {
    return requant_clamp<kFullRange, kPreShift>(acc, table[c], lo, hi);
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

// Widens each batch's input row into the job's scratch and runs the rows on it.
void run_batches(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                 RowsFunction rows, const int8_t* input, RowsJob& job) {
  int32_t* words = job.x;
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
}

// ---- the wide kernel's loops, one instantiation per plan variant ----

// How the wide kernel clamps: SSAT to int8 only (the activation range is all of int8), then
// also the lower bound (a ReLU-like range ending at 127), or both bounds.
enum WideClamp { kClampInt8 = 0, kClampLow = 1, kClampBoth = 2 };

// Four outputs clamped four lanes at a time and stored with one STR: SSAT brings each to int8
// (which also applies an upper bound of 127), SEL the activation's bounds (each in all four
// bytes).
template <int kClamp>
inline void wide_store4(int8_t* out, int32_t v0, int32_t v1, int32_t v2, int32_t v3, int32_t low,
                        int32_t high) {
  int32_t v = simd32::pack_bytes(simd32::ssat8(v0), simd32::ssat8(v1), simd32::ssat8(v2),
                                 simd32::ssat8(v3));
  if (kClamp != kClampInt8) v = simd32::max_s8x4(v, low);
  if (kClamp == kClampBoth) v = simd32::min_s8x4(v, high);
  simd32::store4(out, v);
}

template <int kClamp>
inline int8_t wide_clamp(int32_t v, int32_t low, int32_t high) {
  v = simd32::ssat8(v);
  if (kClamp != kClampInt8) v = simd32::max_s8x4(v, low);
  if (kClamp == kClampBoth) v = simd32::min_s8x4(v, high);
  return static_cast<int8_t>(v);
}

// One batch of the layer from the 16-bit filter, whose blocks start with their rows' biases:
// one instantiation per plan variant, so that a tiny layer pays one prologue. The per-channel
// table is walked by a pointer and the blocks by a count, which leaves GCC enough registers
// around the group loop's assembly.
template <bool kPerChannel, bool kPreShift, int kClamp>
__attribute__((noinline)) void wide_batch(const FullyConnectedWidePlan& plan,
                                          const RequantChannel* table, const int8_t* input,
                                          const int32_t* w, int8_t* out, int32_t* x) {
  const int32_t groups = group_count(plan.dims.input_depth);
  const WideShape shape = wide_shape(groups);
  widen_input_row(input, plan.dims.input_depth, plan.input_offset, offset_pair(plan.input_offset),
                  x);
  const int32_t base = plan.filter_offset == 0
                           ? 0
                           : static_cast<int32_t>(static_cast<uint32_t>(plan.filter_offset) *
                                                  static_cast<uint32_t>(widened_sum(x, groups)));
  const RequantChannel* t = table;
  for (int32_t blocks = plan.dims.output_depth >> 2; blocks > 0; --blocks, out += 4) {
    int32_t acc0 = w[0], acc1 = w[1], acc2 = w[2], acc3 = w[3];
    w += 4;
    if (base != 0) {
      acc0 = simd32::add_wrap(acc0, base);
      acc1 = simd32::add_wrap(acc1, base);
      acc2 = simd32::add_wrap(acc2, base);
      acc3 = simd32::add_wrap(acc3, base);
    }
    wide_block_groups(x, w, shape.full_passes, shape.skip_bytes, acc0, acc1, acc2, acc3);
    const int32_t step = kPerChannel ? 1 : 0;
    wide_store4<kClamp>(
        out, requant_apply_as<kPreShift>(acc0, t[0]), requant_apply_as<kPreShift>(acc1, t[step]),
        requant_apply_as<kPreShift>(acc2, t[2 * step]),
        requant_apply_as<kPreShift>(acc3, t[3 * step]), plan.clamp_low, plan.clamp_high);
    t += 4 * step;
  }
  const int32_t rest = plan.dims.output_depth & 3;
  if (rest >= 2) {
    int32_t acc0 = simd32::add_wrap(w[0], base), acc1 = simd32::add_wrap(w[1], base);
    w += 2;
    wide_pair_groups(x, w, groups, acc0, acc1);
    const int32_t step = kPerChannel ? 1 : 0;
    out[0] = wide_clamp<kClamp>(requant_apply_as<kPreShift>(acc0, t[0]), plan.clamp_low,
                                plan.clamp_high);
    out[1] = wide_clamp<kClamp>(requant_apply_as<kPreShift>(acc1, t[step]), plan.clamp_low,
                                plan.clamp_high);
    out += 2;
    t += 2 * step;
  }
  if (rest & 1) {
    const int32_t acc = wide_row_groups(x, w, groups, simd32::add_wrap(*w++, base));
    *out =
        wide_clamp<kClamp>(requant_apply_as<kPreShift>(acc, *t), plan.clamp_low, plan.clamp_high);
  }
}

typedef void (*WideBatchFunction)(const FullyConnectedWidePlan& plan, const RequantChannel* table,
                                  const int8_t* input, const int32_t* w, int8_t* out, int32_t* x);

// The instantiation for a plan variant (clamp + 3 * pre-shift + 6 * per-channel).
WideBatchFunction wide_batch_function(int32_t variant) {
  static const WideBatchFunction kFunctions[12] = {
      &wide_batch<false, false, kClampInt8>, &wide_batch<false, false, kClampLow>,
      &wide_batch<false, false, kClampBoth>, &wide_batch<false, true, kClampInt8>,
      &wide_batch<false, true, kClampLow>,   &wide_batch<false, true, kClampBoth>,
      &wide_batch<true, false, kClampInt8>,  &wide_batch<true, false, kClampLow>,
      &wide_batch<true, false, kClampBoth>,  &wide_batch<true, true, kClampInt8>,
      &wide_batch<true, true, kClampLow>,    &wide_batch<true, true, kClampBoth>};
  return kFunctions[variant];
}

// Every batch of the layer, one call each.
__attribute__((noinline)) void wide_batches(WideBatchFunction run,
                                            const FullyConnectedWidePlan& plan,
                                            const RequantChannel* table, const int8_t* input,
                                            const int32_t* packed, int8_t* output, int32_t* words) {
  for (int32_t b = 0; b < plan.dims.batches; ++b) {
    run(plan, table, input, packed, output, words);
    input += plan.dims.input_depth;
    output += plan.dims.output_depth;
  }
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
  RowsJob job = {static_cast<int32_t*>(scratch),
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
  run_batches(params, dims, rows_function(params, requant_table), input, job);
  return kOk;
}

size_t fully_connected_int8_fast_wide_filter_words(const FullyConnectedDims& dims) {
  if (!fast_dims_valid(dims)) return 0;
  return static_cast<size_t>(dims.output_depth) *
         (1 + 2 * static_cast<size_t>(group_count(dims.input_depth)));
}

Status fully_connected_int8_fast_pack_wide_filter(const FullyConnectedDims& dims,
                                                  const int8_t* filter, const int32_t* bias,
                                                  int32_t* packed) {
  if (!filter || !packed || !fast_dims_valid(dims)) return kBadArgument;
  const int32_t depth = dims.input_depth;
  const int32_t groups = group_count(depth);
  // Value d of row r, zero past the depth.
  auto value = [&](int32_t r, int32_t d) -> int32_t {
    return d < depth ? filter[r * depth + d] : 0;
  };
  // Row r's two words of group g: (w0, w2) and (w1, w3), as SXTB16 would widen them.
  auto words = [&](int32_t r, int32_t g) {
    packed[0] = simd32::pack_halves(value(r, 4 * g), value(r, 4 * g + 2));
    packed[1] = simd32::pack_halves(value(r, 4 * g + 1), value(r, 4 * g + 3));
    packed += 2;
  };
  const int32_t blocked = dims.output_depth & ~3;
  int32_t r = 0;
  for (; r < blocked; r += 4) {
    for (int32_t k = 0; k < 4; ++k) *packed++ = bias ? bias[r + k] : 0;
    for (int32_t g = 0; g < groups; ++g)
      for (int32_t k = 0; k < 4; ++k) words(r + k, g);
  }
  if (dims.output_depth - r >= 2) {
    *packed++ = bias ? bias[r] : 0;
    *packed++ = bias ? bias[r + 1] : 0;
    for (int32_t g = 0; g < groups; ++g) {
      words(r, g);
      words(r + 1, g);
    }
    r += 2;
  }
  if (r < dims.output_depth) {
    *packed++ = bias ? bias[r] : 0;
    for (int32_t g = 0; g < groups; ++g) words(r, g);
  }
  return kOk;
}

Status fully_connected_int8_fast_wide_plan(const FullyConnectedParams& params,
                                           const FullyConnectedDims& dims,
                                           const RequantChannel* requant_table,
                                           FullyConnectedWidePlan* plan) {
  if (!plan || !requant_table || !fast_dims_valid(dims) ||
      !int8_offset_valid(params.input_offset) || !int8_offset_valid(params.filter_offset) ||
      params.act_min > params.act_max || params.act_min < -128 || params.act_max > 127)
    return kBadArgument;
  const int32_t entries = fully_connected_int8_fast_requant_entries(params, dims);
  const int32_t clamp = params.act_min == -128 && params.act_max == 127 ? kClampInt8
                        : params.act_max == 127                         ? kClampLow
                                                                        : kClampBoth;
  plan->dims = dims;
  plan->input_offset = params.input_offset;
  plan->filter_offset = params.filter_offset;
  plan->clamp_low =
      simd32::pack_bytes(params.act_min, params.act_min, params.act_min, params.act_min);
  plan->clamp_high =
      simd32::pack_bytes(params.act_max, params.act_max, params.act_max, params.act_max);
  plan->variant = clamp + 3 * (requant_table_pre_shifts(requant_table, entries) ? 1 : 0) +
                  6 * (params.per_channel ? 1 : 0);
  return kOk;
}

void fully_connected_int8_fast_wide(const FullyConnectedWidePlan& plan,
                                    const RequantChannel* requant_table, const int8_t* input,
                                    const int32_t* packed_filter, int8_t* output, void* scratch) {
  const WideBatchFunction run = wide_batch_function(plan.variant);
  int32_t* words = static_cast<int32_t*>(scratch);
  // A batch of one (the usual case) is a tail call: no loop, no registers to save.
  if (plan.dims.batches == 1) return run(plan, requant_table, input, packed_filter, output, words);
  wide_batches(run, plan, requant_table, input, packed_filter, output, words);
}

}  // namespace rt
}  // namespace kiln
