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

// The sum of the N vectors, added as a tree (a short dependency chain; the adds wrap, so any
// order is exact). Overwrites v.
template <int N>
KILN_AVX2_INLINE __m256i tree_sum(__m256i* v) {
#pragma GCC unroll 8
  for (int width = 1; width < N; width *= 2)
#pragma GCC unroll 8
    for (int p = 0; p + width < N; p += 2 * width) v[p] = _mm256_add_epi32(v[p], v[p + width]);
  return v[0];
}

// The sums of products of one block of 8 channels with the broadcast pairs.
template <int Pairs>
KILN_AVX2_INLINE __m256i block_sum(const __m256i* pair, const int32_t* filter) {
  __m256i products[Pairs];
#pragma GCC unroll 8
  for (int p = 0; p < Pairs; ++p) products[p] = _mm256_madd_epi16(pair[p], load8(filter + p * 8));
  return tree_sum<Pairs>(products);
}

// The Pairs int16 pairs of a row of raw int8 values, each broadcast to all eight 32-bit lanes.
// The row's bytes sit in both 128-bit halves; pair p is then one byte shuffle (bytes 2p and
// 2p + 1 into the high byte of each int16 lane, zero below) and an arithmetic shift by 8 that
// sign-extends them: a shorter dependency chain than widening and permuting across halves.
template <int Pairs>
KILN_AVX2_INLINE void pairs_from_bytes(const int8_t* input, int32_t depth, __m256i* pair) {
  const __m256i bytes = _mm256_broadcastsi128_si256(load_bytes_partial(input, depth));
#pragma GCC unroll 8
  for (int p = 0; p < Pairs; ++p) {
    const char low = static_cast<char>(2 * p), high = static_cast<char>(2 * p + 1), none = -128;
    const __m256i select = _mm256_setr_epi8(
        none, low, none, high, none, low, none, high, none, low, none, high, none, low, none, high,
        none, low, none, high, none, low, none, high, none, low, none, high, none, low, none, high);
    pair[p] = _mm256_srai_epi16(_mm256_shuffle_epi8(bytes, select), 8);
  }
}

// Block `block` of 8 output channels of a small layer, requantized (int32 lanes in int8 range).
template <int Pairs>
KILN_AVX2_INLINE __m256i small_block(const FullyConnectedInt8View& v, const __m256i* pair,
                                     int32_t block) {
  const Int8OutputStage& out = v.gemm.output;
  return requantize8(block_sum<Pairs>(pair, v.gemm.packed_filter + block * Pairs * 8),
                     out.blocks[block], _mm256_set1_epi32(out.output_offset),
                     _mm256_set1_epi32(out.act_min), _mm256_set1_epi32(out.act_max));
}

// One row of a small layer with Pairs pairs of input values (the direct path, avx2_kernels.h):
// each block of 8 channels summed as a tree (block_sum) and requantized.
template <int Pairs>
KILN_AVX2_INLINE void small_row(const FullyConnectedInt8View& v, const int8_t* input,
                                int8_t* output) {
  __m256i pair[Pairs];
  pairs_from_bytes<Pairs>(input, v.input_depth, pair);
  // Two blocks per round, stored with one 16-byte store when both are whole, so that a next
  // layer's 16-byte load of them is forwarded from a single store.
  for (int32_t block = 0; block < v.gemm.channel_blocks; block += 2) {
    const int32_t first = block * 8;
    const __m256i low = small_block<Pairs>(v, pair, block);
    if (v.gemm.channels - first >= 16) {
      store_int8x16(output + first, low, small_block<Pairs>(v, pair, block + 1));
      continue;
    }
    store_bytes_partial(output + first, int8_bytes(low), v.gemm.channels - first);
    if (block + 1 < v.gemm.channel_blocks)
      store_bytes_partial(output + first + 8, int8_bytes(small_block<Pairs>(v, pair, block + 1)),
                          v.gemm.channels - first - 8);
  }
}

template <int Pairs>
KILN_AVX2_INLINE void small_rows(const FullyConnectedInt8View& v, const int8_t* input,
                                 int8_t* output) {
  for (int32_t row = 0; row < v.batches; ++row)
    small_row<Pairs>(v, input + static_cast<ptrdiff_t>(row) * v.input_depth,
                     output + static_cast<ptrdiff_t>(row) * v.gemm.channels);
}

// Calls f.template operator()<Pairs>() with Pairs = k_pairs (1 to 8).
template <typename F>
KILN_AVX2_INLINE void with_pairs(int32_t k_pairs, F&& f) {
  static_assert(kSmallFullyConnectedDepth == 16, "one case per pair count");
  switch (k_pairs) {
    case 1:
      return f.template operator()<1>();
    case 2:
      return f.template operator()<2>();
    case 3:
      return f.template operator()<3>();
    case 4:
      return f.template operator()<4>();
    case 5:
      return f.template operator()<5>();
    case 6:
      return f.template operator()<6>();
    case 7:
      return f.template operator()<7>();
    default:
      return f.template operator()<8>();
  }
}

KILN_AVX2_INLINE void small_layer(const FullyConnectedInt8View& v, const int8_t* input,
                                  int8_t* output) {
  with_pairs(v.gemm.k_pairs, [&]<int Pairs>() { small_rows<Pairs>(v, input, output); });
}

// The rows between the layers of a chain (fully_connected_chain_avx2) stay in registers as
// int32 lanes: values 0-7 in `low`, 8-15 in `high`. For a layer's products they are packed to
// 16 bits (exact: they lie in int8), which puts the pairs (0,1) (2,3) (8,9) (10,11) in the
// lower 128-bit half and (4,5) (6,7) (12,13) (14,15) in the upper one; each half is then
// repeated in both halves, so broadcasting a pair is one in-half shuffle.
struct ChainRow {
  __m256i lower_half_pairs;  // pairs 0, 1, 4, 5 in both halves
  __m256i upper_half_pairs;  // pairs 2, 3, 6, 7 in both halves
};

KILN_AVX2_INLINE ChainRow chain_row(__m256i low, __m256i high) {
  const __m256i words = _mm256_packs_epi32(low, high);
  return {_mm256_permute4x64_epi64(words, 0x44), _mm256_permute4x64_epi64(words, 0xEE)};
}

// Pair p of the row broadcast to all eight 32-bit lanes.
template <int P>
KILN_AVX2_INLINE __m256i chain_pair(const ChainRow& row) {
  constexpr int kHalf = (P / 2) % 2, kWord = 2 * (P / 4) + P % 2;
  return _mm256_shuffle_epi32(kHalf == 0 ? row.lower_half_pairs : row.upper_half_pairs,
                              kWord * 0x55);
}

// Adds the products of pairs P .. Pairs - 1 with the packed filter to the sums of the first
// block (and, when Two, the second).
template <int P, int Pairs, bool Two>
KILN_AVX2_INLINE void chain_products(const ChainRow& row, const int32_t* filter, __m256i* sum0,
                                     __m256i* sum1) {
  if constexpr (P < Pairs) {
    const __m256i pair = chain_pair<P>(row);
    *sum0 = _mm256_add_epi32(*sum0, _mm256_madd_epi16(pair, load8(filter + P * 8)));
    if constexpr (Two)
      *sum1 = _mm256_add_epi32(*sum1, _mm256_madd_epi16(pair, load8(filter + (Pairs + P) * 8)));
    chain_products<P + 1, Pairs, Two>(row, filter, sum0, sum1);
  }
}

// One layer with Pairs pairs of input values and one or (Two) two blocks of output channels:
// the row in `low`/`high` is replaced by the layer's output, `high` zero for one block. Lanes
// past the real values hold padding that meets zero filter weights in the next layer.
template <int Pairs, bool Two, bool Plain>
KILN_AVX2_INLINE void chain_layer(const FullyConnectedInt8View& v, __m256i* low, __m256i* high) {
  const ChainRow row = chain_row(*low, *high);
  __m256i sum0 = _mm256_setzero_si256(), sum1 = _mm256_setzero_si256();
  chain_products<0, Pairs, Two>(row, v.gemm.packed_filter, &sum0, &sum1);
  const Int8OutputStage& out = v.gemm.output;
  const __m256i offset = _mm256_set1_epi32(out.output_offset);
  const __m256i act_min = _mm256_set1_epi32(out.act_min);
  const __m256i act_max = _mm256_set1_epi32(out.act_max);
  // Plain: one multiplier and no left shift, so requantize8 can drop those steps.
  *low = requantize8<!Plain, Plain>(sum0, out.blocks[0], offset, act_min, act_max);
  *high = Two ? requantize8<!Plain, Plain>(sum1, out.blocks[1], offset, act_min, act_max)
              : _mm256_setzero_si256();
}

}  // namespace

void fully_connected_chain_avx2(const FullyConnectedInt8View* const* layers, int32_t count,
                                const int8_t* first_table, const int8_t* input, int8_t* output) {
  // The row entering layer `start`: the first layer's output from the table, or the raw input.
  __m128i bytes;
  int32_t start = 0;
  if (first_table) {
    bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(
        first_table + (static_cast<int32_t>(input[0]) + 128) * 16));
    start = 1;
  } else {
    bytes = load_bytes_partial(input, layers[0]->input_depth);
  }
  __m256i low = _mm256_cvtepi8_epi32(bytes);
  __m256i high = _mm256_cvtepi8_epi32(_mm_srli_si128(bytes, 8));
  for (int32_t i = start; i < count; ++i) {
    const FullyConnectedInt8View& v = *layers[i];
    const bool two = v.gemm.channel_blocks > 1;
    with_pairs(v.gemm.k_pairs, [&]<int Pairs>() {
      if (two)
        v.plain_requant ? chain_layer<Pairs, true, true>(v, &low, &high)
                        : chain_layer<Pairs, true, false>(v, &low, &high);
      else
        v.plain_requant ? chain_layer<Pairs, false, true>(v, &low, &high)
                        : chain_layer<Pairs, false, false>(v, &low, &high);
    });
  }
  const int32_t channels = layers[count - 1]->gemm.channels;
  if (channels == 16) {
    store_int8x16(output, low, high);
    return;
  }
  store_bytes_partial(output, int8_bytes(low), channels < 8 ? channels : 8);
  if (channels > 8) store_bytes_partial(output + 8, int8_bytes(high), channels - 8);
}

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
