#include "runtime/conv2d_fast.h"

#include <string.h>

#include "runtime/conv_common.h"
#include "runtime/int8_columns.h"
#include "runtime/requant_fast.h"

namespace kiln {
namespace rt {

namespace {

int32_t round_up4(int32_t n) {
  return (n + 3) & ~3;
}

// Output pixel coordinates, advanced in memory order.
struct PixelCursor {
  int32_t n, y, x;
  void next(const Shape4& out) {
    if (++x < out.w) return;
    x = 0;
    if (++y < out.h) return;
    y = 0;
    ++n;
  }
};

// Copies `count` bytes; the window rows of the first layers are only a few bytes long, where
// word moves (unaligned LDR/STR are allowed on the M4) beat a library call.
inline void copy_bytes(int8_t* dst, const int8_t* src, int32_t count) {
  if (count >= 16) {
    memcpy(dst, src, static_cast<size_t>(count));
    return;
  }
  int32_t i = 0;
  for (; i + 4 <= count; i += 4) simd32::store4(dst + i, simd32::load4(src + i));
  for (; i < count; ++i) dst[i] = src[i];
}

inline void fill_bytes(int8_t* dst, int8_t value, int32_t count) {
  for (int32_t i = 0; i < count; ++i) dst[i] = value;
}

struct ConvGeometry {
  Shape4 in, filter, out;
  Window2D win;
  int32_t depth;  // K = filter h * w * input channels
  bool direct;    // 1x1 window without padding: the column is the input pixel itself
};

// The K input values output pixel `at` sees, in filter order; padding reads `pad_value`, which
// is minus the input offset, so that it widens to 0.
const int8_t* window_of(const ConvGeometry& g, const PixelCursor& at, const int8_t* input,
                        int8_t pad_value, int8_t* window) {
  const int32_t channels = g.in.c;
  const int32_t origin_y = at.y * g.win.stride_h - g.win.pad_h;
  const int32_t origin_x = at.x * g.win.stride_w - g.win.pad_w;
  const int8_t* batch = input + at.n * g.in.h * g.in.w * channels;
  if (g.direct) return batch + (origin_y * g.in.w + origin_x) * channels;
  const int32_t row_bytes = g.filter.w * channels;
  const bool row_contiguous =
      g.win.dilation_w == 1 && origin_x >= 0 && origin_x + g.filter.w <= g.in.w;
  int8_t* dst = window;
  for (int32_t ky = 0; ky < g.filter.h; ++ky, dst += row_bytes) {
    const int32_t in_y = origin_y + ky * g.win.dilation_h;
    if (in_y < 0 || in_y >= g.in.h) {
      fill_bytes(dst, pad_value, row_bytes);
      continue;
    }
    const int8_t* row = batch + in_y * g.in.w * channels;
    if (row_contiguous) {
      copy_bytes(dst, row + origin_x * channels, row_bytes);
      continue;
    }
    for (int32_t kx = 0; kx < g.filter.w; ++kx) {
      const int32_t in_x = origin_x + kx * g.win.dilation_w;
      if (in_x < 0 || in_x >= g.in.w)
        fill_bytes(dst + kx * channels, pad_value, channels);
      else
        copy_bytes(dst + kx * channels, row + in_x * channels, channels);
    }
  }
  return window;
}

// The column of output pixel `at`: its window widened into `words` (every `stride` words a
// pair) and `tails`. When a window row is a whole number of groups, a row inside the input is
// widened straight from it and a padding row is zero words; other windows are gathered into
// `window` first.
void column_of(const ConvGeometry& g, const PixelCursor& at, const int8_t* input,
               int32_t input_offset, int8_t* window, int32_t* words, int32_t stride,
               int32_t* tails) {
  const int32_t groups = g.depth >> 2;
  const int32_t tail = g.depth & 3;
  const int8_t pad_value = static_cast<int8_t>(-input_offset);
  const int32_t row_bytes = g.filter.w * g.in.c;
  const int32_t origin_x = at.x * g.win.stride_w - g.win.pad_w;
  const bool rows_direct = !g.direct && (row_bytes & 3) == 0 && g.win.dilation_w == 1 &&
                           origin_x >= 0 && origin_x + g.filter.w <= g.in.w;
  if (!rows_direct) {
    const int8_t* src = window_of(g, at, input, pad_value, window);
    widen_column(src, groups, tail, input_offset, stride, words, tails);
    return;
  }
  const int32_t row_groups = row_bytes >> 2;
  const int32_t origin_y = at.y * g.win.stride_h - g.win.pad_h;
  const int8_t* batch = input + at.n * g.in.h * g.in.w * g.in.c;
  for (int32_t ky = 0; ky < g.filter.h; ++ky, words += row_groups * stride) {
    const int32_t in_y = origin_y + ky * g.win.dilation_h;
    if (in_y < 0 || in_y >= g.in.h) {
      // Padding reads minus the input offset, which widens to zero.
      for (int32_t i = 0; i < row_groups; ++i) words[i * stride] = words[i * stride + 1] = 0;
      continue;
    }
    widen_column(batch + (in_y * g.in.w + origin_x) * g.in.c, row_groups, 0, input_offset, stride,
                 words, tails);
  }
}

// The output step from the per-channel table (requant_fast.h); kFullRange when the activation
// range is all of int8, so that one SSAT clamps.
template <bool kFullRange, bool kPreShift>
struct TableRequant {
  const RequantChannel* table;
  int32_t lo, hi;
  int32_t bias(int32_t c) const { return table[c].bias; }
  int8_t operator()(int32_t acc, int32_t c) const {
    return requant_clamp<kFullRange, kPreShift>(acc, table[c], lo, hi);
  }
};

// The reference output step, for parameters outside the table's exact range; the bias is added
// there.
struct ReferenceRequant {
  Int8OutputStep step;
  int32_t bias(int32_t) const { return 0; }
  int8_t operator()(int32_t acc, int32_t c) const { return step(acc, c); }
};

// Both columns times every filter row, two rows at a time: four accumulators, each filter word
// widened once and each column word loaded once per row pair. `out1` is null when the second
// column only repeats the first (odd pixel count).
template <typename Requant>
void multiply_int8_rows(const int8_t* filter, int32_t depth, int32_t rows, const Requant& requant,
                        const int32_t* words, const int32_t tails[2][3], int8_t* out0,
                        int8_t* out1) {
  const int32_t groups = depth >> 2;
  const int32_t tail = depth & 3;
  for (int32_t r = 0; r < rows; r += 2) {
    const bool pair = r + 1 < rows;
    const int32_t r1 = pair ? r + 1 : r;
    const int8_t* w0 = filter + r * depth;
    const int8_t* w1 = filter + r1 * depth;
    int32_t acc00 = requant.bias(r), acc01 = acc00;
    int32_t acc10 = requant.bias(r1), acc11 = acc10;
    const int32_t* col = words;
    for (int32_t g = 0; g < groups; ++g) {
      const int32_t a = simd32::load4(w0);
      w0 += 4;
      const int32_t a_even = simd32::sxtb16(a);
      const int32_t a_odd = simd32::sxtb16_odd(a);
      const int32_t x0_even = col[0], x0_odd = col[1], x1_even = col[2], x1_odd = col[3];
      col += 4;
      acc00 = simd32::smlad(a_even, x0_even, acc00);
      acc00 = simd32::smlad(a_odd, x0_odd, acc00);
      acc01 = simd32::smlad(a_even, x1_even, acc01);
      acc01 = simd32::smlad(a_odd, x1_odd, acc01);
      const int32_t b = simd32::load4(w1);
      w1 += 4;
      const int32_t b_even = simd32::sxtb16(b);
      const int32_t b_odd = simd32::sxtb16_odd(b);
      acc10 = simd32::smlad(b_even, x0_even, acc10);
      acc10 = simd32::smlad(b_odd, x0_odd, acc10);
      acc11 = simd32::smlad(b_even, x1_even, acc11);
      acc11 = simd32::smlad(b_odd, x1_odd, acc11);
    }
    for (int32_t t = 0; t < tail; ++t) {
      acc00 = simd32::add_wrap(acc00, w0[t] * tails[0][t]);
      acc01 = simd32::add_wrap(acc01, w0[t] * tails[1][t]);
      acc10 = simd32::add_wrap(acc10, w1[t] * tails[0][t]);
      acc11 = simd32::add_wrap(acc11, w1[t] * tails[1][t]);
    }
    out0[r] = requant(acc00, r);
    if (out1) out1[r] = requant(acc01, r);
    if (pair) {
      out0[r1] = requant(acc10, r1);
      if (out1) out1[r1] = requant(acc11, r1);
    }
  }
}

// One group of four values of both columns times both packed rows: 16 multiply-accumulates.
inline void packed_group(const int32_t* col, const int32_t* f, int32_t& acc00, int32_t& acc01,
                         int32_t& acc10, int32_t& acc11) {
  int32_t x0_even, x0_odd, x1_even, x1_odd, a_even, a_odd, b_even, b_odd;
  simd32::load_pair(col, x0_even, x0_odd);
  simd32::load_pair(col + 2, x1_even, x1_odd);
  simd32::load_pair(f, a_even, a_odd);
  simd32::settle(x0_even, x0_odd);
  simd32::settle(x1_even, x1_odd);
  simd32::settle(a_even, a_odd);
  acc00 = simd32::smlad(a_even, x0_even, acc00);
  acc00 = simd32::smlad(a_odd, x0_odd, acc00);
  acc01 = simd32::smlad(a_even, x1_even, acc01);
  acc01 = simd32::smlad(a_odd, x1_odd, acc01);
  simd32::keep_loads_in_order();
  simd32::load_pair(f + 2, b_even, b_odd);
  simd32::settle(b_even, b_odd);
  acc10 = simd32::smlad(b_even, x0_even, acc10);
  acc10 = simd32::smlad(b_odd, x0_odd, acc10);
  acc11 = simd32::smlad(b_even, x1_even, acc11);
  acc11 = simd32::smlad(b_odd, x1_odd, acc11);
  simd32::keep_loads_in_order();
}

// One row pair (kPair) or the odd last row of the packed product: both columns, stored to
// out0 and out1. Returns the next row pair's words.
template <bool kPair, typename Requant>
inline const int32_t* packed_row_pair(const int32_t* f, int32_t groups, int32_t tail,
                                      const Requant& requant, const int32_t* words,
                                      const int32_t tails[2][3], int32_t r, int8_t* out0,
                                      int8_t* out1) {
  int32_t acc00 = requant.bias(r), acc01 = acc00;
  int32_t acc10 = kPair ? requant.bias(r + 1) : 0, acc11 = acc10;
  const int32_t* col = words;
  // Two groups per pass (32 multiply-accumulates), then the odd one.
  const int32_t* const col_pairs_end = words + 8 * (groups >> 1);
  while (col != col_pairs_end) {
    packed_group(col, f, acc00, acc01, acc10, acc11);
    packed_group(col + 4, f + 4, acc00, acc01, acc10, acc11);
    col += 8;
    f += 8;
  }
  if (groups & 1) {
    packed_group(col, f, acc00, acc01, acc10, acc11);
    f += 4;
  }
  for (int32_t t = 0; t < tail; ++t) {
    acc00 = simd32::add_wrap(acc00, f[t] * tails[0][t]);
    acc01 = simd32::add_wrap(acc01, f[t] * tails[1][t]);
    acc10 = simd32::add_wrap(acc10, f[tail + t] * tails[0][t]);
    acc11 = simd32::add_wrap(acc11, f[tail + t] * tails[1][t]);
  }
  out0[r] = requant(acc00, r);
  out1[r] = requant(acc01, r);
  if (kPair) {
    out0[r + 1] = requant(acc10, r + 1);
    out1[r + 1] = requant(acc11, r + 1);
  }
  return f + 2 * tail;
}

// The same product from the packed filter (conv2d_int8_fast_pack_filter): the words of a row
// pair come in the order they are used, already widened, so the inner loop is loads and SMLADs
// only. The pair of an odd last row is zero; its results are not stored. Without a second
// pixel (out1 null) the second column repeats the first, so its results, equal to the first's,
// are stored over them instead of being tested for at every row.
template <typename Requant>
void multiply_packed_rows(const int32_t* packed, int32_t depth, int32_t rows,
                          const Requant& requant, const int32_t* words, const int32_t tails[2][3],
                          int8_t* out0, int8_t* out1) {
  const int32_t groups = depth >> 2;
  const int32_t tail = depth & 3;
  if (!out1) out1 = out0;
  const int32_t* f = packed;
  const int32_t paired_rows = rows & ~1;
  for (int32_t r = 0; r < paired_rows; r += 2)
    f = packed_row_pair<true>(f, groups, tail, requant, words, tails, r, out0, out1);
  if (rows & 1)
    packed_row_pair<false>(f, groups, tail, requant, words, tails, paired_rows, out0, out1);
}

// The filter in TFLite's layout, widened in the inner loop.
struct Int8Filter {
  const int8_t* data;
  template <typename Requant>
  void multiply(int32_t depth, int32_t rows, const Requant& requant, const int32_t* words,
                const int32_t tails[2][3], int8_t* out0, int8_t* out1) const {
    multiply_int8_rows(data, depth, rows, requant, words, tails, out0, out1);
  }
};

// The filter packed ahead of time.
struct PackedFilter {
  const int32_t* data;
  template <typename Requant>
  void multiply(int32_t depth, int32_t rows, const Requant& requant, const int32_t* words,
                const int32_t tails[2][3], int8_t* out0, int8_t* out1) const {
    multiply_packed_rows(data, depth, rows, requant, words, tails, out0, out1);
  }
};

// Every output pixel, two at a time in memory order.
template <typename Filter, typename Requant>
void convolve(const ConvGeometry& g, const int8_t* input, int32_t input_offset,
              const Filter& filter, const Requant& requant, int32_t* words, int8_t* window,
              int8_t* output) {
  const int32_t groups = g.depth >> 2;
  const int32_t tail = g.depth & 3;
  const int32_t pixels = g.out.n * g.out.h * g.out.w;
  const int32_t out_c = g.out.c;
  PixelCursor at = {0, 0, 0};
  int32_t tails[2][3] = {{0, 0, 0}, {0, 0, 0}};
  for (int32_t p = 0; p < pixels; p += 2) {
    const bool two = p + 1 < pixels;
    // Both windows are read before anything of either pixel is written.
    column_of(g, at, input, input_offset, window, words, 4, tails[0]);
    at.next(g.out);
    if (two) {
      column_of(g, at, input, input_offset, window, words + 2, 4, tails[1]);
      at.next(g.out);
    } else {
      // Odd count: the second column repeats the first and its results are dropped.
      for (int32_t i = 0; i < groups; ++i) {
        words[4 * i + 2] = words[4 * i];
        words[4 * i + 3] = words[4 * i + 1];
      }
      for (int32_t t = 0; t < tail; ++t) tails[1][t] = tails[0][t];
    }
    int8_t* out0 = output + p * out_c;
    filter.multiply(g.depth, out_c, requant, words, tails, out0, two ? out0 + out_c : 0);
  }
}

// Runs convolve with the table's output step, specialized for the activation range and the
// pre-shift.
template <typename Filter>
void convolve_with_table(const ConvGeometry& g, const int8_t* input, int32_t input_offset,
                         const Filter& filter, const RequantChannel* table, int32_t lo, int32_t hi,
                         int32_t* words, int8_t* window, int8_t* output) {
  const bool full = lo == -128 && hi == 127;
  const bool pre = requant_table_pre_shifts(table, g.out.c);
  if (full && !pre) {
    const TableRequant<true, false> requant = {table, lo, hi};
    convolve(g, input, input_offset, filter, requant, words, window, output);
  } else if (full) {
    const TableRequant<true, true> requant = {table, lo, hi};
    convolve(g, input, input_offset, filter, requant, words, window, output);
  } else if (!pre) {
    const TableRequant<false, false> requant = {table, lo, hi};
    convolve(g, input, input_offset, filter, requant, words, window, output);
  } else {
    const TableRequant<false, true> requant = {table, lo, hi};
    convolve(g, input, input_offset, filter, requant, words, window, output);
  }
}

size_t table_offset_words(int32_t out_channels) {
  return requant_table_bytes(out_channels) / 4;
}

}  // namespace

size_t conv2d_int8_fast_scratch_bytes(const Shape4& input_shape, const Shape4& filter_shape,
                                      const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return 0;
  const int64_t depth = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  if (depth > INT32_MAX / 4) return 0;
  const size_t columns = static_cast<size_t>(depth / 4) * 4 * sizeof(int32_t);
  const size_t window = static_cast<size_t>(round_up4(static_cast<int32_t>(depth)));
  return requant_table_bytes(output_shape.c) + columns + window;
}

namespace {

// Checks the arguments the fast paths share (as conv2d_int8 checks them) and runs `filter`.
template <typename Filter>
Status run_fast(const Conv2DParams& params, const int32_t* output_multiplier,
                const int32_t* output_shift, const Shape4& input_shape, const int8_t* input,
                const Shape4& filter_shape, const Filter& filter, const int32_t* bias,
                const Shape4& output_shape, int8_t* output, void* scratch) {
  if (!scratch || (reinterpret_cast<uintptr_t>(scratch) & 3u) != 0) return kBadArgument;
  if (!shape4_valid(output_shape) || input_shape.n != output_shape.n ||
      filter_shape.n != output_shape.c ||
      !window2d_valid(params.window, input_shape, filter_shape.h, filter_shape.w, output_shape) ||
      !int8_offset_valid(params.input_offset) || params.act_min > params.act_max ||
      !requant_shifts_valid(output_shift, output_shape.c))
    return kBadArgument;

  ConvGeometry g;
  g.in = input_shape;
  g.filter = filter_shape;
  g.out = output_shape;
  g.win = params.window;
  g.depth = filter_shape.h * filter_shape.w * filter_shape.c;
  g.direct = filter_shape.h == 1 && filter_shape.w == 1 && params.window.pad_h == 0 &&
             params.window.pad_w == 0;
  RequantChannel* table = static_cast<RequantChannel*>(scratch);
  int32_t* words = static_cast<int32_t*>(scratch) + table_offset_words(output_shape.c);
  int8_t* window = reinterpret_cast<int8_t*>(words + (g.depth >> 2) * 4);
  const bool table_exact = params.act_min >= -128 && params.act_max <= 127 &&
                           requant_table_build(bias, output_multiplier, output_shift, 1,
                                               output_shape.c, params.output_offset, table);
  if (table_exact) {
    convolve_with_table(g, input, params.input_offset, filter, table, params.act_min,
                        params.act_max, words, window, output);
  } else {
    // Same loops, so the same placements stay safe; only the output step differs.
    const ReferenceRequant requant = {{bias, output_multiplier, output_shift, 1,
                                       params.output_offset, params.act_min, params.act_max}};
    convolve(g, input, params.input_offset, filter, requant, words, window, output);
  }
  return kOk;
}

}  // namespace

Status conv2d_int8_fast(const Conv2DParams& params, const int32_t* output_multiplier,
                        const int32_t* output_shift, const Shape4& input_shape, const int8_t* input,
                        const Shape4& filter_shape, const int8_t* filter, const int32_t* bias,
                        const Shape4& output_shape, int8_t* output, void* scratch) {
  // Grouped convolutions (never placed over their input by the memory plan) and bad pointers go
  // to the reference, which checks every argument; the checks of run_fast match its own.
  const bool fast_shape =
      shape4_valid(input_shape) && shape4_valid(filter_shape) && filter_shape.c == input_shape.c;
  if (!fast_shape || !output_multiplier || !output_shift || !input || !filter || !output)
    return conv2d_int8(params, output_multiplier, output_shift, input_shape, input, filter_shape,
                       filter, bias, output_shape, output);
  const Int8Filter source = {filter};
  return run_fast(params, output_multiplier, output_shift, input_shape, input, filter_shape, source,
                  bias, output_shape, output, scratch);
}

size_t conv2d_int8_fast_packed_filter_words(const Shape4& filter_shape) {
  if (!shape4_valid(filter_shape)) return 0;
  const int64_t depth = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  if (depth > INT32_MAX / 4) return 0;
  const int64_t block = (depth / 4) * 4 + 2 * (depth % 4);
  return static_cast<size_t>((filter_shape.n + 1) / 2) * static_cast<size_t>(block);
}

Status conv2d_int8_fast_pack_filter(const Shape4& filter_shape, const int8_t* filter,
                                    int32_t* packed) {
  if (!filter || !packed || conv2d_int8_fast_packed_filter_words(filter_shape) == 0)
    return kBadArgument;
  const int32_t depth = filter_shape.h * filter_shape.w * filter_shape.c;
  const int32_t groups = depth >> 2;
  const int32_t tail = depth & 3;
  int32_t* dst = packed;
  for (int32_t r = 0; r < filter_shape.n; r += 2) {
    const int8_t* a = filter + static_cast<size_t>(r) * depth;
    const int8_t* b = r + 1 < filter_shape.n ? a + depth : 0;  // an odd last row pairs with 0
    for (int32_t g = 0; g < groups; ++g) {
      const int32_t a_word = simd32::load4(a + 4 * g);
      const int32_t b_word = b ? simd32::load4(b + 4 * g) : 0;
      dst[0] = simd32::sxtb16(a_word);
      dst[1] = simd32::sxtb16_odd(a_word);
      dst[2] = simd32::sxtb16(b_word);
      dst[3] = simd32::sxtb16_odd(b_word);
      dst += 4;
    }
    for (int32_t t = 0; t < tail; ++t) dst[t] = a[4 * groups + t];
    for (int32_t t = 0; t < tail; ++t) dst[tail + t] = b ? b[4 * groups + t] : 0;
    dst += 2 * tail;
  }
  return kOk;
}

Status conv2d_int8_fast_packed(const Conv2DParams& params, const int32_t* output_multiplier,
                               const int32_t* output_shift, const Shape4& input_shape,
                               const int8_t* input, const Shape4& filter_shape,
                               const int32_t* packed_filter, const int32_t* bias,
                               const Shape4& output_shape, int8_t* output, void* scratch) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) ||
      filter_shape.c != input_shape.c || !output_multiplier || !output_shift || !input ||
      !packed_filter || !output)
    return kBadArgument;
  const PackedFilter source = {packed_filter};
  return run_fast(params, output_multiplier, output_shift, input_shape, input, filter_shape, source,
                  bias, output_shape, output, scratch);
}

}  // namespace rt
}  // namespace kiln
