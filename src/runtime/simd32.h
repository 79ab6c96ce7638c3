// SIMD within a 32-bit register, the Cortex-M4 DSP extension's way of doing two 16-bit
// multiply-accumulates per instruction. Each helper maps to one DSP instruction when the target
// has it (__ARM_FEATURE_DSP) and otherwise to an exact portable emulation, so the fast kernels
// run the same algorithm on the host and can be tested there against the reference kernels.
//
// Lane convention: a word holds bytes b0 (bits 0-7) .. b3 (bits 24-31), or halves h0 (bits 0-15)
// and h1 (bits 16-31). Emulations compute in unsigned or 64-bit arithmetic where the instruction
// wraps or saturates, so they have no undefined behaviour.
#ifndef KILN_RUNTIME_SIMD32_H_
#define KILN_RUNTIME_SIMD32_H_

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define KILN_SIMD32_DSP 1
#else
#define KILN_SIMD32_DSP 0
#endif

namespace kiln {
namespace rt {
namespace simd32 {

// Four int8 (or two int16) from memory of any alignment; the M4 allows unaligned LDR, and
// memcpy of 4 bytes compiles to one.
inline int32_t load4(const void* p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

// Two consecutive words of a word-aligned array (an LDRD or two LDRs, the compiler's choice:
// back-to-back loads pipeline on the M4, so either costs three cycles).
inline void load_pair(const int32_t* p, int32_t& first, int32_t& second) {
  uint64_t v;
  memcpy(&v, p, 8);
  first = static_cast<int32_t>(static_cast<uint32_t>(v));
  second = static_cast<int32_t>(static_cast<uint32_t>(v >> 32));
}

inline void store4(void* p, int32_t v) {
  memcpy(p, &v, 4);
}

inline int32_t half0(int32_t v) {
  return static_cast<int16_t>(static_cast<uint32_t>(v) & 0xFFFFu);
}
inline int32_t half1(int32_t v) {
  return static_cast<int16_t>(static_cast<uint32_t>(v) >> 16);
}
inline int32_t pack_halves(int32_t h0, int32_t h1) {
  return static_cast<int32_t>((static_cast<uint32_t>(h0) & 0xFFFFu) |
                              (static_cast<uint32_t>(h1) << 16));
}
inline int32_t byte_of(int32_t v, int i) {
  return static_cast<int8_t>((static_cast<uint32_t>(v) >> (8 * i)) & 0xFFu);
}

// A scheduling fence for unrolled multiply-accumulate chains: GCC's pre-allocation scheduler
// hoists every load of an unrolled block to its top and then spills the values to the stack.
// An empty asm that may touch memory keeps the loads after it in place; it emits no instruction.
inline void keep_loads_in_order() {
#if KILN_SIMD32_DSP
  __asm__ volatile("" ::: "memory");
#endif
}

// Makes the compiler have both values in registers here, so that the loads producing them are
// issued together before it (back-to-back loads pipeline on the M4: one cycle each after the
// first, two when a load follows arithmetic). Emits no instruction.
inline void settle(int32_t& a, int32_t& b) {
#if KILN_SIMD32_DSP
  __asm__ volatile("" : "+r"(a), "+r"(b));
#else
  (void)a;
  (void)b;
#endif
}

// Bytes b0 and b2 sign-extended into the two halves: (b0, b2).
inline int32_t sxtb16(int32_t v) {
#if KILN_SIMD32_DSP
  return __sxtb16(v);
#else
  return pack_halves(byte_of(v, 0), byte_of(v, 2));
#endif
}

// Bytes b1 and b3 sign-extended into the two halves: (b1, b3).
inline int32_t sxtb16_odd(int32_t v) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
#else
  return pack_halves(byte_of(v, 1), byte_of(v, 3));
#endif
}

// (a.h0 + b0, a.h1 + b2): adds a pair of 16-bit offsets to the even bytes (wrapping per half).
inline int32_t sxtab16(int32_t a, int32_t v) {
#if KILN_SIMD32_DSP
  return __sxtab16(a, v);
#else
  return pack_halves(half0(a) + byte_of(v, 0), half1(a) + byte_of(v, 2));
#endif
}

// (a.h0 + b1, a.h1 + b3).
inline int32_t sxtab16_odd(int32_t a, int32_t v) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
#else
  return pack_halves(half0(a) + byte_of(v, 1), half1(a) + byte_of(v, 3));
#endif
}

// (a.h0 + b.h0, a.h1 + b.h1), each lane wrapping: SADD16.
inline int32_t sadd16(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("sadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return pack_halves(half0(a) + half0(b), half1(a) + half1(b));
#endif
}

// acc + a.h0 * b.h0 + a.h1 * b.h1, wrapping like the instruction (which only sets the Q flag).
inline int32_t smlad(int32_t a, int32_t b, int32_t acc) {
#if KILN_SIMD32_DSP
  return __smlad(a, b, acc);
#else
  const uint32_t sum = static_cast<uint32_t>(acc) + static_cast<uint32_t>(half0(a) * half0(b)) +
                       static_cast<uint32_t>(half1(a) * half1(b));
  return static_cast<int32_t>(sum);
#endif
}

// acc + a.h0 * b.h0 and acc + a.h1 * b.h1 (wrapping).
inline int32_t smlabb(int32_t a, int32_t b, int32_t acc) {
#if KILN_SIMD32_DSP
  return __smlabb(a, b, acc);
#else
  return static_cast<int32_t>(static_cast<uint32_t>(acc) +
                              static_cast<uint32_t>(half0(a) * half0(b)));
#endif
}
inline int32_t smlatt(int32_t a, int32_t b, int32_t acc) {
#if KILN_SIMD32_DSP
  return __smlatt(a, b, acc);
#else
  return static_cast<int32_t>(static_cast<uint32_t>(acc) +
                              static_cast<uint32_t>(half1(a) * half1(b)));
#endif
}

// Wrapping 32-bit add (the accumulators wrap exactly as the reference's int32 sums).
inline int32_t add_wrap(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// Halfword multiplies: SMUAD (both products summed), SMULTB/SMLATB/SMLABT (one product, the
// letters naming which half of a and of b).
inline int32_t smuad(int32_t a, int32_t b) {  // a.h0 * b.h0 + a.h1 * b.h1
#if KILN_SIMD32_DSP
  return __smuad(a, b);
#else
  return smlad(a, b, 0);
#endif
}
inline int32_t smultb(int32_t a, int32_t b) {  // a.h1 * b.h0
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("smultb %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return half1(a) * half0(b);
#endif
}
inline int32_t smlatb(int32_t a, int32_t b, int32_t acc) {  // acc + a.h1 * b.h0
#if KILN_SIMD32_DSP
  return __smlatb(a, b, acc);
#else
  return add_wrap(acc, half1(a) * half0(b));
#endif
}
inline int32_t smlabt(int32_t a, int32_t b, int32_t acc) {  // acc + a.h0 * b.h1
#if KILN_SIMD32_DSP
  return __smlabt(a, b, acc);
#else
  return add_wrap(acc, half0(a) * half1(b));
#endif
}

// (a.h0, b.h0) and (a.h1, b.h1): PKHBT / PKHTB.
inline int32_t pack_low_halves(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return pack_halves(a, b);
#endif
}
inline int32_t pack_high_halves(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return static_cast<int32_t>((static_cast<uint32_t>(a) >> 16) |
                              (static_cast<uint32_t>(b) & 0xFFFF0000u));
#endif
}

inline int32_t saturate_i32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : static_cast<int32_t>(v));
}

// Saturating a + 2 * b (QDADD).
inline int32_t qdadd(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("qdadd %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc");
  return r;
#else
  return saturate_i32(static_cast<int64_t>(a) + saturate_i32(2 * static_cast<int64_t>(b)));
#endif
}

// Saturating a + b (QADD).
inline int32_t qadd(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  return __qadd(a, b);
#else
  return saturate_i32(static_cast<int64_t>(a) + b);
#endif
}

// Saturating a - b (QSUB).
inline int32_t qsub(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  return __qsub(a, b);
#else
  return saturate_i32(static_cast<int64_t>(a) - b);
#endif
}

// floor((a * 2^32 + b * c + 2^31) / 2^32), the rounded high word of a 64-bit multiply-accumulate
// (SMMLAR). The intermediate is taken modulo 2^64, as the instruction does.
inline int32_t smmlar(int32_t b, int32_t c, int32_t a) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(b), "r"(c), "r"(a));
  return r;
#else
  const uint64_t sum = (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) +
                       static_cast<uint64_t>(static_cast<int64_t>(b) * c) + (uint64_t{1} << 31);
  return static_cast<int32_t>(static_cast<uint32_t>(sum >> 32));
#endif
}

// Clamp to the int8 range (SSAT #8).
inline int32_t ssat8(int32_t v) {
#if KILN_SIMD32_DSP
  return __ssat(v, 8);
#else
  return v > 127 ? 127 : (v < -128 ? -128 : v);
#endif
}

// The low bytes of four values in one word, b0 lowest (for one STR of four int8 outputs).
inline int32_t pack_bytes(int32_t b0, int32_t b1, int32_t b2, int32_t b3) {
#if KILN_SIMD32_DSP
  // Three BFIs (GCC makes eight masks, shifts and ORs of the same).
  __asm__("bfi %0, %1, #8, #8\n\tbfi %0, %2, #16, #8\n\tbfi %0, %3, #24, #8"
          : "+r"(b0)
          : "r"(b1), "r"(b2), "r"(b3));
  return b0;
#else
  return static_cast<int32_t>(
      (static_cast<uint32_t>(b0) & 0xFFu) | (static_cast<uint32_t>(b1) & 0xFFu) << 8 |
      (static_cast<uint32_t>(b2) & 0xFFu) << 16 | static_cast<uint32_t>(b3) << 24);
#endif
}

// Lane-wise signed maximum / minimum of four int8 lanes: SSUB8 sets a GE flag for each byte of
// a that is >= the byte of b, and SEL picks each byte by its flag.
inline int32_t max_s8x4(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
#else
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) {
    const int32_t x = byte_of(a, i), y = byte_of(b, i);
    r |= (static_cast<uint32_t>(x >= y ? x : y) & 0xFFu) << (8 * i);
  }
  return static_cast<int32_t>(r);
#endif
}
inline int32_t min_s8x4(int32_t a, int32_t b) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
#else
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) {
    const int32_t x = byte_of(a, i), y = byte_of(b, i);
    r |= (static_cast<uint32_t>(x >= y ? y : x) & 0xFFu) << (8 * i);
  }
  return static_cast<int32_t>(r);
#endif
}

}  // namespace simd32
}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_SIMD32_H_
