// DEPTHWISE_CONV_2D with AVX2: the input, widened to int16 with its offset and each channel
// repeated depth_multiplier times, sits in a zero-bordered image whose lanes line up with the
// output channels. Each output position then sums, per 16 (or 8) channels, pairs of filter taps
// with one vpmaddwd: the two taps' values are interleaved so each 32-bit lane holds one channel.
#include "exec/host_simd/avx2_util.h"

namespace kiln::exec::host_simd {

namespace {

// Writes the expanded input into the interior of the padded image; the border and the lanes
// past the output channels stay zero.
void fill_padded(const DepthwiseConv2DInt8View& v, const int8_t* input) {
  const int32_t rows = v.input_h < v.padded_h - v.pad_h ? v.input_h : v.padded_h - v.pad_h;
  const int32_t cols = v.input_w < v.padded_w - v.pad_w ? v.input_w : v.padded_w - v.pad_w;
  const ptrdiff_t input_row = static_cast<ptrdiff_t>(v.input_w) * v.input_c;
  for (int32_t y = 0; y < rows; ++y) {
    const int8_t* src = input + y * input_row;
    int16_t* dst =
        v.padded + ((static_cast<ptrdiff_t>(y) + v.pad_h) * v.padded_w + v.pad_w) * v.padded_c;
    if (v.depth_multiplier == 1 && v.padded_c == v.input_c) {
      widen_with_offset(src, dst, static_cast<ptrdiff_t>(cols) * v.input_c, v.input_offset);
      continue;
    }
    for (int32_t x = 0; x < cols; ++x, src += v.input_c, dst += v.padded_c) {
      if (v.depth_multiplier == 1) {
        widen_with_offset(src, dst, v.input_c, v.input_offset);
        continue;
      }
      int16_t* lane = dst;
      for (int32_t c = 0; c < v.input_c; ++c) {
        const int16_t value = static_cast<int16_t>(src[c] + v.input_offset);
        for (int32_t m = 0; m < v.depth_multiplier; ++m) *lane++ = value;
      }
    }
  }
}

KILN_AVX2_INLINE __m256i load16(const int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
KILN_AVX2_INLINE __m128i load8x16(const int16_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// One output position: every channel chunk over every tap pair, requantized and stored.
void depthwise_position(const DepthwiseConv2DInt8View& v, const int16_t* origin, int8_t* out,
                        const __m256i offset, const __m256i act_min, const __m256i act_max) {
  const int32_t* weights = v.packed_filter;
  int32_t channel = 0;
  for (; channel + 16 <= v.padded_c; channel += 16) {
    const int16_t* base = origin + channel;
    __m256i acc_low = _mm256_setzero_si256();   // channels 0-3 and 8-11 of the chunk
    __m256i acc_high = _mm256_setzero_si256();  // channels 4-7 and 12-15
    for (int32_t q = 0; q < v.tap_pairs; ++q, weights += 16) {
      const __m256i a = load16(base + v.tap_offsets[2 * q]);
      const __m256i b = load16(base + v.tap_offsets[2 * q + 1]);
      acc_low =
          _mm256_add_epi32(acc_low, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), load8(weights)));
      acc_high = _mm256_add_epi32(
          acc_high, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), load8(weights + 8)));
    }
    const __m256i first = _mm256_permute2x128_si256(acc_low, acc_high, 0x20);   // channels 0-7
    const __m256i second = _mm256_permute2x128_si256(acc_low, acc_high, 0x31);  // channels 8-15
    // The first 8 channels of a 16-channel chunk are always real (padded_c - output_c < 8).
    const int32_t block = channel / 8;
    const __m256i low = requantize8(first, v.output.blocks[block], offset, act_min, act_max);
    const __m256i high = requantize8(second, v.output.blocks[block + 1], offset, act_min, act_max);
    if (v.output_c - channel >= 16) {
      store_int8x16(out + channel, low, high);
    } else {
      store_int8x8(out + channel, low, 8);
      store_int8x8(out + channel + 8, high, v.output_c - channel - 8);
    }
  }
  if (channel < v.padded_c) {  // a last chunk of 8 channels
    const int16_t* base = origin + channel;
    __m256i acc = _mm256_setzero_si256();
    for (int32_t q = 0; q < v.tap_pairs; ++q, weights += 8) {
      const __m128i a = load8x16(base + v.tap_offsets[2 * q]);
      const __m128i b = load8x16(base + v.tap_offsets[2 * q + 1]);
      const __m256i pairs = _mm256_set_m128i(_mm_unpackhi_epi16(a, b), _mm_unpacklo_epi16(a, b));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, load8(weights)));
    }
    store_int8x8(out + channel,
                 requantize8(acc, v.output.blocks[channel / 8], offset, act_min, act_max),
                 v.output_c - channel);
  }
}

}  // namespace

void depthwise_conv2d_int8_avx2(const DepthwiseConv2DInt8View& v, const int8_t* input,
                                int8_t* output) {
  const __m256i offset = _mm256_set1_epi32(v.output.output_offset);
  const __m256i act_min = _mm256_set1_epi32(v.output.act_min);
  const __m256i act_max = _mm256_set1_epi32(v.output.act_max);
  const ptrdiff_t input_image = static_cast<ptrdiff_t>(v.input_h) * v.input_w * v.input_c;
  const ptrdiff_t padded_row = static_cast<ptrdiff_t>(v.padded_w) * v.padded_c;
  int8_t* out = output;
  for (int32_t batch = 0; batch < v.batches; ++batch) {
    fill_padded(v, input + batch * input_image);
    for (int32_t y = 0; y < v.output_h; ++y) {
      const int16_t* row_origin = v.padded + static_cast<ptrdiff_t>(y) * v.stride_h * padded_row;
      for (int32_t x = 0; x < v.output_w; ++x, out += v.output_c)
        depthwise_position(v, row_origin + static_cast<ptrdiff_t>(x) * v.stride_w * v.padded_c, out,
                           offset, act_min, act_max);
    }
  }
}

}  // namespace kiln::exec::host_simd
