// Vector helpers shared by the *_avx2.cpp files, and only by them (it needs -mavx2). Everything
// here has internal linkage so that no AVX2 instruction can leak into baseline code through the
// linker's choice among identical inline definitions.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "exec/host_simd/avx2_kernels.h"

#define KILN_AVX2_INLINE inline __attribute__((always_inline))

namespace kiln::exec::host_simd {
namespace {

KILN_AVX2_INLINE __m256i load8(const int32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The broadcast of the int16 pair at p (two values) to all eight 32-bit lanes.
KILN_AVX2_INLINE __m256i broadcast_pair(const int16_t* p) {
  int32_t pair;
  std::memcpy(&pair, p, sizeof(pair));
  return _mm256_set1_epi32(pair);
}

// The output step of the portable int8 kernels (bias, multiply_by_quantized_multiplier, zero
// point, clamp) on 8 accumulators at once, bit for bit:
//  - bias and the left shift wrap modulo 2^32 exactly as the portable step's conversions do;
//  - the rounding doubling high multiply: the portable form, trunc((p + nudge) / 2^31) with
//    nudge 2^30 for p >= 0 and 1 - 2^30 for p < 0, equals floor((p + 2^30) / 2^31) in both cases
//    (for p < 0, trunc(t / 2^31) = floor((t + 2^31 - 1) / 2^31)), i.e. bits 31..62 of
//    p + 2^30. The single saturating input (both operands INT32_MIN) is excluded at planning;
//  - the rounding right shift compares the discarded bits with half, plus one for negatives;
//  - the zero point wraps like the portable int64-to-int32 conversion; the clamp bounds lie in
//    the int8 range, so the saturating packs used by the stores are plain truncations.
// Callers that know more may drop steps: kLeftShift false when every left shift of q is 0;
// kUniformMultiplier when all 8 lanes of q have the same multiplier (the odd lanes then read it
// from the even ones).
template <bool kLeftShift = true, bool kUniformMultiplier = false>
KILN_AVX2_INLINE __m256i requantize8(__m256i acc, const Int8RequantBlock& q,
                                     const __m256i output_offset, const __m256i act_min,
                                     const __m256i act_max) {
  __m256i x = _mm256_add_epi32(acc, load8(q.bias));
  if constexpr (kLeftShift) x = _mm256_sllv_epi32(x, load8(q.left_shift));
  const __m256i multiplier = load8(q.multiplier);
  const __m256i odd_multiplier =
      kUniformMultiplier ? multiplier : _mm256_srli_epi64(multiplier, 32);
  const __m256i round = _mm256_set1_epi64x(int64_t{1} << 30);
  // Even lanes: the 64-bit product sits in a whole 64-bit lane; keep bits 31..62 low.
  const __m256i even =
      _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, multiplier), round), 31);
  // Odd lanes: move them down to multiply, and keep bits 31..62 in the high half.
  const __m256i odd = _mm256_slli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), odd_multiplier), round), 1);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);

  const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), high);
  const __m256i remainder = _mm256_and_si256(high, load8(q.remainder_mask));
  const __m256i threshold = _mm256_sub_epi32(load8(q.half_mask), negative);  // -(-1) = +1
  __m256i y = _mm256_srav_epi32(high, load8(q.right_shift));
  y = _mm256_sub_epi32(y, _mm256_cmpgt_epi32(remainder, threshold));
  y = _mm256_add_epi32(y, output_offset);
  return _mm256_min_epi32(_mm256_max_epi32(y, act_min), act_max);
}

// Stores the first `count` (at most 8) of 8 int32 values already within [-128, 127] as int8.
KILN_AVX2_INLINE void store_int8x8(int8_t* dst, __m256i v, int32_t count) {
  const __m256i words = _mm256_packs_epi32(v, v);  // per 128-bit half: v0-3 v0-3 | v4-7 v4-7
  const __m128i ordered =
      _mm_unpacklo_epi64(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
  const __m128i bytes = _mm_packs_epi16(ordered, ordered);
  if (count >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), bytes);
  } else {
    alignas(16) int8_t staged[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(staged), bytes);
    std::memcpy(dst, staged, static_cast<size_t>(count));
  }
}

// Stores the first `count` (at most 8) bytes of the low 8 bytes of `bytes` with fixed-size
// stores, without a library call for the few values of a partial block.
KILN_AVX2_INLINE void store_bytes_partial(int8_t* dst, __m128i bytes, int32_t count) {
  uint64_t word = static_cast<uint64_t>(_mm_cvtsi128_si64(bytes));
  if (count >= 8) {
    std::memcpy(dst, &word, 8);
    return;
  }
  if (count & 4) {
    const uint32_t part = static_cast<uint32_t>(word);
    std::memcpy(dst, &part, 4);
    dst += 4;
    word >>= 32;
  }
  if (count & 2) {
    const uint16_t part = static_cast<uint16_t>(word);
    std::memcpy(dst, &part, 2);
    dst += 2;
    word >>= 16;
  }
  if (count & 1) *dst = static_cast<int8_t>(static_cast<uint8_t>(word));
}

// The bytes src[0 .. count) (count < 8) in the low end of a word, zero above, read with
// fixed-size loads that stay within them.
KILN_AVX2_INLINE uint64_t load_bytes_below8(const int8_t* src, int32_t count) {
  uint64_t word = 0;
  int shift = 0;
  if (count & 4) {
    uint32_t part;
    std::memcpy(&part, src, 4);
    word = part;
    src += 4;
    shift = 32;
  }
  if (count & 2) {
    uint16_t part;
    std::memcpy(&part, src, 2);
    word |= uint64_t{part} << shift;
    src += 2;
    shift += 16;
  }
  if (count & 1) word |= uint64_t{static_cast<uint8_t>(*src)} << shift;
  return word;
}

// The bytes src[0 .. count) (count <= 16), zero above, reading no byte past them.
KILN_AVX2_INLINE __m128i load_bytes_partial(const int8_t* src, int32_t count) {
  if (count >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  if (count >= 8) {
    uint64_t low;
    std::memcpy(&low, src, 8);
    return _mm_set_epi64x(static_cast<int64_t>(load_bytes_below8(src + 8, count - 8)),
                          static_cast<int64_t>(low));
  }
  return _mm_cvtsi64_si128(static_cast<int64_t>(load_bytes_below8(src, count)));
}

// Stores 16 int32 values already within [-128, 127] (first, then second) as int8 with one
// 16-byte store, so a later 16-byte load of them can be forwarded from the store.
KILN_AVX2_INLINE void store_int8x16(int8_t* dst, __m256i first, __m256i second) {
  // packs interleaves per 128-bit half (f0-3 s0-3 | f4-7 s4-7); the permute restores the order.
  const __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(first, second), 0xD8);
  const __m128i bytes =
      _mm_packs_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), bytes);
}

// dst[i] = src[i] + offset for i < n.
KILN_AVX2_INLINE void widen_with_offset(const int8_t* src, int16_t* dst, ptrdiff_t n,
                                        int32_t offset) {
  const __m256i offset16 = _mm256_set1_epi16(static_cast<int16_t>(offset));
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_add_epi16(_mm256_cvtepi8_epi16(bytes), offset16));
  }
  if (i + 8 <= n) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_add_epi16(_mm_cvtepi8_epi16(bytes), _mm256_castsi256_si128(offset16)));
    i += 8;
  }
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
}

// widen_with_offset for a row the product reads right away: the values past the vector part are
// written a pair per 32-bit store (the last pair of an odd n completed with 0, so dst needs room
// for n rounded up to even), so each pair the product broadcasts comes from a single store and
// the load can be forwarded from it instead of waiting for the stores to retire.
KILN_AVX2_INLINE void widen_row_with_offset(const int8_t* src, int16_t* dst, ptrdiff_t n,
                                            int32_t offset) {
  const ptrdiff_t vector_part = n / 8 * 8;
  widen_with_offset(src, dst, vector_part, offset);
  for (ptrdiff_t i = vector_part; i < n; i += 2) {
    const uint32_t first = static_cast<uint16_t>(src[i] + offset);
    const uint32_t second = i + 1 < n ? static_cast<uint16_t>(src[i + 1] + offset) : 0u;
    const uint32_t pair = first | (second << 16);
    std::memcpy(dst + i, &pair, sizeof(pair));
  }
}

// Copies n int16 values without a library call: the windows copied are often a few values.
KILN_AVX2_INLINE void copy_int16(int16_t* dst, const int16_t* src, ptrdiff_t n) {
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
  if (i + 8 <= n) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    i += 8;
  }
  if (i + 4 <= n) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + i),
                     _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i)));
    i += 4;
  }
  for (; i < n; ++i) dst[i] = src[i];
}

}  // namespace
}  // namespace kiln::exec::host_simd
