// Column buffers of the fast int8 kernels: K int8 inputs with the input offset added, widened to
// 16 bits and ordered for SMLAD. Within each group of four values x0..x3 the buffer holds the
// words (x0, x2) and (x1, x3), exactly what SXTB16 / SXTB16 ROR 8 make of a filter word
// (w0..w3); so one SMLAD per word pair adds x0*w0 + x2*w2, the next x1*w1 + x3*w3, and the
// filters need no reordering. widen_column keeps the last K % 4 values apart as plain int32;
// the interleaved layout below pads them to a whole group instead.
#ifndef KILN_RUNTIME_INT8_COLUMNS_H_
#define KILN_RUNTIME_INT8_COLUMNS_H_

#include <stdint.h>

#include "runtime/simd32.h"

namespace kiln {
namespace rt {

// The input offset in both halves of a word, for SXTAB16.
inline int32_t offset_pair(int32_t input_offset) {
  return simd32::pack_halves(input_offset, input_offset);
}

// Widens src[0 .. 4 * groups + tail) into `words` (two words per group, each group's pair
// followed by `stride - 2` words of other columns) and `tail_out`.
inline void widen_column(const int8_t* src, int32_t groups, int32_t tail, int32_t input_offset,
                         int32_t stride, int32_t* words, int32_t* tail_out) {
  const int32_t offsets = offset_pair(input_offset);
  for (int32_t g = 0; g < groups; ++g) {
    const int32_t v = simd32::load4(src);
    src += 4;
    words[0] = simd32::sxtab16(offsets, v);
    words[1] = simd32::sxtab16_odd(offsets, v);
    words += stride;
  }
  for (int32_t t = 0; t < tail; ++t) tail_out[t] = src[t] + input_offset;
}

// The interleaved layout of the convolution kernel (conv2d_fast.cpp): the columns of `pixels`
// output pixels side by side, word k of pixel p at words[k * pixels + p], so that one pass over
// the words meets every pixel's word of the same step. Widens `groups` whole groups from src
// into pixel 0's place of `words` (the caller offsets it for the other pixels).
inline void widen_groups_interleaved(const int8_t* src, int32_t groups, int32_t offsets,
                                     int32_t pixels, int32_t* words) {
  for (int32_t g = 0; g < groups; ++g) {
    const int32_t v = simd32::load4(src);
    src += 4;
    words[0] = simd32::sxtab16(offsets, v);
    words[pixels] = simd32::sxtab16_odd(offsets, v);
    words += 2 * pixels;
  }
}

// Widens `groups` whole groups from src into consecutive word pairs, words[2g], words[2g + 1]
// (the layout of the fully connected and LSTM kernels' input rows); `offsets` is the input
// offset in both halves (0 for none). On the DSP cores a loop in assembly: GCC splits the pair
// into two stores and keeps a separate end pointer, seven instructions per group where five do.
inline void widen_groups(const int8_t* src, int32_t groups, int32_t offsets, int32_t* words) {
#if KILN_SIMD32_DSP
  if (groups <= 0) return;
  int32_t v, even, odd;
  // Volatile: its only effect is the stores (its register outputs are dead afterwards).
  __asm__ volatile(
      "1:\n\t"
      "ldr %[v], [%[src]], #4\n\t"
      "sxtab16 %[even], %[offsets], %[v]\n\t"
      "sxtab16 %[odd], %[offsets], %[v], ror #8\n\t"
      "strd %[even], %[odd], [%[words]], #8\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      : [src] "+r"(src), [words] "+r"(words), [n] "+r"(groups), [v] "=&r"(v), [even] "=&r"(even),
        [odd] "=&r"(odd)
      : [offsets] "r"(offsets)
      : "cc", "memory");
#else
  for (int32_t g = 0; g < groups; ++g, src += 4, words += 2) {
    const int32_t v = simd32::load4(src);
    words[0] = simd32::sxtab16(offsets, v);
    words[1] = simd32::sxtab16_odd(offsets, v);
  }
#endif
}

// The last `count` (1..3) values of a column as one group, widened like the others and padded
// with zeros (the packed filter has zero weights there; zeros keep the products defined). Reads
// only src[0 .. count).
inline void widen_partial_group(const int8_t* src, int32_t count, int32_t input_offset,
                                int32_t pixels, int32_t* words) {
  int32_t v[4] = {0, 0, 0, 0};
  for (int32_t i = 0; i < count; ++i) v[i] = src[i] + input_offset;
  words[0] = simd32::pack_halves(v[0], v[2]);
  words[pixels] = simd32::pack_halves(v[1], v[3]);
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_INT8_COLUMNS_H_
