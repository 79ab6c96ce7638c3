// The int8 output step of the fast kernels: the same result as Int8OutputStep (conv_common.h),
// bias + TFLite's double-rounding requantization + zero point + clamp, in six DSP instructions
// per output instead of a 64-bit multiply and two branchy roundings.
//
// Why it is exact, for a right shift rs in [1, 31] (shift = -rs) and M the Q0.31 multiplier. The
// reference computes x = round_half_up(acc * M / 2^31) (its nudge for negative products works
// out to exactly that), then y = round_half_away_from_zero(x / 2^rs) + zero_point.
//  - x = SMMLAR(acc, 2M, acc): for M in [2^30, 2^31) (every multiplier TFLite's
//    QuantizeMultiplier makes from a nonzero scale) 2M read as a signed word is 2M - 2^32, so
//    the instruction computes floor((acc * 2^32 + acc * (2M - 2^32) + 2^31) / 2^32)
//    = floor((2 * acc * M + 2^31) / 2^32).
//  - Rounding half away from zero is floor((x - [x < 0] + 2^(rs-1)) / 2^rs) (x > INT32_MIN, so
//    u = x - [x < 0] cannot overflow), and adding zp * 2^rs before the floor adds zp after it.
//  - A floor division by 2^rs may be split into a floor division by 2^j and one by 2^(rs-j),
//    and the constant, a multiple of 2^j, moves past the first: y = ((u >> j) + C) >> (rs - j)
//    with C = 2^(rs-1-j) + zp * 2^(rs-j). j = max(0, rs - 22) keeps |C| below 2^29.01.
//  - The sum is formed with saturating QADD: it saturates only if |u >> j| > 1.5 * 2^30, i.e.
//    for a result beyond +-383, which the int8 clamp maps to the same bound as the true value.
// Channels with shift >= 0, a multiplier outside [2^30, 2^31) or a zero point outside int8 make
// requant_table_build fail; the kernels then use the reference output step.
#ifndef KILN_RUNTIME_REQUANT_FAST_H_
#define KILN_RUNTIME_REQUANT_FAST_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/simd32.h"

namespace kiln {
namespace rt {

// Everything one output channel needs, precomputed once per call into the caller's scratch.
struct RequantChannel {
  int32_t bias;         // added to the accumulator first (0 without bias)
  int32_t multiplier2;  // 2 * multiplier, as a wrapped 32-bit word
  int32_t pre_shift;    // j = max(0, rs - 22)
  int32_t rounding;     // C = 2^(rs-1-j) + zero_point * 2^(rs-j)
  int32_t post_shift;   // rs - j
};

// Bytes of a table for `channels` channels (word aligned by construction).
inline size_t requant_table_bytes(int32_t channels) {
  return channels > 0 ? static_cast<size_t>(channels) * sizeof(RequantChannel) : 0;
}

// Fills table[0 .. channels). Channel c reads multiplier[c * step] / shift[c * step] (step 0 for
// per-tensor requantization). Returns false if some channel is outside the exact fast range.
inline bool requant_table_build(const int32_t* bias, const int32_t* multiplier,
                                const int32_t* shift, int32_t step, int32_t channels,
                                int32_t output_offset, RequantChannel* table) {
  if (output_offset < -128 || output_offset > 127) return false;
  for (int32_t c = 0; c < channels; ++c) {
    const int32_t m = multiplier[c * step];
    const int32_t s = shift[c * step];
    if (m < (int32_t{1} << 30) || s > -1 || s < -31) return false;
    const int32_t rs = -s;
    const int32_t j = rs > 22 ? rs - 22 : 0;
    RequantChannel& t = table[c];
    t.bias = bias ? bias[c] : 0;
    t.multiplier2 = static_cast<int32_t>(static_cast<uint32_t>(m) << 1);
    t.pre_shift = j;
    t.rounding = (int32_t{1} << (rs - 1 - j)) + output_offset * (int32_t{1} << (rs - j));
    t.post_shift = rs - j;
  }
  return true;
}

// acc already includes the bias; returns the output before the activation clamp.
// kPreShift false skips the pre-shift, for tables whose pre_shift is 0 everywhere.
template <bool kPreShift>
inline int32_t requant_apply_as(int32_t acc, const RequantChannel& t) {
  const int32_t x = simd32::smmlar(acc, t.multiplier2, acc);
  const int32_t u = x - static_cast<int32_t>(static_cast<uint32_t>(x) >> 31);
  return simd32::qadd(kPreShift ? u >> t.pre_shift : u, t.rounding) >> t.post_shift;
}

inline int32_t requant_apply(int32_t acc, const RequantChannel& t) {
  return requant_apply_as<true>(acc, t);
}

// True if some channel of the table needs the pre-shift (a right shift beyond 22).
inline bool requant_table_pre_shifts(const RequantChannel* table, int32_t channels) {
  for (int32_t c = 0; c < channels; ++c)
    if (table[c].pre_shift != 0) return true;
  return false;
}

// The activation clamp, [act_min, act_max] within the int8 range.
struct Int8Clamp {
  int32_t lo;
  int32_t hi;
  int8_t operator()(int32_t v) const {
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return static_cast<int8_t>(v);
  }
};

// The output step with the activation clamp in one call, for the inner loops. With kFullRange
// ([lo, hi] is the whole int8 range, as for no activation or a ReLU at zero point -128) one SSAT
// is the clamp; otherwise the bounds are compared, which the caller keeps in registers.
template <bool kFullRange, bool kPreShift>
inline int8_t requant_clamp(int32_t acc, const RequantChannel& t, int32_t lo, int32_t hi) {
  int32_t v = requant_apply_as<kPreShift>(acc, t);
  if (kFullRange) return static_cast<int8_t>(simd32::ssat8(v));
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return static_cast<int8_t>(v);
}

// The doubled output step. Where a channel's taps and bias are doubled, the accumulator a holds
// twice the reference's sum, and with the entry rewritten by requant_doubled_entry (twice the
// bias, M itself, the rounding term C of the whole right shift rs, no pre-shift) the reference's
// output is (SMMLAR(a, M, C) - [a < 0]) >> rs: SMMLAR(a, M, C) = C + x with x the reference's
// rounded product, and subtracting the sign of a (that of x, or x = 0 where C and C - 1 floor
// alike, C mod 2^rs being 2^(rs-1)) turns the floor into rounding half away from zero. No
// pre-shift and no saturating add. Returns the value clamped to int8.
inline int32_t requant_doubled_output(int32_t acc2, const RequantChannel& d) {
  const int32_t y = simd32::smmlar(acc2, d.multiplier2, d.rounding);
  return simd32::ssat8((y - static_cast<int32_t>(static_cast<uint32_t>(acc2) >> 31)) >>
                       d.post_shift);
}

// For an entry with a pre-shift: C = 2^(rs-1) + zp * 2^rs of the whole right shift rs into *c
// (in 64 bits: zp in int8, rs up to 31); false if |C| >= 2^30. Out of line, so that the common
// entries without a pre-shift pay nothing for it.
__attribute__((noinline)) inline bool requant_whole_shift_rounding(const RequantChannel& t,
                                                                   int32_t* c) {
  const int32_t rs = t.pre_shift + t.post_shift;
  const int64_t zp = (t.rounding - (int64_t{1} << (t.post_shift - 1))) >> t.post_shift;
  const int64_t c64 = (int64_t{1} << (rs - 1)) + zp * (int64_t{1} << rs);
  if ((c64 < 0 ? -c64 : c64) >= (int64_t{1} << 30)) return false;
  *c = static_cast<int32_t>(c64);
  return true;
}

// Entry `t` of requant_table_build rewritten into `d` for requant_doubled_output; false where
// that is not exact (the channel then keeps the table's step). `sums` (below 2^30) bounds
// |accumulator - bias| for every partial sum of the channel's window, so B = |t.bias| + sums
// bounds the partial sums themselves: B < 2^30 keeps twice each one in range, and
// |C| + B < 2^31 - 1 keeps C + x - 1 in range (|x| <= |a| / 2, M < 2^31). In 32 bits: once per
// channel and call.
inline bool requant_doubled_entry(const RequantChannel& t, uint32_t sums, RequantChannel* d) {
  const uint32_t abs_bias =
      t.bias < 0 ? 0u - static_cast<uint32_t>(t.bias) : static_cast<uint32_t>(t.bias);
  if (abs_bias >= (uint32_t{1} << 30) - sums) return false;
  const uint32_t bound = abs_bias + sums;
  const int32_t rs = t.pre_shift + t.post_shift;
  int32_t c = t.rounding;
  if (t.pre_shift != 0 && !requant_whole_shift_rounding(t, &c)) return false;
  const uint32_t abs_c = c < 0 ? 0u - static_cast<uint32_t>(c) : static_cast<uint32_t>(c);
  if (abs_c >= (uint32_t{1} << 30) || abs_c + bound >= 0x7FFFFFFFu) return false;
  d->bias = 2 * t.bias;
  d->multiplier2 = static_cast<int32_t>(static_cast<uint32_t>(t.multiplier2) >> 1);
  d->pre_shift = 0;
  d->rounding = c;
  d->post_shift = rs;
  return true;
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_REQUANT_FAST_H_
