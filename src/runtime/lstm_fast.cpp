#include "runtime/lstm_fast.h"

#include <string.h>

#include "runtime/fixed_point.h"
#include "runtime/int8_columns.h"
#include "runtime/sigmoid_table.h"
#include "runtime/simd32.h"

namespace kiln {
namespace rt {

namespace {

const int32_t kGates = 4;
const int32_t kBiasWords = 2 * kGates;   // input then recurrent bias of each gate
const int32_t kGroupWords = 2 * kGates;  // two words of 16-bit pairs per gate and group of 4
const int32_t kGroupBytes = 44;          // the code of one group of KILN_LSTM_GROUP_ASM

// Groups of four values covering `size` (the last one zero-padded).
int32_t groups_of_four(int32_t size) {
  return (size + 3) / 4;
}

// Non-negative sizes whose tensors, packed weights and scratch stay well inside int32 counts.
bool dims_valid(const LstmDims& d) {
  if (d.batch < 0 || d.time_steps < 0 || d.input_size < 0 || d.state_size < 0) return false;
  const int64_t widest = d.input_size > d.state_size ? d.input_size : d.state_size;
  const int64_t sequence = static_cast<int64_t>(d.batch) * d.time_steps * widest;
  const int64_t unit_words =
      kBiasWords + static_cast<int64_t>(kGroupWords) *
                       (groups_of_four(d.input_size) + groups_of_four(d.state_size));
  return sequence <= INT32_MAX && unit_words * d.state_size <= INT32_MAX / 4 &&
         static_cast<int64_t>(d.batch) * d.state_size * 4 <= INT32_MAX;
}

// Clamp to the int16 range (SSAT #16), kept in an int32 so no extension follows.
int32_t saturate16(int32_t v) {
#if KILN_SIMD32_DSP
  return __ssat(v, 16);
#else
  return v > 32767 ? 32767 : (v < -32768 ? -32768 : v);
#endif
}

// ---- requantization ----

// One requantization of the kernel, in both forms: the reference's multiplier and shift, and
// the constants of the DSP sequence of requant_fast.h, y = QADD(u >> j, C) >> (rs - j). Its
// proof carries over except for the choice of the pre-shift j, which here depends on what
// follows the requantization. When the saturating add saturates, both the true result and the
// saturated one are at least 2^(31 - rs + j) - 1 in magnitude, so a clamp to [-2^b, 2^b - 1]
// after it gives the true bound if j >= rs - 31 + b: j = max(0, rs - 16) for the gate
// products (clamped to int16). The element-wise products are products of two int16 values,
// |acc| <= 2^30, so |u| <= 2^30: with a zero point of 0 and j = 0 the sum cannot saturate for
// any rs <= 30; with the hidden state's zero point C must fit in 32 bits (rs - j <= 23) and the
// int8 clamp covers saturation, j = max(0, rs - 23).
struct Requant {
  // The DSP form first, adjacent, so that the loads can be paired.
  int32_t multiplier2;
  int32_t rounding;
  int32_t post_shift;
  int32_t pre_shift;
  int32_t multiplier;
  int32_t shift;
  int32_t zero_point;  // added after the rounding
};

// Fills both forms with j = max(0, rs - unshifted_limit); returns whether the DSP form is
// exact for these parameters.
bool requant_build(int32_t multiplier, int32_t shift, int32_t zero_point, int32_t unshifted_limit,
                   Requant* r) {
  r->multiplier = multiplier;
  r->shift = shift;
  r->zero_point = zero_point;
  r->multiplier2 = 0;
  r->pre_shift = 0;
  r->rounding = 0;
  r->post_shift = 0;
  if (multiplier < (int32_t{1} << 30) || shift > -1 || shift < -31) return false;
  if (zero_point < -128 || zero_point > 127) return false;
  const int32_t rs = -shift;
  const int32_t j = rs > unshifted_limit ? rs - unshifted_limit : 0;
  r->multiplier2 = static_cast<int32_t>(static_cast<uint32_t>(multiplier) << 1);
  r->pre_shift = j;
  r->rounding = (int32_t{1} << (rs - 1 - j)) + zero_point * (int32_t{1} << (rs - j));
  r->post_shift = rs - j;
  return true;
}

// How the kernel requantizes: the reference's arithmetic, or the DSP sequence with or without
// the pre-shift (without when every requantization has j = 0, saving an instruction).
enum RequantMode { kReferenceRequant = 0, kFastRequant = 1, kFastRequantPreShift = 2 };

template <int kMode>
inline int32_t requantize(int32_t acc, const Requant& r) {
  if (kMode == kReferenceRequant)
    return multiply_by_quantized_multiplier(acc, r.multiplier, r.shift) + r.zero_point;
  const int32_t x = simd32::smmlar(acc, r.multiplier2, acc);
  const int32_t u = x - static_cast<int32_t>(static_cast<uint32_t>(x) >> 31);
  return simd32::qadd(kMode == kFastRequantPreShift ? u >> r.pre_shift : u, r.rounding) >>
         r.post_shift;
}

// The requantizations of a call, in the order the kernel uses them for each unit.
enum RequantIndex {
  kInputProducts = 0,      // W x -> Q3.12, gates i, f, g, o
  kRecurrentProducts = 4,  // R h -> Q3.12, gates i, f, g, o
  kForgetCell = 8,         // f * c -> c
  kInputCell = 9,          // i * g -> c
  kHidden = 10,            // o * tanh(c) -> h, with the hidden zero point
  kRequantCount = 11,
};

struct Requants {
  Requant all[kRequantCount];
  // The DSP form's three words of each, back to back, for the walk that loads them with one
  // LDM (kFastRequant only).
  int32_t words[3 * kRequantCount];
};

// Fills the requantizations of a call; returns the mode they allow.
int requants_build(const LstmInt8Params& p, Requants* q) {
  const LstmInt8GateScales* scales[kGates] = {&p.input_gate, &p.forget_gate, &p.cell_gate,
                                              &p.output_gate};
  bool fast = true;
  for (int32_t g = 0; g < kGates; ++g) {
    fast &= requant_build(scales[g]->input_multiplier, scales[g]->input_shift, 0, 16,
                          &q->all[kInputProducts + g]);
    fast &= requant_build(scales[g]->recurrent_multiplier, scales[g]->recurrent_shift, 0, 16,
                          &q->all[kRecurrentProducts + g]);
  }
  fast &= requant_build(p.forget_cell_multiplier, p.forget_cell_shift, 0, 30, &q->all[kForgetCell]);
  fast &= requant_build(p.input_cell_multiplier, p.input_cell_shift, 0, 30, &q->all[kInputCell]);
  fast &=
      requant_build(p.hidden_multiplier, p.hidden_shift, p.hidden_zero_point, 23, &q->all[kHidden]);
  bool pre_shift = false;
  for (int32_t k = 0; k < kRequantCount; ++k) {
    q->words[3 * k] = q->all[k].multiplier2;
    q->words[3 * k + 1] = q->all[k].rounding;
    q->words[3 * k + 2] = q->all[k].post_shift;
    pre_shift |= q->all[k].pre_shift != 0;
  }
  if (!fast) return kReferenceRequant;
  return pre_shift ? kFastRequantPreShift : kFastRequant;
}

// Walks through a call's requantizations in order: int16(acc) and int8(acc) requantize with
// the next one and clamp.
template <int kMode>
struct RequantWalk {
  explicit RequantWalk(const Requants& q) : next(q.all) {}
  int32_t int16(int32_t acc) { return saturate16(requantize<kMode>(acc, *next++)); }
  int32_t int8(int32_t acc) { return simd32::ssat8(requantize<kMode>(acc, *next++)); }
  const Requant* next;
};

#if KILN_SIMD32_DSP
// The DSP sequence with its three constants loaded by one LDM (r4-r6, declared clobbered), the
// clamp's SSAT included: six instructions where GCC makes eight.
#define KILN_LSTM_REQUANT_ASM(bits)                                       \
  __asm__(                                                                \
      "ldmia %[p]!, {r4, r5, r6}\n\t"                                     \
      "smmlar %[y], %[acc], r4, %[acc]\n\t"                               \
      "sub %[y], %[y], %[y], lsr #31\n\t"                                 \
      "qadd %[y], %[y], r5\n\t"                                           \
      "asr %[y], %[y], r6\n\t"                                            \
      "ssat %[y], #" #bits ", %[y]\n\t"                                   \
      : [y] "=&r"(y), [p] "+r"(next)                                      \
      : [acc] "r"(acc), "m"(*reinterpret_cast<const int32_t(*)[3]>(next)) \
      : "r4", "r5", "r6")
#endif

template <>
struct RequantWalk<kFastRequant> {
  explicit RequantWalk(const Requants& q) : next(q.words) {}
  int32_t int16(int32_t acc) {
#if KILN_SIMD32_DSP
    int32_t y;
    KILN_LSTM_REQUANT_ASM(16);
    return y;
#else
    return saturate16(apply(acc));
#endif
  }
  int32_t int8(int32_t acc) {
#if KILN_SIMD32_DSP
    int32_t y;
    KILN_LSTM_REQUANT_ASM(8);
    return y;
#else
    return simd32::ssat8(apply(acc));
#endif
  }
#if !KILN_SIMD32_DSP
  int32_t apply(int32_t acc) {
    const int32_t x = simd32::smmlar(acc, next[0], acc);
    const int32_t u = x - static_cast<int32_t>(static_cast<uint32_t>(x) >> 31);
    const int32_t y = simd32::qadd(u, next[1]) >> next[2];
    next += 3;
    return y;
  }
#endif
  const int32_t* next;
};

// ---- activations (the arithmetic of logistic_int16 / tanh_int16, on the table axis) ----

// One table word per sigmoid table entry i: (entry[i] - 32768) in the high half, the step to
// the next entry in the low half, so one SMLAD interpolates: with v = (scale << 16) | fraction,
// SMLAD(word, v, acc) = (entry[i] - 32768) * scale + fraction * step + acc.
inline int32_t interpolate(uint32_t index, uint32_t fraction, int32_t scale, int32_t acc) {
  const int32_t word = static_cast<int32_t>(kLstmSigmoidPairs[index]);
  const int32_t v = static_cast<int32_t>(fraction | (static_cast<uint32_t>(scale) << 16));
  return simd32::smlad(word, v, acc);
}

// sigmoid in Q0.15 of a Q3.12 gate pre-activation. On the table axis r = 3 * x (512 fractional
// steps per entry), |r| <= 3 * 32768 < 255 * 512, so the entry and its successor are in the
// table. The reference rounds v = entry * 512 + fraction * step as (v + 512) >> 10, mirrored
// for r < 0 as (2^25 + 511 - v) >> 10, which equals 32768 - ((v + 512) >> 10); entry * 512 is
// (entry - 32768) * 512 + 2^24.
inline int32_t sigmoid_gate(int32_t q312) {
  const int32_t r = 3 * q312;
  const uint32_t magnitude = static_cast<uint32_t>(r < 0 ? -r : r);
  const int32_t rounded =
      static_cast<int32_t>(static_cast<uint32_t>(interpolate(magnitude >> 9, magnitude & 0x1FFu,
                                                             512, (1 << 24) + 512)) >>
                           10);
  return r < 0 ? 32768 - rounded : rounded;
}

// tanh in Q0.15 with r on the table axis read with 256 fractional steps (so the table gives
// sigmoid(2x)). Beyond the table the reference takes 0xFFFF * 256, which is what the last entry
// gives with fraction 0, so the magnitude is clamped there. The reference rounds
// (v - 2^23 + 128) >> 8 and mirrors as (2^23 + 127 - v) >> 8 = -((v - 2^23 + 128) >> 8).
inline int32_t tanh_on_axis(int32_t r) {
  uint32_t magnitude = static_cast<uint32_t>(r < 0 ? -r : r);
  if (magnitude > (255u << 8)) magnitude = 255u << 8;
  const int32_t rounded = interpolate(magnitude >> 8, magnitude & 0xFFu, 256, 128) >> 8;
  return r < 0 ? -rounded : rounded;
}

// The cell gate's activation (tanh, or sigmoid as the params allow) of its Q3.12 pre-activation.
inline int32_t gate_activation(int32_t q312, bool tanh_gate) {
  return tanh_gate ? tanh_on_axis(3 * q312) : sigmoid_gate(q312);
}

// ---- products ----

#if KILN_SIMD32_DSP
// One group in eight SMLADs, one LDRD of the x values and two LDMs of four weight words each
// (GCC on its own splits the 64-bit loads into LDRs and adds pointer arithmetic). LDM needs
// fixed registers; r4-r6 and r8 are declared clobbered (r7 may be Thumb's frame pointer).
#define KILN_LSTM_GROUP_ASM             \
  "ldrd %[x01], %[x23], [%[x]], #8\n\t" \
  "ldmia %[w]!, {r4, r5, r6, r8}\n\t"   \
  "smlad %[a0], %[x01], r4, %[a0]\n\t"  \
  "smlad %[a0], %[x23], r5, %[a0]\n\t"  \
  "smlad %[a1], %[x01], r6, %[a1]\n\t"  \
  "smlad %[a1], %[x23], r8, %[a1]\n\t"  \
  "ldmia %[w]!, {r4, r5, r6, r8}\n\t"   \
  "smlad %[a2], %[x01], r4, %[a2]\n\t"  \
  "smlad %[a2], %[x23], r5, %[a2]\n\t"  \
  "smlad %[a3], %[x01], r6, %[a3]\n\t"  \
  "smlad %[a3], %[x23], r8, %[a3]\n\t"
#endif

// How a product over `groups` groups runs: full passes of eight unrolled groups, then a jump
// that skips the unrolled groups beyond the rest (0..8 groups, 8 only when it is all of them).
struct ProductShape {
  int32_t groups;
  int32_t full_passes;
  int32_t skip_bytes;
};

ProductShape product_shape(int32_t groups) {
  const int32_t full_passes = groups > 8 ? (groups - 1) / 8 : 0;
  const ProductShape shape = {groups, full_passes, (8 - (groups - 8 * full_passes)) * kGroupBytes};
  return shape;
}

// acc[g] += sum over the groups of x . (packed words of gate g); returns the words after them.
// Each group: one load of four 16-bit x values, four loads of two weight words, eight SMLADs.
// Always inlined: the accumulators must stay in registers across the asm statements.
inline __attribute__((always_inline)) const int32_t* multiply_four_gates(const int32_t* x,
                                                                         const ProductShape& shape,
                                                                         const int32_t* w,
                                                                         int32_t& a0, int32_t& a1,
                                                                         int32_t& a2, int32_t& a3) {
#if KILN_SIMD32_DSP
  // Unrolled: eight groups per full pass, then the rest through a jump into a run of eight,
  // so no loop overhead is paid per group.
  int32_t x01, x23;
#define KILN_LSTM_GROUP                                                                      \
  __asm__(KILN_LSTM_GROUP_ASM                                                                \
          : [x01] "=&r"(x01), [x23] "=&r"(x23), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), \
            [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w)                                          \
          : "m"(*reinterpret_cast<const int32_t(*)[]>(x)),                                   \
            "m"(*reinterpret_cast<const int32_t(*)[]>(w))                                    \
          : "r4", "r5", "r6", "r8")
  for (int32_t pass = shape.full_passes; pass > 0; --pass) {
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
    KILN_LSTM_GROUP;
  }
  // The rest (0..8 groups) in one asm statement: ADD PC skips the groups not needed, since
  // each group is eleven 32-bit instructions (LDRD, LDM with r8 and SMLAD have no 16-bit
  // encoding; the assembler checks the size). PC reads as the ADD's address + 4, past the NOP.
  x01 = shape.skip_bytes;  // the jump's distance, before the groups load x values into it
  __asm__(
      "0:\n\t"
      "add pc, %[x01]\n\t"
      "nop\n"
      "1:\n\t" KILN_LSTM_GROUP_ASM KILN_LSTM_GROUP_ASM KILN_LSTM_GROUP_ASM KILN_LSTM_GROUP_ASM
          KILN_LSTM_GROUP_ASM KILN_LSTM_GROUP_ASM KILN_LSTM_GROUP_ASM KILN_LSTM_GROUP_ASM
      "2:\n\t"
      ".if (1b - 0b) != 4 || (2b - 1b) != 8 * 44\n\t"
      ".error \"lstm_fast: unexpected code size\"\n\t"
      ".endif\n\t"
      : [x01] "+r"(x01), [x23] "=&r"(x23), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2),
        [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w)
      : "m"(*reinterpret_cast<const int32_t(*)[]>(x)), "m"(*reinterpret_cast<const int32_t(*)[]>(w))
      : "r4", "r5", "r6", "r8");
#undef KILN_LSTM_GROUP
  return w;
#else
  for (int32_t q = 0; q < shape.groups; ++q, x += 2, w += kGroupWords) {
    int32_t x01, x23, w0, w1;
    simd32::load_pair(x, x01, x23);
    simd32::load_pair(w, w0, w1);
    a0 = simd32::smlad(x01, w0, a0);
    a0 = simd32::smlad(x23, w1, a0);
    simd32::load_pair(w + 2, w0, w1);
    a1 = simd32::smlad(x01, w0, a1);
    a1 = simd32::smlad(x23, w1, a1);
    simd32::load_pair(w + 4, w0, w1);
    a2 = simd32::smlad(x01, w0, a2);
    a2 = simd32::smlad(x23, w1, a2);
    simd32::load_pair(w + 6, w0, w1);
    a3 = simd32::smlad(x01, w0, a3);
    a3 = simd32::smlad(x23, w1, a3);
  }
  return w;
#endif
}

// Widens `size` int8 values to 16-bit pairs in the order the packed weights use, four values
// per group: the words (v0, v2) and (v1, v3), which SXTB16 makes from one loaded word. The last
// group is zero-padded.
void widen(const int8_t* in, int32_t size, int32_t* out) {
  widen_groups(in, size >> 2, 0, out);
  int32_t k = size & ~3;
  out += 2 * (size >> 2);
  if (k < size) {
    int32_t v[4] = {0, 0, 0, 0};
    for (int32_t j = 0; k + j < size; ++j) v[j] = in[k + j];
    out[0] = simd32::pack_halves(v[0], v[2]);
    out[1] = simd32::pack_halves(v[1], v[3]);
  }
}

// What every row of a call shares, worked out once per call.
struct RowContext {
  const LstmInt8Params* params;
  const Requants* requants;
  const int32_t* packed;
  int32_t* widened_input;
  int32_t* widened_hidden;
  ProductShape input_shape;
  ProductShape state_shape;
  bool tanh_cell_gate;
  int32_t tanh_multiplier;
  int32_t tanh_shift;
  int32_t tanh_rounding;
  // The clip bounds; without the clip, the int16 range (a no-op after the saturation).
  int32_t clip_lo;
  int32_t clip_hi;
};

RowContext row_context(const LstmInt8Params& p, const Requants& requants, const int32_t* packed,
                       void* scratch) {
  RowContext ctx;
  ctx.params = &p;
  ctx.requants = &requants;
  ctx.packed = packed;
  ctx.widened_input = static_cast<int32_t*>(scratch);
  ctx.widened_hidden = ctx.widened_input + 2 * groups_of_four(p.dims.input_size);
  ctx.input_shape = product_shape(groups_of_four(p.dims.input_size));
  ctx.state_shape = product_shape(groups_of_four(p.dims.state_size));
  ctx.tanh_cell_gate = p.cell_activation == kLstmCellTanh;
  ctx.tanh_multiplier = p.cell_tanh.input_multiplier;
  ctx.tanh_shift = p.cell_tanh.input_right_shift;
  ctx.tanh_rounding = ctx.tanh_shift > 0 ? (int32_t{1} << (ctx.tanh_shift - 1)) : 0;
  ctx.clip_lo = p.use_cell_clip ? -p.cell_clip : -32768;
  ctx.clip_hi = p.use_cell_clip ? p.cell_clip : 32767;
  return ctx;
}

// One row (one batch) of one step: input row and the previous hidden row -> output row, the
// row's cell state. The hidden state itself is written once, after the row's last step.
template <int kMode>
void row_step(const RowContext& ctx, const int8_t* input, const int8_t* hidden, int16_t* cell,
              int8_t* output) {
  const LstmInt8Params& p = *ctx.params;
  const int32_t units = p.dims.state_size;
  widen(input, p.dims.input_size, ctx.widened_input);
  widen(hidden, units, ctx.widened_hidden);
  const int32_t* x = ctx.widened_input;
  const int32_t* h = ctx.widened_hidden;

  const int32_t* w = ctx.packed;
  for (int32_t n = 0; n < units; ++n) {
    RequantWalk<kMode> requant(*ctx.requants);
    // W x + b of the four gates, requantized to Q3.12 and clamped before the recurrent product
    // so that fewer values stay live through it.
    int32_t i = w[0], f = w[1], g = w[2], o = w[3];
    w = multiply_four_gates(x, ctx.input_shape, w + kGates, i, f, g, o);
    const int32_t x_i = requant.int16(i), x_f = requant.int16(f), x_g = requant.int16(g),
                  x_o = requant.int16(o);
    i = w[0], f = w[1], g = w[2], o = w[3];
    w = multiply_four_gates(h, ctx.state_shape, w + kGates, i, f, g, o);
    // Each gate: the two Q3.12 parts added with saturation, then the activation.
    const int32_t input_gate = sigmoid_gate(saturate16(x_i + requant.int16(i)));
    const int32_t forget_gate = sigmoid_gate(saturate16(x_f + requant.int16(f)));
    const int32_t cell_gate =
        gate_activation(saturate16(x_g + requant.int16(g)), ctx.tanh_cell_gate);
    const int32_t output_gate = sigmoid_gate(saturate16(x_o + requant.int16(o)));

    // c = clip(f * c + i * g), each product requantized and clamped, the sum saturated.
    const int32_t kept = requant.int16(forget_gate * cell[n]);
    const int32_t added = requant.int16(input_gate * cell_gate);
    int32_t c = saturate16(kept + added);
    c = c < ctx.clip_lo ? ctx.clip_lo : (c > ctx.clip_hi ? ctx.clip_hi : c);
    cell[n] = static_cast<int16_t>(c);

    // h = o * tanh(c) on the hidden state's int8 scale.
    const int32_t cell_tanh =
        tanh_on_axis((c * ctx.tanh_multiplier + ctx.tanh_rounding) >> ctx.tanh_shift);
    output[n] = static_cast<int8_t>(requant.int8(cell_tanh * output_gate));
  }
}

template <int kMode>
void run_sequence(const RowContext& ctx, const int8_t* input, int8_t* hidden, int16_t* cell,
                  int8_t* output) {
  const LstmDims& d = ctx.params->dims;
  const size_t units = static_cast<size_t>(d.state_size);
  // The reference's order: all batches of a step together when time-major, else each batch
  // through all its steps. Rows are independent, so per-row processing gives the same values.
  // A step's hidden input is the previous step's output row (the output does not overlap the
  // state), and the state gets the last one.
  if (d.time_major) {
    for (int32_t t = 0; t < d.time_steps; ++t)
      for (int32_t b = 0; b < d.batch; ++b) {
        const int32_t row = t * d.batch + b;
        const int8_t* previous =
            t == 0 ? hidden + b * d.state_size : output + (row - d.batch) * d.state_size;
        row_step<kMode>(ctx, input + row * d.input_size, previous, cell + b * d.state_size,
                        output + row * d.state_size);
      }
    if (d.time_steps > 0)
      memcpy(hidden, output + (d.time_steps - 1) * d.batch * d.state_size,
             units * static_cast<size_t>(d.batch));
    return;
  }
  for (int32_t b = 0; b < d.batch; ++b) {
    for (int32_t t = 0; t < d.time_steps; ++t) {
      const int32_t row = b * d.time_steps + t;
      const int8_t* previous =
          t == 0 ? hidden + b * d.state_size : output + (row - 1) * d.state_size;
      row_step<kMode>(ctx, input + row * d.input_size, previous, cell + b * d.state_size,
                      output + row * d.state_size);
    }
    if (d.time_steps > 0)
      memcpy(hidden + b * d.state_size, output + ((b + 1) * d.time_steps - 1) * d.state_size,
             units);
  }
}

bool gate_valid(const LstmInt8Gate& g) {
  return g.input_weights != NULL && g.input_bias != NULL && g.recurrent_weights != NULL;
}

// Writes the groups of one weight matrix for unit n: [group][gate][4 values as 2 words].
int32_t* pack_matrix(const int8_t* const rows[kGates], int32_t depth, int32_t n, int32_t* out) {
  const int32_t groups = groups_of_four(depth);
  for (int32_t q = 0; q < groups; ++q)
    for (int32_t g = 0; g < kGates; ++g) {
      const int8_t* row = rows[g] + static_cast<int64_t>(n) * depth;
      int32_t v[4];
      for (int32_t k = 0; k < 4; ++k) {
        const int32_t col = 4 * q + k;
        v[k] = col < depth ? row[col] : 0;
      }
      *out++ = simd32::pack_halves(v[0], v[2]);
      *out++ = simd32::pack_halves(v[1], v[3]);
    }
  return out;
}

}  // namespace

// Generated from kSigmoidTable (tests/runtime/lstm_fast_test.cpp checks every word).
const uint32_t kLstmSigmoidPairs[kSigmoidTableSize] = {
    0x000002AB, 0x02AB02AA, 0x055502A8, 0x07FD02A8, 0x0AA502A4, 0x0D4902A2, 0x0FEB029E, 0x1289029B,
    0x15240295, 0x17B90291, 0x1A4A028B, 0x1CD50285, 0x1F5A027E, 0x21D80278, 0x24500270, 0x26C00268,
    0x29280260, 0x2B880257, 0x2DDF024F, 0x302E0245, 0x3273023C, 0x34AF0232, 0x36E10228, 0x3909021E,
    0x3B270214, 0x3D3B0209, 0x3F4401FF, 0x414301F4, 0x433701E9, 0x452001DE, 0x46FE01D3, 0x48D101C8,
    0x4A9901BE, 0x4C5701B2, 0x4E0901A8, 0x4FB1019C, 0x514D0192, 0x52DF0187, 0x5466017D, 0x55E30172,
    0x57550168, 0x58BD015D, 0x5A1A0154, 0x5B6E0149, 0x5CB70140, 0x5DF70136, 0x5F2D012C, 0x60590123,
    0x617C011B, 0x62970111, 0x63A80108, 0x64B00100, 0x65B000F8, 0x66A800F0, 0x679800E7, 0x687F00E0,
    0x695F00D8, 0x6A3700D1, 0x6B0800CA, 0x6BD200C3, 0x6C9500BC, 0x6D5100B6, 0x6E0700AF, 0x6EB600A9,
    0x6F5F00A2, 0x7001009E, 0x709F0097, 0x71360092, 0x71C8008C, 0x72540088, 0x72DC0082, 0x735E007E,
    0x73DC0079, 0x74550075, 0x74CA0070, 0x753A006C, 0x75A60068, 0x760E0064, 0x76720060, 0x76D2005D,
    0x772F0059, 0x77880056, 0x77DE0052, 0x7830004F, 0x787F004C, 0x78CB004A, 0x79150046, 0x795B0044,
    0x799F0041, 0x79E0003E, 0x7A1E003C, 0x7A5A003A, 0x7A940038, 0x7ACC0035, 0x7B010033, 0x7B340031,
    0x7B650030, 0x7B95002D, 0x7BC2002C, 0x7BEE002A, 0x7C180028, 0x7C400026, 0x7C660026, 0x7C8C0023,
    0x7CAF0022, 0x7CD10021, 0x7CF20020, 0x7D12001E, 0x7D30001D, 0x7D4D001C, 0x7D69001B, 0x7D84001A,
    0x7D9E0018, 0x7DB60018, 0x7DCE0017, 0x7DE50016, 0x7DFB0014, 0x7E0F0015, 0x7E240013, 0x7E370012,
    0x7E490012, 0x7E5B0011, 0x7E6C0011, 0x7E7D000F, 0x7E8C000F, 0x7E9B000F, 0x7EAA000E, 0x7EB8000D,
    0x7EC5000D, 0x7ED2000C, 0x7EDE000C, 0x7EEA000B, 0x7EF5000B, 0x7F00000B, 0x7F0B000A, 0x7F150009,
    0x7F1E0009, 0x7F270009, 0x7F300009, 0x7F390008, 0x7F410007, 0x7F480008, 0x7F500007, 0x7F570007,
    0x7F5E0007, 0x7F650006, 0x7F6B0006, 0x7F710006, 0x7F770005, 0x7F7C0006, 0x7F820005, 0x7F870005,
    0x7F8C0005, 0x7F910004, 0x7F950004, 0x7F990005, 0x7F9E0004, 0x7FA20003, 0x7FA50004, 0x7FA90004,
    0x7FAD0003, 0x7FB00003, 0x7FB30003, 0x7FB60003, 0x7FB90003, 0x7FBC0003, 0x7FBF0003, 0x7FC20002,
    0x7FC40003, 0x7FC70002, 0x7FC90002, 0x7FCB0002, 0x7FCD0003, 0x7FD00001, 0x7FD10002, 0x7FD30002,
    0x7FD50002, 0x7FD70002, 0x7FD90001, 0x7FDA0002, 0x7FDC0001, 0x7FDD0002, 0x7FDF0001, 0x7FE00001,
    0x7FE10002, 0x7FE30001, 0x7FE40001, 0x7FE50001, 0x7FE60001, 0x7FE70001, 0x7FE80001, 0x7FE90001,
    0x7FEA0001, 0x7FEB0001, 0x7FEC0001, 0x7FED0000, 0x7FED0001, 0x7FEE0001, 0x7FEF0001, 0x7FF00000,
    0x7FF00001, 0x7FF10001, 0x7FF20000, 0x7FF20001, 0x7FF30000, 0x7FF30001, 0x7FF40000, 0x7FF40001,
    0x7FF50000, 0x7FF50001, 0x7FF60000, 0x7FF60000, 0x7FF60001, 0x7FF70000, 0x7FF70001, 0x7FF80000,
    0x7FF80000, 0x7FF80001, 0x7FF90000, 0x7FF90000, 0x7FF90000, 0x7FF90001, 0x7FFA0000, 0x7FFA0000,
    0x7FFA0000, 0x7FFA0001, 0x7FFB0000, 0x7FFB0000, 0x7FFB0000, 0x7FFB0000, 0x7FFB0001, 0x7FFC0000,
    0x7FFC0000, 0x7FFC0000, 0x7FFC0000, 0x7FFC0000, 0x7FFC0001, 0x7FFD0000, 0x7FFD0000, 0x7FFD0000,
    0x7FFD0000, 0x7FFD0000, 0x7FFD0000, 0x7FFD0000, 0x7FFD0001, 0x7FFE0000, 0x7FFE0000, 0x7FFE0000,
    0x7FFE0000, 0x7FFE0000, 0x7FFE0000, 0x7FFE0000, 0x7FFE0000, 0x7FFE0000, 0x7FFE0001, 0x7FFF0000,
};

size_t lstm_int8_fast_packed_words(const LstmDims& d) {
  if (!dims_valid(d)) return 0;
  return static_cast<size_t>(d.state_size) *
         static_cast<size_t>(kBiasWords + kGroupWords * (groups_of_four(d.input_size) +
                                                         groups_of_four(d.state_size)));
}

Status lstm_int8_fast_pack(const LstmDims& d, const LstmInt8Weights& weights, int32_t* packed) {
  if (!dims_valid(d) || packed == NULL) return kBadArgument;
  const LstmInt8Gate* gates[kGates] = {&weights.input_gate, &weights.forget_gate,
                                       &weights.cell_gate, &weights.output_gate};
  for (int32_t g = 0; g < kGates; ++g)
    if (!gate_valid(*gates[g])) return kBadArgument;
  const int8_t* input_rows[kGates];
  const int8_t* recurrent_rows[kGates];
  for (int32_t g = 0; g < kGates; ++g) {
    input_rows[g] = gates[g]->input_weights;
    recurrent_rows[g] = gates[g]->recurrent_weights;
  }
  int32_t* out = packed;
  for (int32_t n = 0; n < d.state_size; ++n) {
    for (int32_t g = 0; g < kGates; ++g) *out++ = gates[g]->input_bias[n];
    out = pack_matrix(input_rows, d.input_size, n, out);
    for (int32_t g = 0; g < kGates; ++g)
      *out++ = gates[g]->recurrent_bias != NULL ? gates[g]->recurrent_bias[n] : 0;
    out = pack_matrix(recurrent_rows, d.state_size, n, out);
  }
  return kOk;
}

size_t lstm_int8_fast_scratch_bytes(const LstmDims& d) {
  if (!dims_valid(d)) return 0;
  return 4 * sizeof(int16_t) *
         static_cast<size_t>(groups_of_four(d.input_size) + groups_of_four(d.state_size));
}

Status lstm_int8_fast(const LstmInt8Params& params, const int32_t* packed, const int8_t* input,
                      int8_t* hidden_state, int16_t* cell_state, int8_t* output, void* scratch) {
  const LstmDims& d = params.dims;
  if (!dims_valid(d)) return kBadArgument;
  if (packed == NULL || input == NULL || hidden_state == NULL || cell_state == NULL ||
      output == NULL || scratch == NULL || reinterpret_cast<uintptr_t>(scratch) % 4 != 0)
    return kBadArgument;
  if (!int16_activation_params_valid(params.cell_tanh)) return kBadArgument;
  if (params.cell_activation != kLstmCellTanh && params.cell_activation != kLstmCellSigmoid)
    return kBadArgument;

  Requants requants;
  const int mode = requants_build(params, &requants);
  const RowContext ctx = row_context(params, requants, packed, scratch);
  if (mode == kFastRequant)
    run_sequence<kFastRequant>(ctx, input, hidden_state, cell_state, output);
  else if (mode == kFastRequantPreShift)
    run_sequence<kFastRequantPreShift>(ctx, input, hidden_state, cell_state, output);
  else
    run_sequence<kReferenceRequant>(ctx, input, hidden_state, cell_state, output);
  return kOk;
}

}  // namespace rt
}  // namespace kiln
