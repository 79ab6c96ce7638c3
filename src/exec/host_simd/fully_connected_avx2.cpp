// FULLY_CONNECTED with AVX2: input rows widened to int16 with their offset, multiplied by the
// filter packed with its offset (int8_gemm_avx2); small layers directly (avx2_kernels.h).
#include "exec/host_simd/avx2_util.h"

namespace kiln::exec::host_simd {

namespace {

// The 8 int32 values (within [-128, 127]) as int8 in the low 8 bytes.
KILN_AVX2_INLINE __m128i int8_bytes(__m256i v) {
  const __m256i words = _mm256_packs_epi32(v, v);  // per 128-bit half: v0-3 v0-3 | v4-7 v4-7
  const __m128i ordered =
      _mm_unpacklo_epi64(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
  return _mm_packs_epi16(ordered, ordered);
}

// The sums of products of one block of 8 channels with the broadcast pairs, added as a tree (a
// short dependency chain; the adds wrap, so any order is exact).
template <int Pairs>
KILN_AVX2_INLINE __m256i block_sum(const __m256i* pair, const int32_t* filter) {
  __m256i products[Pairs];
#pragma GCC unroll 8
  for (int p = 0; p < Pairs; ++p) products[p] = _mm256_madd_epi16(pair[p], load8(filter + p * 8));
#pragma GCC unroll 8
  for (int width = 1; width < Pairs; width *= 2)
#pragma GCC unroll 8
    for (int p = 0; p + width < Pairs; p += 2 * width)
      products[p] = _mm256_add_epi32(products[p], products[p + width]);
  return products[0];
}

// One row of a small layer with Pairs pairs of input values (the direct path, avx2_kernels.h):
// every pair broadcast once from the widened register, then each block of 8 channels summed as
// a tree (block_sum) and requantized.
template <int Pairs>
KILN_AVX2_INLINE void small_row(const FullyConnectedInt8View& v, const int8_t* input,
                                int8_t* output) {
  // The row's bytes in both 128-bit halves; pair p is then one byte shuffle (bytes 2p and
  // 2p + 1 into the high byte of each int16 lane, zero below) and an arithmetic shift by 8 that
  // sign-extends them: a shorter dependency chain than widening and permuting across halves.
  const __m256i bytes = _mm256_broadcastsi128_si256(load_bytes_partial(input, v.input_depth));
  __m256i pair[Pairs];
#pragma GCC unroll 8
  for (int p = 0; p < Pairs; ++p) {
    const char low = static_cast<char>(2 * p), high = static_cast<char>(2 * p + 1), none = -128;
    const __m256i select = _mm256_setr_epi8(
        none, low, none, high, none, low, none, high, none, low, none, high, none, low, none, high,
        none, low, none, high, none, low, none, high, none, low, none, high, none, low, none, high);
    pair[p] = _mm256_srai_epi16(_mm256_shuffle_epi8(bytes, select), 8);
  }
  const Int8OutputStage& out = v.gemm.output;
  const __m256i offset = _mm256_set1_epi32(out.output_offset);
  const __m256i act_min = _mm256_set1_epi32(out.act_min);
  const __m256i act_max = _mm256_set1_epi32(out.act_max);
  const int32_t* filter = v.gemm.packed_filter;
  // Two blocks per round, stored with one 16-byte store when both are whole, so that a next
  // layer's 16-byte load of them is forwarded from a single store.
  for (int32_t block = 0; block < v.gemm.channel_blocks; block += 2) {
    const int32_t first = block * 8;
    const __m256i low = requantize8(block_sum<Pairs>(pair, filter + block * Pairs * 8),
                                    out.blocks[block], offset, act_min, act_max);
    if (v.gemm.channels - first >= 16) {
      const __m256i high = requantize8(block_sum<Pairs>(pair, filter + (block + 1) * Pairs * 8),
                                       out.blocks[block + 1], offset, act_min, act_max);
      store_int8x16(output + first, low, high);
      continue;
    }
    store_bytes_partial(output + first, int8_bytes(low), v.gemm.channels - first);
    if (block + 1 < v.gemm.channel_blocks) {
      const __m256i high = requantize8(block_sum<Pairs>(pair, filter + (block + 1) * Pairs * 8),
                                       out.blocks[block + 1], offset, act_min, act_max);
      store_bytes_partial(output + first + 8, int8_bytes(high), v.gemm.channels - first - 8);
    }
  }
}

template <int Pairs>
KILN_AVX2_INLINE void small_rows(const FullyConnectedInt8View& v, const int8_t* input,
                                 int8_t* output) {
  for (int32_t row = 0; row < v.batches; ++row)
    small_row<Pairs>(v, input + static_cast<ptrdiff_t>(row) * v.input_depth,
                     output + static_cast<ptrdiff_t>(row) * v.gemm.channels);
}

KILN_AVX2_INLINE void small_layer(const FullyConnectedInt8View& v, const int8_t* input,
                                  int8_t* output) {
  static_assert(kSmallFullyConnectedDepth == 16, "one case per pair count");
  switch (v.gemm.k_pairs) {
    case 1:
      return small_rows<1>(v, input, output);
    case 2:
      return small_rows<2>(v, input, output);
    case 3:
      return small_rows<3>(v, input, output);
    case 4:
      return small_rows<4>(v, input, output);
    case 5:
      return small_rows<5>(v, input, output);
    case 6:
      return small_rows<6>(v, input, output);
    case 7:
      return small_rows<7>(v, input, output);
    default:
      return small_rows<8>(v, input, output);
  }
}

}  // namespace

void fully_connected_int8_avx2(const FullyConnectedInt8View& v, const int8_t* input,
                               int8_t* output) {
  if (v.small) {
    small_layer(v, input, output);
    return;
  }
  const ptrdiff_t row_values = 2 * static_cast<ptrdiff_t>(v.gemm.k_pairs);
  for (int32_t first = 0; first < v.batches; first += v.tile_rows) {
    const int32_t count = v.batches - first < v.tile_rows ? v.batches - first : v.tile_rows;
    for (int32_t i = 0; i < count; ++i) {
      int16_t* row = v.rows_buffer + i * row_values;
      // The pad value of an odd depth is rewritten as 0; any further ones stay 0 from planning.
      widen_row_with_offset(input + static_cast<ptrdiff_t>(first + i) * v.input_depth, row,
                            v.input_depth, v.input_offset);
      v.rows[i] = row;
    }
    int8_gemm_avx2(v.gemm, v.rows, count, output + static_cast<ptrdiff_t>(first) * v.gemm.channels,
                   v.gemm.channels);
  }
}

}  // namespace kiln::exec::host_simd
