// The product behind CONV_2D and FULLY_CONNECTED: a few rows at a time against two blocks of 8
// output channels, so each filter vector loaded serves several rows and each broadcast input
// pair serves 16 channels. vpmaddwd multiplies int16 pairs and adds them into 32-bit lanes;
// the int32 sums wrap exactly like the portable kernels' accumulation, in any order.
#include "exec/host_simd/avx2_util.h"

namespace kiln::exec::host_simd {

namespace {

constexpr int kRowsPerStep = 4;

// Rows rows[0 .. Rows) times channel blocks [block, block + Blocks), requantized and stored.
template <int Rows, int Blocks>
KILN_AVX2_INLINE void multiply_tile(const Int8GemmView& g, const int16_t* const* rows,
                                    int32_t block, int8_t* output, ptrdiff_t output_stride) {
  const ptrdiff_t block_words = static_cast<ptrdiff_t>(g.k_pairs) * 8;
  const int32_t* filter = g.packed_filter + block * block_words;
  __m256i acc[Rows][Blocks];
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 2
    for (int b = 0; b < Blocks; ++b) acc[r][b] = _mm256_setzero_si256();

  const int32_t* weights_at = filter;
  ptrdiff_t segment_start = 0;
  for (int32_t s = 0; s < g.segments; ++s, segment_start += g.segment_stride) {
    for (int32_t j = 0; j < g.segment_pairs; ++j, weights_at += 8) {
      __m256i weights[Blocks];
#pragma GCC unroll 2
      for (int b = 0; b < Blocks; ++b) weights[b] = load8(weights_at + b * block_words);
#pragma GCC unroll 8
      for (int r = 0; r < Rows; ++r) {
        const __m256i pair = broadcast_pair(rows[r] + segment_start + 2 * j);
#pragma GCC unroll 2
        for (int b = 0; b < Blocks; ++b)
          acc[r][b] = _mm256_add_epi32(acc[r][b], _mm256_madd_epi16(pair, weights[b]));
      }
    }
  }

  const __m256i offset = _mm256_set1_epi32(g.output.output_offset);
  const __m256i act_min = _mm256_set1_epi32(g.output.act_min);
  const __m256i act_max = _mm256_set1_epi32(g.output.act_max);
  const int32_t first_channel = block * 8;
  if (Blocks == 2 && g.channels - first_channel >= 16) {  // both blocks whole: one store
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r)
      store_int8x16(
          output + r * output_stride + first_channel,
          requantize8(acc[r][0], g.output.blocks[block], offset, act_min, act_max),
          requantize8(acc[r][Blocks - 1], g.output.blocks[block + 1], offset, act_min, act_max));
    return;
  }
#pragma GCC unroll 2
  for (int b = 0; b < Blocks; ++b) {
    const int32_t channel = first_channel + b * 8;
    const Int8RequantBlock& q = g.output.blocks[block + b];
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r)
      store_int8x8(output + r * output_stride + channel,
                   requantize8(acc[r][b], q, offset, act_min, act_max), g.channels - channel);
  }
}

template <int Rows>
void multiply_rows(const Int8GemmView& g, const int16_t* const* rows, int8_t* output,
                   ptrdiff_t output_stride) {
  int32_t block = 0;
  for (; block + 2 <= g.channel_blocks; block += 2)
    multiply_tile<Rows, 2>(g, rows, block, output, output_stride);
  if (block < g.channel_blocks) multiply_tile<Rows, 1>(g, rows, block, output, output_stride);
}

}  // namespace

void int8_gemm_avx2(const Int8GemmView& gemm, const int16_t* const* rows, int32_t row_count,
                    int8_t* output, ptrdiff_t output_stride) {
  int32_t r = 0;
  for (; r + kRowsPerStep <= row_count; r += kRowsPerStep)
    multiply_rows<kRowsPerStep>(gemm, rows + r, output + r * output_stride, output_stride);
  switch (row_count - r) {
    case 3:
      multiply_rows<3>(gemm, rows + r, output + r * output_stride, output_stride);
      break;
    case 2:
      multiply_rows<2>(gemm, rows + r, output + r * output_stride, output_stride);
      break;
    case 1:
      multiply_rows<1>(gemm, rows + r, output + r * output_stride, output_stride);
      break;
    default:
      break;
  }
}

}  // namespace kiln::exec::host_simd
