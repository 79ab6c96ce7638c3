// CONV_2D (one group) with AVX2: widen the input once into a zero-bordered int16 image, then
// multiply each output position's window by the packed filter, reading the window in place or
// from an im2col row it was gathered into. Padding needs no bounds checks: the border holds
// input + input_offset = 0, as the portable kernel's skipped taps contribute 0.
#include "exec/host_simd/avx2_util.h"

namespace kiln::exec::host_simd {

namespace {

// Writes input + input_offset into the interior of the padded image; the border stays zero.
void fill_padded(const Conv2DInt8View& v, const int8_t* input) {
  const ptrdiff_t input_row = static_cast<ptrdiff_t>(v.input_w) * v.input_c;
  const ptrdiff_t padded_row = static_cast<ptrdiff_t>(v.padded_w) * v.input_c;
  // Input rows and columns past the last window are never read.
  const int32_t rows = v.input_h < v.padded_h - v.pad_h ? v.input_h : v.padded_h - v.pad_h;
  const int32_t cols = v.input_w < v.padded_w - v.pad_w ? v.input_w : v.padded_w - v.pad_w;
  const ptrdiff_t row_values = static_cast<ptrdiff_t>(cols) * v.input_c;
  for (int32_t y = 0; y < rows; ++y)
    widen_with_offset(
        input + y * input_row,
        v.padded + (y + v.pad_h) * padded_row + static_cast<ptrdiff_t>(v.pad_w) * v.input_c,
        row_values, v.input_offset);
}

// The first value of the window of output position (y, x) in the padded image.
KILN_AVX2_INLINE const int16_t* window_origin(const Conv2DInt8View& v, int32_t y, int32_t x) {
  return v.padded + (static_cast<ptrdiff_t>(y) * v.stride_h * v.padded_w +
                     static_cast<ptrdiff_t>(x) * v.stride_w) *
                        v.input_c;
}

// Gathers the windows of output positions [first, first + count) into consecutive im2col rows
// (in the filter's row, column, channel order) and points v.rows at them.
void gather_windows(const Conv2DInt8View& v, ptrdiff_t first, ptrdiff_t count) {
  const ptrdiff_t channels = v.input_c;
  const ptrdiff_t row_step = static_cast<ptrdiff_t>(v.dilation_h) * v.padded_w * channels;
  const ptrdiff_t column_step = static_cast<ptrdiff_t>(v.dilation_w) * channels;
  const ptrdiff_t window_row = static_cast<ptrdiff_t>(v.filter_w) * channels;
  const ptrdiff_t row_values = 2 * static_cast<ptrdiff_t>(v.gemm.k_pairs);
  const int32_t filter_h = v.filter_h, filter_w = v.filter_w;
  const bool dense_columns = v.dilation_w == 1;  // each window row is contiguous
  int32_t y = static_cast<int32_t>(first / v.output_w);
  int32_t x = static_cast<int32_t>(first % v.output_w);
  int16_t* row = v.im2col;
  for (ptrdiff_t i = 0; i < count; ++i, row += row_values) {
    v.rows[i] = row;
    const int16_t* src = window_origin(v, y, x);
    int16_t* dst = row;
    for (int32_t ky = 0; ky < filter_h; ++ky, src += row_step) {
      if (dense_columns) {
        copy_int16(dst, src, window_row);
        dst += window_row;
        continue;
      }
      for (int32_t kx = 0; kx < filter_w; ++kx, dst += channels)
        copy_int16(dst, src + kx * column_step, channels);
    }
    if (++x == v.output_w) {
      x = 0;
      ++y;
    }
  }
}

}  // namespace

void conv2d_int8_avx2(const Conv2DInt8View& v, const int8_t* input, int8_t* output) {
  const ptrdiff_t positions = static_cast<ptrdiff_t>(v.output_h) * v.output_w;
  const ptrdiff_t channels = v.gemm.channels;
  const ptrdiff_t input_image = static_cast<ptrdiff_t>(v.input_h) * v.input_w * v.input_c;
  for (int32_t batch = 0; batch < v.batches; ++batch) {
    fill_padded(v, input + batch * input_image);
    int8_t* out = output + batch * positions * channels;
    if (v.rows_in_place) {  // v.rows already point at the window origins
      int8_gemm_avx2(v.gemm, v.rows, static_cast<int32_t>(positions), out, channels);
      continue;
    }
    for (ptrdiff_t first = 0; first < positions; first += v.tile_rows) {
      const ptrdiff_t count = positions - first < v.tile_rows ? positions - first : v.tile_rows;
      gather_windows(v, first, count);
      int8_gemm_avx2(v.gemm, v.rows, static_cast<int32_t>(count), out + first * channels, channels);
    }
  }
}

}  // namespace kiln::exec::host_simd
