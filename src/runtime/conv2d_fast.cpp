#include "runtime/conv2d_fast.h"

#include <string.h>

#include "runtime/conv_common.h"
#include "runtime/int8_columns.h"
#include "runtime/requant_fast.h"

namespace kiln {
namespace rt {

namespace {

// The hand-scheduled loops below need all fourteen allocatable registers, so they are built only
// where the compiler keeps no frame pointer: optimized builds (not with -fno-omit-frame-pointer).
// Elsewhere the C++ loops run, with the same results.
#if KILN_SIMD32_DSP && defined(__OPTIMIZE__)
#define KILN_CONV_ASM 1
#else
#define KILN_CONV_ASM 0
#endif

// Output pixels per pass. The packed kernel multiplies three columns with two filter rows: six
// accumulators, and with the five words loaded per step and three pointers that fills every
// register the core has (r0-r12, lr), one load per 1.2 SMLADs. The kernel on the TFLite layout
// (also the one fully connected layers run) keeps two, so that a single pixel costs less.
constexpr int32_t kPackedPixels = 3;
constexpr int32_t kSourcePixels = 2;
constexpr int32_t kMaxPixels = 3;

// Groups of four values in a column of `depth` values, the last one padded.
int32_t groups_of(int32_t depth) {
  return (depth + 3) >> 2;
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

// Depth-one inputs (a first layer on a spectrogram or a signal) whose window rows are whole
// groups: every input value lies in about kh * kw / (sh * sw) windows (20 in micro_speech's first
// layer), so the packed kernel widens the input once, into a 16-bit plane with the input offset
// added and zeros for the padding, and copies each column from it (two PKH per group) instead of
// widening every window again; edge windows then need no path of their own. The plane covers
// the padded input, at most (h + kh - 1) rows of (w + kw - 1) values rounded up to even, and is
// used only where that fits kMaxPlaneBytes.
constexpr int64_t kMaxPlaneBytes = 16 * 1024;

struct PlaneShape {
  int32_t rows, pitch;
};

bool plane_shape_of(const Shape4& in, const Shape4& filter, PlaneShape* shape) {
  if (in.n != 1 || in.c != 1 || filter.c != 1 || (filter.w & 3) != 0) return false;
  const int64_t rows = static_cast<int64_t>(in.h) + filter.h - 1;
  const int64_t pitch = (static_cast<int64_t>(in.w) + filter.w) & ~static_cast<int64_t>(1);
  if (rows * pitch * 2 > kMaxPlaneBytes) return false;
  shape->rows = static_cast<int32_t>(rows);
  shape->pitch = static_cast<int32_t>(pitch);
  return true;
}

// Fills `rows` rows of `pitch` values: plane (r, c) is input (r - pad_h, c - pad_w) plus the
// input offset, or 0 outside the input.
void build_plane(const int8_t* input, const Shape4& in, const Window2D& win, int32_t input_offset,
                 int32_t rows, int32_t pitch, int16_t* plane) {
  const int32_t begin = win.pad_w < pitch ? win.pad_w : pitch;
  const int32_t end = win.pad_w + in.w < pitch ? win.pad_w + in.w : pitch;
  const int32_t offsets = offset_pair(input_offset);
  for (int32_t r = 0; r < rows; ++r, plane += pitch) {
    const int32_t iy = r - win.pad_h;
    if (iy < 0 || iy >= in.h) {
      memset(plane, 0, static_cast<size_t>(pitch) * sizeof(int16_t));
      continue;
    }
    int32_t c = 0;
    for (; c < begin; ++c) plane[c] = 0;
    if (c < end) {  // then begin = pad_w: column begin is the row's first input value
      const int8_t* src = input + iy * in.w;
      // Four values a step: SXTAB16 makes (x0, x2) and (x1, x3), PKH puts them in order.
      for (; c + 4 <= end; c += 4, src += 4) {
        const int32_t v = simd32::load4(src);
        const int32_t even = simd32::sxtab16(offsets, v), odd = simd32::sxtab16_odd(offsets, v);
        simd32::store4(plane + c, simd32::pack_low_halves(even, odd));
        simd32::store4(plane + c + 2, simd32::pack_high_halves(even, odd));
      }
      for (; c < end; ++c, ++src) plane[c] = static_cast<int16_t>(*src + input_offset);
    }
    for (; c < pitch; ++c) plane[c] = 0;
  }
}

struct ConvGeometry {
  Shape4 in, filter, out;
  Window2D win;
  int32_t depth;            // K = filter h * w * input channels
  int32_t groups;           // groups_of(depth)
  bool direct;              // 1x1 window without padding: the column is the input pixel itself
  const int8_t* input_end;  // one past the input tensor
  // For windows inside the input: the largest origins, and the bytes from a window's first
  // byte to the end of the whole-word copy of its last row (up to three bytes past it, or 12
  // bytes for rows of at most 12).
  int32_t max_origin_x, max_origin_y;
  int32_t row_bytes, row_stride, word_reach;
  // What the requantization table was built from (build_requant_table), to build it again.
  const int32_t* bias;
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t output_offset;
  // The input widened into a zero-padded 16-bit plane (depth-one inputs with the packed filter,
  // see plane_shape_of), or null: the window of output pixel (y, x) starts at plane + y *
  // stride_h * plane_pitch + x * stride_w.
  const int16_t* plane;
  int32_t plane_pitch;
};

bool build_requant_table(const int32_t* bias, const int32_t* multiplier, const int32_t* shift,
                         int32_t channels, int32_t output_offset, RequantChannel* table);

// Copies a window row of `count` bytes. Where the input extends far enough, whole words are
// moved, up to three bytes past the row: they land where the next row (or, after the last row,
// the window's padding, which meets zero weights) is written, so only a short row at the very
// end of the input needs the exact copy.
inline void copy_row(int8_t* dst, const int8_t* src, int32_t count, const int8_t* input_end) {
  if (input_end - src >= count + 3) {
    for (int32_t i = 0; i < count; i += 4) simd32::store4(dst + i, simd32::load4(src + i));
    return;
  }
  copy_bytes(dst, src, count);
}

// The K input values output pixel `at` sees, in filter order, in `window` (4 * groups + 12
// bytes; the bytes past K hold input values or zeros); padding reads `pad_value`, which is
// minus the input offset, so that it widens to 0. Within a row the window's columns inside the
// input are one span (without dilation): padding before it, the span, padding after it.
void window_of(const ConvGeometry& g, const PixelCursor& at, const int8_t* input, int8_t pad_value,
               int8_t* window) {
  const int32_t channels = g.in.c;
  const int32_t origin_y = at.y * g.win.stride_h - g.win.pad_h;
  const int32_t origin_x = at.x * g.win.stride_w - g.win.pad_w;
  const int8_t* batch = input + at.n * g.in.h * g.in.w * channels;
  const int32_t row_bytes = g.filter.w * channels;
  const bool dense = g.win.dilation_w == 1;
  int32_t kx_begin = 0, kx_end = g.filter.w;  // the span inside the input (dense windows)
  if (dense) {
    if (origin_x < 0) kx_begin = -origin_x < g.filter.w ? -origin_x : g.filter.w;
    if (origin_x + kx_end > g.in.w)
      kx_end = g.in.w - origin_x > kx_begin ? g.in.w - origin_x : kx_begin;
  }
  int8_t* dst = window;
  for (int32_t ky = 0; ky < g.filter.h; ++ky, dst += row_bytes) {
    const int32_t in_y = origin_y + ky * g.win.dilation_h;
    if (in_y < 0 || in_y >= g.in.h) {
      fill_bytes(dst, pad_value, row_bytes);
      continue;
    }
    const int8_t* row = batch + in_y * g.in.w * channels;
    if (dense) {
      if (kx_begin == 0 && kx_end == g.filter.w) {
        copy_row(dst, row + origin_x * channels, row_bytes, g.input_end);
        continue;
      }
      fill_bytes(dst, pad_value, kx_begin * channels);
      copy_bytes(dst + kx_begin * channels, row + (origin_x + kx_begin) * channels,
                 (kx_end - kx_begin) * channels);
      fill_bytes(dst + kx_end * channels, pad_value, (g.filter.w - kx_end) * channels);
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
}

// The column of output pixel `at` near the input's edges (or dilated): a window row of whole
// groups inside the input is widened straight from it and a padding row is zero words; other
// windows are gathered into `window` first. Kept out of line: the loops call it for few pixels.
__attribute__((noinline)) void column_at_edge(const ConvGeometry& g, const PixelCursor& at,
                                              const int8_t* input, int32_t input_offset,
                                              int8_t* window, int32_t pixels, int32_t* words) {
  const int32_t offsets = offset_pair(input_offset);
  const int8_t* batch = input + at.n * g.in.h * g.in.w * g.in.c;
  const int32_t origin_y = at.y * g.win.stride_h - g.win.pad_h;
  const int32_t origin_x = at.x * g.win.stride_w - g.win.pad_w;
  const int32_t row_bytes = g.row_bytes;
  const bool rows_direct = (row_bytes & 3) == 0 && g.win.dilation_w == 1 && origin_x >= 0 &&
                           origin_x + g.filter.w <= g.in.w;
  if (!rows_direct) {
    window_of(g, at, input, static_cast<int8_t>(-input_offset), window);
    widen_groups_interleaved(window, g.groups, offsets, pixels, words);
    return;
  }
  const int32_t row_groups = row_bytes >> 2;
  for (int32_t ky = 0; ky < g.filter.h; ++ky, words += 2 * row_groups * pixels) {
    const int32_t in_y = origin_y + ky * g.win.dilation_h;
    if (in_y < 0 || in_y >= g.in.h) {
      // Padding reads minus the input offset, which widens to zero.
      for (int32_t i = 0; i < 2 * row_groups; ++i) words[i * pixels] = 0;
      continue;
    }
    widen_groups_interleaved(batch + (in_y * g.in.w + origin_x) * g.in.c, row_groups, offsets,
                             pixels, words);
  }
}

// The column of output pixel `at`, widened into the interleaved layout of P columns
// (int8_columns.h) at `words`, its last group padded. A 1x1 window is the input pixel itself; a
// window inside the input (most pixels) is widened straight from rows of whole groups, else
// gathered by whole words first; column_at_edge does the rest.
template <int P>
__attribute__((always_inline)) inline void column_of(const ConvGeometry& g, const PixelCursor& at,
                                                     const int8_t* input, int32_t input_offset,
                                                     int8_t* window, int32_t* words) {
  const int32_t offsets = offset_pair(input_offset);
  const int8_t* batch = input + at.n * g.in.h * g.in.w * g.in.c;
  if (g.direct) {
    const int8_t* src = batch + (at.y * g.win.stride_h * g.in.w + at.x * g.win.stride_w) * g.in.c;
    const int32_t full = g.depth >> 2;
    widen_groups_interleaved(src, full, offsets, P, words);
    if (g.depth & 3)
      widen_partial_group(src + 4 * full, g.depth & 3, input_offset, P, words + 2 * full * P);
    return;
  }
  const int32_t origin_y = at.y * g.win.stride_h - g.win.pad_h;
  const int32_t origin_x = at.x * g.win.stride_w - g.win.pad_w;
  if (origin_x >= 0 && origin_x <= g.max_origin_x && origin_y >= 0 && origin_y <= g.max_origin_y) {
    const int8_t* src = batch + (origin_y * g.in.w + origin_x) * g.in.c;
    if ((g.row_bytes & 3) == 0) {
      const int32_t row_groups = g.row_bytes >> 2;
      for (int32_t ky = 0; ky < g.filter.h; ++ky, src += g.row_stride) {
        widen_groups_interleaved(src, row_groups, offsets, P, words);
        words += 2 * row_groups * P;
      }
      return;
    }
    if (g.input_end - src >= g.word_reach) {
      int8_t* dst = window;
      if (g.row_bytes <= 12) {
        // The first layers' short rows (e.g. 3x3 pixels of 3 channels): three words each.
        for (int32_t ky = 0; ky < g.filter.h; ++ky, dst += g.row_bytes, src += g.row_stride) {
          const int32_t w0 = simd32::load4(src), w1 = simd32::load4(src + 4),
                        w2 = simd32::load4(src + 8);
          simd32::store4(dst, w0);
          simd32::store4(dst + 4, w1);
          simd32::store4(dst + 8, w2);
        }
      } else {
        for (int32_t ky = 0; ky < g.filter.h; ++ky, dst += g.row_bytes, src += g.row_stride)
          for (int32_t i = 0; i < g.row_bytes; i += 4)
            simd32::store4(dst + i, simd32::load4(src + i));
      }
      widen_groups_interleaved(window, g.groups, offsets, P, words);
      return;
    }
  }
  column_at_edge(g, at, input, input_offset, window, P, words);
}

// One window's column copied from the plane, `rows` rows of `kRowGroups` groups (0: `row_groups`
// of them): per group the plane holds (x0, x1), (x2, x3) and the column wants (x0, x2), (x1, x3).
template <int P, int kRowGroups>
__attribute__((always_inline)) inline void plane_window(const int16_t* src, int32_t pitch,
                                                        int32_t rows, int32_t row_groups,
                                                        int32_t* words) {
  const int32_t groups = kRowGroups > 0 ? kRowGroups : row_groups;
  for (int32_t ky = 0; ky < rows; ++ky, src += pitch, words += 2 * groups * P) {
#pragma GCC unroll 4
    for (int32_t k = 0; k < groups; ++k) {
      const int32_t low = simd32::load4(src + 4 * k), high = simd32::load4(src + 4 * k + 2);
      words[2 * k * P] = simd32::pack_low_halves(low, high);
      words[(2 * k + 1) * P] = simd32::pack_high_halves(low, high);
    }
  }
}

// The columns of `count` consecutive pixels from `at` (advanced past them), from the plane.
template <int P>
__attribute__((noinline)) void plane_columns(const ConvGeometry& g, int32_t count, int32_t* cols,
                                             PixelCursor& at) {
  const int32_t pitch = g.plane_pitch, rows = g.filter.h, row_groups = g.filter.w >> 2;
  for (int32_t i = 0; i < count; ++i) {
    const int16_t* src = g.plane + at.y * g.win.stride_h * pitch + at.x * g.win.stride_w;
    if (row_groups == 1) {
      plane_window<P, 1>(src, pitch, rows, 1, cols + i);
    } else if (row_groups == 2) {
      plane_window<P, 2>(src, pitch, rows, 2, cols + i);
    } else {
      plane_window<P, 0>(src, pitch, rows, row_groups, cols + i);
    }
    at.next(g.out);
  }
}

// Layers whose window rows are short and not whole groups (row_bytes <= 12, not a multiple of
// four; e.g. the first layer's 3x3 windows of three channels) spend much of their time on the
// columns, which these functions build with the geometry in a struct of their own (column_of
// reads ConvGeometry through a reference, which the byte stores of the window make it reload):
// rows gathered by three whole words each, 3x3x3 windows assembled straight from the loaded
// words, edge windows through a small padded copy.
struct ShortRowWindows {
  const int8_t* input;
  const int8_t* input_end;
  int32_t in_h, in_w, channels;
  int32_t stride_h, stride_w, pad_h, pad_w;
  int32_t max_origin_x, max_origin_y, word_reach;
  int32_t rows, row_bytes, row_stride, groups;
  int32_t filter_w, dilation_h;
};

template <int P>
__attribute__((noinline)) void column_of_out_of_line(const ConvGeometry& g, const PixelCursor& at,
                                                     const int8_t* input, int32_t input_offset,
                                                     int8_t* window, int32_t* words) {
  column_of<P>(g, at, input, input_offset, window, words);
}

// Gathers a window of `rows` short rows (three whole words each, row i at window + i *
// row_bytes) and widens its `groups` groups into pixel 0's place of `words`.
template <int P>
__attribute__((always_inline)) inline void gather_short_rows(const int8_t* src, int32_t rows,
                                                             int32_t row_bytes, int32_t row_stride,
                                                             int32_t groups, int32_t offsets,
                                                             int8_t* window, int32_t* words) {
  int8_t* dst = window;
  for (int32_t ky = 0; ky < rows; ++ky, dst += row_bytes, src += row_stride) {
    const int32_t w0 = simd32::load4(src), w1 = simd32::load4(src + 4), w2 = simd32::load4(src + 8);
    simd32::store4(dst, w0);
    simd32::store4(dst + 4, w1);
    simd32::store4(dst + 8, w2);
  }
  const int8_t* from = window;
  const int8_t* const pairs_end = window + 8 * (groups >> 1);
  for (; from != pairs_end; from += 8, words += 4 * P) {
    const int32_t v0 = simd32::load4(from), v1 = simd32::load4(from + 4);
    words[0] = simd32::sxtab16(offsets, v0);
    words[P] = simd32::sxtab16_odd(offsets, v0);
    words[2 * P] = simd32::sxtab16(offsets, v1);
    words[3 * P] = simd32::sxtab16_odd(offsets, v1);
  }
  if (groups & 1) {
    const int32_t v0 = simd32::load4(from);
    words[0] = simd32::sxtab16(offsets, v0);
    words[P] = simd32::sxtab16_odd(offsets, v0);
  }
}

// The column of a 3x3 window of three channels (the usual first layer on RGB images), 27 values
// in seven groups of four bytes. Five groups lie within one window row (bytes 0-3 and 4-7 of the
// first row, 3-6 of the second, 2-5 and 6-9 of the third) and are loaded as (unaligned) words;
// the two that straddle rows are a byte and three bytes, or two bytes and two, joined by one
// ORR. The last group's fourth value is the input byte after the window, which meets a zero
// weight. Every byte read lies within the first 12 bytes of a window row, as for the whole-word
// row copies (word_reach).
template <int P>
__attribute__((always_inline)) inline void gather_3x3x3(const int8_t* src, int32_t row_stride,
                                                        int32_t offsets, int32_t* words) {
  const int8_t* r1 = src + row_stride;
  const int8_t* r2 = r1 + row_stride;
#if KILN_CONV_ASM
  // The nine loads back to back, then the widened words stored in runs (a store right after a
  // load or store takes one cycle, else two), the pointers reused as temporaries.
  int32_t g0, g1, g2, g3, g4, g5, g6, t;
  __asm__ volatile(
      "ldr %[g0], [%[p]]\n\t"
      "ldr %[g1], [%[p], #4]\n\t"
      "ldrb %[g2], [%[p], #8]\n\t"
      "ldr %[t], [%[q1]]\n\t"
      "ldr %[g3], [%[q1], #3]\n\t"
      "ldrh %[g4], [%[q1], #7]\n\t"
      "ldr %[p], [%[q2]]\n\t"
      "ldr %[g5], [%[q2], #2]\n\t"
      "ldr %[g6], [%[q2], #6]\n\t"
      "orr %[g2], %[g2], %[t], lsl #8\n\t"
      "orr %[g4], %[g4], %[p], lsl #16\n\t"
      "sxtab16 %[t], %[off], %[g0]\n\t"
      "sxtab16 %[g0], %[off], %[g0], ror #8\n\t"
      "sxtab16 %[p], %[off], %[g1]\n\t"
      "sxtab16 %[g1], %[off], %[g1], ror #8\n\t"
      "str %[t], [%[w]]\n\t"
      "str %[g0], [%[w], %[o1]]\n\t"
      "str %[p], [%[w], %[o2]]\n\t"
      "str %[g1], [%[w], %[o3]]\n\t"
      "sxtab16 %[t], %[off], %[g2]\n\t"
      "sxtab16 %[g2], %[off], %[g2], ror #8\n\t"
      "sxtab16 %[p], %[off], %[g3]\n\t"
      "sxtab16 %[g3], %[off], %[g3], ror #8\n\t"
      "sxtab16 %[q1], %[off], %[g4]\n\t"
      "sxtab16 %[g4], %[off], %[g4], ror #8\n\t"
      "sxtab16 %[q2], %[off], %[g5]\n\t"
      "sxtab16 %[g5], %[off], %[g5], ror #8\n\t"
      "sxtab16 %[g0], %[off], %[g6]\n\t"
      "sxtab16 %[g1], %[off], %[g6], ror #8\n\t"
      "str %[t], [%[w], %[o4]]\n\t"
      "str %[g2], [%[w], %[o5]]\n\t"
      "str %[p], [%[w], %[o6]]\n\t"
      "str %[g3], [%[w], %[o7]]\n\t"
      "str %[q1], [%[w], %[o8]]\n\t"
      "str %[g4], [%[w], %[o9]]\n\t"
      "str %[q2], [%[w], %[o10]]\n\t"
      "str %[g5], [%[w], %[o11]]\n\t"
      "str %[g0], [%[w], %[o12]]\n\t"
      "str %[g1], [%[w], %[o13]]\n\t"
      : [g0] "=&r"(g0), [g1] "=&r"(g1), [g2] "=&r"(g2), [g3] "=&r"(g3), [g4] "=&r"(g4),
        [g5] "=&r"(g5), [g6] "=&r"(g6), [t] "=&r"(t), [p] "+&r"(src), [q1] "+&r"(r1), [q2] "+&r"(r2)
      : [off] "r"(offsets), [w] "r"(words), [o1] "i"(4 * P), [o2] "i"(8 * P), [o3] "i"(12 * P),
        [o4] "i"(16 * P), [o5] "i"(20 * P), [o6] "i"(24 * P), [o7] "i"(28 * P), [o8] "i"(32 * P),
        [o9] "i"(36 * P), [o10] "i"(40 * P), [o11] "i"(44 * P), [o12] "i"(48 * P), [o13] "i"(52 * P)
      : "memory");
#else
  uint16_t b78;
  memcpy(&b78, r1 + 7, 2);
  const uint32_t a8 = static_cast<uint8_t>(src[8]);
  const uint32_t b0 = static_cast<uint32_t>(simd32::load4(r1));
  const uint32_t c0 = static_cast<uint32_t>(simd32::load4(r2));
  const int32_t group[7] = {simd32::load4(src),
                            simd32::load4(src + 4),
                            static_cast<int32_t>(a8 | (b0 << 8)),
                            simd32::load4(r1 + 3),
                            static_cast<int32_t>(b78 | (c0 << 16)),
                            simd32::load4(r2 + 2),
                            simd32::load4(r2 + 6)};
  for (int k = 0; k < 7; ++k) {
    words[2 * k * P] = simd32::sxtab16(offsets, group[k]);
    words[(2 * k + 1) * P] = simd32::sxtab16_odd(offsets, group[k]);
  }
#endif
}

// The columns of P pixels of one output row, all inside the input, for 3x3 windows of three
// channels: true if the pass qualifies (then `at` has moved past it).
template <int P>
__attribute__((noinline)) bool pass_3x3x3(const ShortRowWindows& w, const Shape4& out,
                                          int32_t offsets, int32_t* cols, PixelCursor& at) {
  const int32_t origin_y = at.y * w.stride_h - w.pad_h;
  const int32_t origin_x = at.x * w.stride_w - w.pad_w;
  const int32_t last_x = origin_x + (P - 1) * w.stride_w;
  if (at.x + P > out.w || origin_x < 0 || last_x > w.max_origin_x ||
      static_cast<uint32_t>(origin_y) > static_cast<uint32_t>(w.max_origin_y))
    return false;
  const int32_t first = ((at.n * w.in_h + origin_y) * w.in_w + origin_x) * w.channels;
  const int32_t step = w.stride_w * w.channels;
  if (w.input_end - (w.input + first + (P - 1) * step) < w.word_reach) return false;
  const int8_t* src = w.input + first;
  const int32_t row_stride = w.row_stride;
#pragma GCC unroll 3
  for (int i = 0; i < P; ++i) gather_3x3x3<P>(src + i * step, row_stride, offsets, cols + i);
  at.x += P - 1;
  at.next(out);
  return true;
}

// The columns of three pixels of one output row whose 3x3x3 windows lie inside the input,
// the first at `src`, the others `step` bytes apart.
__attribute__((noinline)) void gather_3x3x3_pass(const int8_t* src, int32_t step,
                                                 int32_t row_stride, int32_t offsets,
                                                 int32_t* cols) {
  gather_3x3x3<3>(src, row_stride, offsets, cols);
  gather_3x3x3<3>(src + step, row_stride, offsets, cols + 1);
  gather_3x3x3<3>(src + 2 * step, row_stride, offsets, cols + 2);
}

// Windows at the input's edges for ShortRowWindows layers of at most kEdgeRows rows: each row
// is made whole in a local buffer of 12-byte rows, padding bytes reading minus the input offset
// (which widens to zero), and then gathered like an inside window. False for taller windows.
constexpr int32_t kEdgeRows = 8;

template <int P>
bool short_row_column_at_edge(const ShortRowWindows& w, const PixelCursor& at, int32_t offsets,
                              int8_t pad_value, int8_t* window, int32_t* words) {
  if (w.rows > kEdgeRows) return false;
  int8_t rows[kEdgeRows * 12];
  const int32_t origin_y = at.y * w.stride_h - w.pad_h;
  const int32_t origin_x = at.x * w.stride_w - w.pad_w;
  // The window's columns inside the input: [x_begin, x_end) of the filter's.
  const int32_t x_begin = origin_x < 0 ? (-origin_x < w.filter_w ? -origin_x : w.filter_w) : 0;
  int32_t x_end = w.in_w - origin_x;
  x_end = x_end > w.filter_w ? w.filter_w : (x_end < x_begin ? x_begin : x_end);
  const int8_t* batch = w.input + at.n * w.in_h * w.in_w * w.channels;
  // The padding as whole words and the span with word moves (the byte loops that were here
  // became library calls, a good part of the first layer's edge cost).
  const int32_t pad_word =
      static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint8_t>(pad_value)) * 0x01010101u);
  const int32_t count = (x_end - x_begin) * w.channels;
  for (int32_t ky = 0; ky < w.rows; ++ky) {
    int8_t* dst = rows + 12 * ky;
    simd32::store4(dst, pad_word);
    simd32::store4(dst + 4, pad_word);
    simd32::store4(dst + 8, pad_word);
    const int32_t in_y = origin_y + ky * w.dilation_h;
    if (in_y < 0 || in_y >= w.in_h) continue;
    const int8_t* src = batch + (in_y * w.in_w + origin_x + x_begin) * w.channels;
    copy_bytes(dst + x_begin * w.channels, src, count);
  }
  if (w.rows == 3 && w.row_bytes == 9)
    gather_3x3x3<P>(rows, 12, offsets, words);
  else
    gather_short_rows<P>(rows, w.rows, w.row_bytes, 12, w.groups, offsets, window, words);
  return true;
}

// The columns of `count` consecutive pixels from `at` (advanced past them).
template <int P>
__attribute__((noinline)) void short_row_columns(const ConvGeometry& g, const ShortRowWindows& w,
                                                 int32_t input_offset, int32_t count,
                                                 int8_t* window, int32_t* cols,
                                                 PixelCursor& at_io) {
  const int32_t offsets = offset_pair(input_offset);
  const int32_t rows = w.rows, row_bytes = w.row_bytes, row_stride = w.row_stride;
  const int32_t groups = w.groups;
  PixelCursor at = at_io;
  for (int32_t i = 0; i < count; ++i) {
    const int32_t origin_y = at.y * w.stride_h - w.pad_h;
    const int32_t origin_x = at.x * w.stride_w - w.pad_w;
    const int8_t* src = w.input + ((at.n * w.in_h + origin_y) * w.in_w + origin_x) * w.channels;
    const bool inside = static_cast<uint32_t>(origin_x) <= static_cast<uint32_t>(w.max_origin_x) &&
                        static_cast<uint32_t>(origin_y) <= static_cast<uint32_t>(w.max_origin_y) &&
                        w.input_end - src >= w.word_reach;
    if (inside && rows == 3 && row_bytes == 9) {
      gather_3x3x3<P>(src, row_stride, offsets, cols + i);
    } else if (inside) {
      gather_short_rows<P>(src, rows, row_bytes, row_stride, groups, offsets, window, cols + i);
    } else if (!short_row_column_at_edge<P>(w, at, offsets, static_cast<int8_t>(-input_offset),
                                            window, cols + i)) {
      column_of_out_of_line<P>(g, at, w.input, input_offset, window, cols + i);
    }
    at.next(g.out);
  }
  at_io = at;
}

// The columns of P consecutive input pixels of `channels` values each (whole groups only), for
// the pointwise layers with stride 1: the pixels' words of one group are loaded together and the
// six widened words stored in order, one pass per group.
template <int P>
__attribute__((always_inline)) inline void widen_consecutive(const int8_t* src, int32_t channels,
                                                             int32_t groups, int32_t offsets,
                                                             int32_t* words) {
  const int8_t* const end = src + 4 * groups;
  for (; src != end; src += 4, words += 2 * P) {
    int32_t v[P];
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) v[p] = simd32::load4(src + p * channels);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) words[p] = simd32::sxtab16(offsets, v[p]);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) words[P + p] = simd32::sxtab16_odd(offsets, v[p]);
  }
}

// Both 16-bit lanes of v doubled (the lanes here are at most 255 in magnitude, so the sums never
// wrap).
inline int32_t double_lanes(int32_t v) {
  return simd32::sadd16(v, v);
}

// widen_consecutive with every column word doubled, for DoubledRequant.
template <int P>
__attribute__((always_inline)) inline void widen_consecutive_doubled(
    const int8_t* src, int32_t channels, int32_t groups, int32_t offsets, int32_t* words) {
  const int8_t* const end = src + 4 * groups;
  for (; src != end; src += 4, words += 2 * P) {
    int32_t v[P];
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) v[p] = simd32::load4(src + p * channels);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) words[p] = double_lanes(simd32::sxtab16(offsets, v[p]));
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) words[P + p] = double_lanes(simd32::sxtab16_odd(offsets, v[p]));
  }
}

// Where the results of one pass go: pixel p's channel c at out[c + step[p]], step[0] = 0. A
// pass past the last pixel repeats the last pixel's step (its results are stored again, equal).
struct PixelSteps {
  int32_t step1, step2;
};

// The output step from the per-channel table (requant_fast.h); kFullRange when the activation
// range is all of int8, so that one SSAT clamps. `store` reads the channel's entry into
// registers before the first byte store (an int8 store may alias anything, so later reads
// would be reloads).
template <bool kFullRange, bool kPreShift>
struct TableRequant {
  const RequantChannel* table;
  int32_t lo, hi;
  int32_t bias(int32_t c) const { return table[c].bias; }
  template <int P>
  void store(const int32_t (&acc)[P], int32_t c, int8_t* out, const PixelSteps& s) const {
    const RequantChannel t = table[c];
    const int32_t l = lo, h = hi;
    const int8_t v0 = requant_clamp<kFullRange, kPreShift>(acc[0], t, l, h);
    const int8_t v1 = requant_clamp<kFullRange, kPreShift>(acc[P > 1 ? 1 : 0], t, l, h);
    const int8_t v2 = requant_clamp<kFullRange, kPreShift>(acc[P > 2 ? 2 : 0], t, l, h);
    out[c] = v0;
    if (P > 1) out[c + s.step1] = v1;
    if (P > 2) out[c + s.step2] = v2;
  }
  // Both rows of a pass: channels c and c + 1.
  template <int P>
  void store_pair(const int32_t (&acc)[2][P], int32_t c, int8_t* out, const PixelSteps& s) const {
    store<P>(acc[0], c, out, s);
    store<P>(acc[1], c + 1, out, s);
  }
};

// The reference output step, for parameters outside the table's exact range; the bias is added
// there.
struct ReferenceRequant {
  Int8OutputStep step;
  int32_t bias(int32_t) const { return 0; }
  template <int P>
  void store(const int32_t (&acc)[P], int32_t c, int8_t* out, const PixelSteps& s) const {
    const int8_t v0 = step(acc[0], c);
    const int8_t v1 = step(acc[P > 1 ? 1 : 0], c);
    const int8_t v2 = step(acc[P > 2 ? 2 : 0], c);
    out[c] = v0;
    if (P > 1) out[c + s.step1] = v1;
    if (P > 2) out[c + s.step2] = v2;
  }
  template <int P>
  void store_pair(const int32_t (&acc)[2][P], int32_t c, int8_t* out, const PixelSteps& s) const {
    store<P>(acc[0], c, out, s);
    store<P>(acc[1], c + 1, out, s);
  }
};

// The output step where the accumulator holds twice the sum (the columns doubled) and the table
// entry was rewritten by table_doubled: twice the bias, the multiplier M itself, no pre-shift,
// the rounding C and the right shift rs. SMMLAR(2 * acc, M, C) = C + floor((2 * acc * M + 2^31)
// / 2^32) = C + x with x as in requant_fast.h, so the QADD and the pre-shift drop out; the
// rounding toward zero subtracts the sign of acc, which is that of x (at M = 2^30 and acc = -1,
// x = 0 but C - 1 and C floor to the same result for rs >= 1). table_doubled makes sure that no
// step overflows.
inline int32_t requant_doubled(int32_t acc2, const RequantChannel& t) {
  const int32_t y = simd32::smmlar(acc2, t.multiplier2, t.rounding);
  return simd32::ssat8((y - static_cast<int32_t>(static_cast<uint32_t>(acc2) >> 31)) >>
                       t.post_shift);
}

struct DoubledRequant {
  const RequantChannel* table;
  bool skips;  // some row pair has all-zero weights (marked by table_doubled)
  int32_t bias(int32_t c) const { return table[c].bias; }
  template <int P>
  void store(const int32_t (&acc)[P], int32_t c, int8_t* out, const PixelSteps& s) const {
    const RequantChannel t = table[c];
    const int8_t v0 = static_cast<int8_t>(requant_doubled(acc[0], t));
    const int8_t v1 = static_cast<int8_t>(requant_doubled(acc[P > 1 ? 1 : 0], t));
    const int8_t v2 = static_cast<int8_t>(requant_doubled(acc[P > 2 ? 2 : 0], t));
    out[c] = v0;
    if (P > 1) out[c + s.step1] = v1;
    if (P > 2) out[c + s.step2] = v2;
  }
  template <int P>
  void store_pair(const int32_t (&acc)[2][P], int32_t c, int8_t* out, const PixelSteps& s) const {
    store<P>(acc[0], c, out, s);
    store<P>(acc[1], c + 1, out, s);
  }
};

// The channel's output where it is the same for every accumulator in bias +- spread (the table's
// step is the reference's, and that is monotonic in the accumulator): into `v`, else false.
inline bool constant_output(const RequantChannel& t, int64_t spread, int32_t* v) {
  const int64_t lo = t.bias - spread, hi = t.bias + spread;
  if (lo < INT32_MIN || hi > INT32_MAX) return false;
  *v = simd32::ssat8(requant_apply(static_cast<int32_t>(lo), t));
  return *v == simd32::ssat8(requant_apply(static_cast<int32_t>(hi), t));
}

// 255 times the sum of |weights| of row `row` of a packed filter: |acc - bias| is at most that
// (an input plus its offset is at most 255 in magnitude).
inline int64_t packed_row_spread(const int32_t* packed, int32_t groups, int32_t row) {
  const int32_t* w = packed + (row >> 1) * 4 * groups + (row & 1);
  int64_t sum = 0;
  for (int32_t i = 0; i < 2 * groups; ++i, w += 2) {
    const int32_t lo = simd32::half0(*w), hi = simd32::half1(*w);
    sum += (lo < 0 ? -lo : lo) + (hi < 0 ? -hi : hi);
  }
  return 255 * sum;
}

// Channel entry `t` (of build_requant_table, full int8 activation range) rewritten in place for
// requant_doubled; false where neither form below is exact. `sums` = depth * 128 * 255 bounds
// |acc - bias| (a weight times an input plus its offset is at most 128 * 255 in magnitude), and
// the caller made sure that sums < 2^30. With B = |bias| + sums, |x| <= |acc| <= B
// (M < 2^31).
//  - B < 2^30 and |C| + B < 2^31 - 1 with C = 2^(rs-1) + zp * 2^rs: twice every partial sum
//    fits, C fits, and C + x and C + x - 1 do not overflow; the entry is exact as it stands,
//    whatever the shift (up to 31). Without a pre-shift (rs <= 22) C is the entry's rounding
//    and |C| < 2^29.01, so only B needs checking.
//  - Otherwise, where the output is a constant v for every accumulator the channel can have
//    (zero multipliers; huge biases with large right shifts, as pruned channels have, whose
//    weights are often all zero: `filter` gives the row's own spread), the entry {bias 0, M 0,
//    C = 2v + 1, rs 1}: (C - [acc < 0]) >> 1 = v. The accumulator then holds twice the bare sum,
//    within 2 * sums.
// SSAT is the full-range clamp.
__attribute__((always_inline)) inline bool doubled_entry(RequantChannel& t, int32_t sums,
                                                         const int32_t* filter, int32_t groups,
                                                         int32_t row) {
  const int32_t bias = t.bias;
  const int64_t abs_bias = bias < 0 ? -static_cast<int64_t>(bias) : bias;
  if (t.multiplier2 != 0 && abs_bias + sums < (int64_t{1} << 30)) {
    const int32_t m = static_cast<int32_t>(static_cast<uint32_t>(t.multiplier2) >> 1);
    const int32_t rs = t.pre_shift + t.post_shift;
    if (t.pre_shift == 0) {
      t.bias = 2 * bias;
      t.multiplier2 = m;
      return true;
    }
    const int32_t zp = (t.rounding - (int32_t{1} << (t.post_shift - 1))) >> t.post_shift;
    const int64_t c = (int64_t{1} << (rs - 1)) + static_cast<int64_t>(zp) * (int64_t{1} << rs);
    if ((c < 0 ? -c : c) + abs_bias + sums < (int64_t{1} << 31) - 1) {
      const RequantChannel d = {2 * bias, m, 0, static_cast<int32_t>(c), rs};
      t = d;
      return true;
    }
  }
  int32_t v;
  if (!constant_output(t, sums, &v) &&
      !constant_output(t, packed_row_spread(filter, groups, row), &v))
    return false;
  const RequantChannel d = {0, 0, 0, 2 * v + 1, 1};
  t = d;
  return true;
}

// True if the `words` words (a multiple of four) at `block` are all zero.
inline bool words_zero(const int32_t* block, int32_t words) {
  for (int32_t i = 0; i < words; i += 4)
    if ((block[i] | block[i + 1] | block[i + 2] | block[i + 3]) != 0) return false;
  return true;
}

// True if one row of a packed row pair (`words` its first word) has all-zero weights: every
// other word, 2 * groups of them.
inline bool row_words_zero(const int32_t* words, int32_t groups) {
  for (int32_t i = 0; i < 4 * groups; i += 2)
    if (words[i] != 0) return false;
  return true;
}

// Rewrites every entry with doubled_entry for a packed filter of `groups` groups per row and an
// even row count. A row pair whose weights are all zero (pruned channels) has the sum 0, so each
// of its channels outputs v = the table's step of its bias alone: the constant entry of
// doubled_entry, but with v as its bias (the accumulator is then v, and (2v + 1 - [v < 0]) >> 1
// = v all the same), and the pair's first entry holds the pair's filter bytes in its pre-shift
// field (unused by the doubled step) so that the row loop skips its multiply, and with whole
// loops its output step too, storing the biases as the outputs. Where the group count is
// a multiple of eight, that field holds 1 for a pair whose row b is all zero, 2 where row a is,
// and the row loop multiplies the other row alone (the zero row's sum is 0). `skips` tells
// whether any pair is marked. False if some channel does not qualify, with the table built again
// as it was.
inline bool table_doubled(const ConvGeometry& g, RequantChannel* table, const int32_t* filter,
                          bool* skips) {
  const int32_t rows = g.out.c, groups = g.groups;
  *skips = false;
  if ((rows & 1) != 0 || groups > (int32_t{1} << 30) / (4 * 128 * 255)) return false;
  const int32_t sums = 4 * groups * 128 * 255;
  for (int32_t c = 0; c < rows; c += 2) {
    if (words_zero(filter + (c >> 1) * 4 * groups, 4 * groups)) {
      for (int32_t k = c; k < c + 2; ++k) {
        const int32_t v = simd32::ssat8(requant_apply(table[k].bias, table[k]));
        const RequantChannel d = {v, 0, 0, 2 * v + 1, 1};
        table[k] = d;
      }
      table[c].pre_shift = 16 * groups;
      *skips = true;
      continue;
    }
    if (!doubled_entry(table[c], sums, filter, groups, c) ||
        !doubled_entry(table[c + 1], sums, filter, groups, c + 1)) {
      build_requant_table(g.bias, g.multiplier, g.shift, rows, g.output_offset, table);
      *skips = false;
      return false;
    }
    if ((groups & 7) == 0) {  // single rows: only the whole-loop row loop has their code
      const int32_t* block = filter + (c >> 1) * 4 * groups;
      const int32_t single =
          row_words_zero(block + 1, groups) ? 1 : (row_words_zero(block, groups) ? 2 : 0);
      table[c].pre_shift = single;
      if (single != 0) *skips = true;
    }
  }
  return true;
}

// acc[i][p] += row i of the packed row pair `f` times column p, over `groups` groups: step k
// (two values of each row) meets filter words f[2k], f[2k + 1] and column words
// cols[k * P .. k * P + P).
template <int P>
inline void packed_mac_portable(const int32_t* f, const int32_t* cols, int32_t groups,
                                int32_t (&acc)[2][P]) {
  for (int32_t k = 0; k < 2 * groups; ++k, f += 2, cols += P) {
    const int32_t a = f[0], b = f[1];
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) {
      acc[0][p] = simd32::smlad(a, cols[p], acc[0][p]);
      acc[1][p] = simd32::smlad(b, cols[p], acc[1][p]);
    }
  }
}

template <int P>
inline void packed_mac(const int32_t* f, const int32_t* cols, int32_t groups,
                       int32_t (&acc)[2][P]) {
  packed_mac_portable<P>(f, cols, groups, acc);
}

#if KILN_CONV_ASM
// The same for three columns, scheduled by hand: GCC spills with fourteen live registers. Each
// step loads five words back to back (one cycle each after the first) and issues six SMLADs;
// two groups per pass, entered halfway for an odd group count.
#define KILN_CONV_STEP                    \
  "ldr %[a], [%[f]], #4\n\t"              \
  "ldr %[b], [%[f]], #4\n\t"              \
  "ldr %[x0], [%[c]], #4\n\t"             \
  "ldr %[x1], [%[c]], #4\n\t"             \
  "ldr %[x2], [%[c]], #4\n\t"             \
  "smlad %[s00], %[a], %[x0], %[s00]\n\t" \
  "smlad %[s01], %[a], %[x1], %[s01]\n\t" \
  "smlad %[s02], %[a], %[x2], %[s02]\n\t" \
  "smlad %[s10], %[b], %[x0], %[s10]\n\t" \
  "smlad %[s11], %[b], %[x1], %[s11]\n\t" \
  "smlad %[s12], %[b], %[x2], %[s12]\n\t"

template <>
inline void packed_mac<3>(const int32_t* f, const int32_t* cols, int32_t groups,
                          int32_t (&acc)[2][3]) {
  int32_t s00 = acc[0][0], s01 = acc[0][1], s02 = acc[0][2];
  int32_t s10 = acc[1][0], s11 = acc[1][1], s12 = acc[1][2];
  const int32_t* const end = cols + 6 * groups;
  int32_t a = groups & 1, b, x0, x1, x2;
  __asm__(
      "cmp %[a], #0\n\t"
      "bne 2f\n"
      "1:\n\t" KILN_CONV_STEP KILN_CONV_STEP "2:\n\t" KILN_CONV_STEP KILN_CONV_STEP
      "cmp %[c], %[end]\n\t"
      "bne 1b\n\t"
      : [s00] "+r"(s00), [s01] "+r"(s01), [s02] "+r"(s02), [s10] "+r"(s10), [s11] "+r"(s11),
        [s12] "+r"(s12), [f] "+r"(f), [c] "+r"(cols), [a] "+r"(a), [b] "=&r"(b), [x0] "=&r"(x0),
        [x1] "=&r"(x1), [x2] "=&r"(x2)
      : [end] "r"(end)
      : "cc", "memory");
  acc[0][0] = s00;
  acc[0][1] = s01;
  acc[0][2] = s02;
  acc[1][0] = s10;
  acc[1][1] = s11;
  acc[1][2] = s12;
}
#undef KILN_CONV_STEP
#endif

// The filter packed ahead of time (conv2d_int8_fast_pack_filter): the row pairs one after the
// other, 4 * groups words each; the cursor walks them.
struct PackedFilter {
  static const bool kPlanes = true;  // runs depth-one inputs from a plane (plane_shape_of)
  const int32_t* data;
  typedef const int32_t* Cursor;
  Cursor begin() const { return data; }
  template <int P>
  void accumulate(Cursor& f, bool, int32_t, int32_t groups, const int32_t* cols,
                  int32_t (&acc)[2][P]) const {
    packed_mac<P>(f, cols, groups, acc);
    f += 4 * groups;
  }
};

// Four int8 weights of a row as a word, those at or past the row's end as zeros.
inline int32_t weight_word(const int8_t* w, int32_t count) {
  if (count >= 4) return simd32::load4(w);
  uint32_t v = 0;
  for (int32_t i = 0; i < count; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(w[i])) << (8 * i);
  return static_cast<int32_t>(v);
}

// The filter in TFLite's layout, widened in the inner loop. Rows r and r + 1 (r twice for the
// odd last row, whose second results are dropped).
struct Int8Filter {
  static const bool kPlanes = false;
  const int8_t* data;
  typedef const int8_t* Cursor;
  Cursor begin() const { return data; }
  template <int P>
  void accumulate(Cursor& rows, bool pair, int32_t depth, int32_t groups, const int32_t* cols,
                  int32_t (&acc)[2][P]) const {
    const int8_t* w0 = rows;
    const int8_t* w1 = pair ? w0 + depth : w0;
    rows += 2 * depth;
    for (int32_t i = 0; i < groups; ++i, cols += 2 * P) {
      const int32_t left = depth - 4 * i;
      const int32_t a = weight_word(w0 + 4 * i, left), b = weight_word(w1 + 4 * i, left);
      const int32_t a_even = simd32::sxtb16(a), a_odd = simd32::sxtb16_odd(a);
      const int32_t b_even = simd32::sxtb16(b), b_odd = simd32::sxtb16_odd(b);
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) {
        const int32_t x_even = cols[p], x_odd = cols[P + p];
        acc[0][p] = simd32::smlad(a_even, x_even, acc[0][p]);
        acc[0][p] = simd32::smlad(a_odd, x_odd, acc[0][p]);
        acc[1][p] = simd32::smlad(b_even, x_even, acc[1][p]);
        acc[1][p] = simd32::smlad(b_odd, x_odd, acc[1][p]);
      }
    }
  }
};

// The whole loop over row pairs of one pass of three pixels, for the packed filter and the
// full-range table step: run() returns false where there is no such code (then multiply_rows
// runs its C++ loop), else it has stored every row pair and advanced `f` past them.
template <int P, typename Filter, typename Requant>
struct RowPairLoop {
  static bool run(const Requant&, const int32_t*, int32_t, int32_t, int8_t*, const PixelSteps&,
                  typename Filter::Cursor&) {
    return false;
  }
};

#if KILN_CONV_ASM
// What the hand-scheduled loop needs besides its registers: the block copies it to the stack
// on entry (words +4 .. +28, addressed from sp) so that the register that brought it can hold
// the end of the columns, compared in every pass of the multiply.
struct RowLoopState {
  const int32_t* col_end;           // +0
  const int32_t* cols;              // +4
  const RequantChannel* table;      // +8, channel of the current pass
  int8_t* out;                      // +12, its output byte of the first pixel
  int32_t step1, step2;             // +16, +20
  const RequantChannel* table_end;  // +24, past the last row pair
  int32_t entry_skip;               // +28, bytes of the loop skipped on entry; on the stack: the
                                    // entry address
};

// One half group of the multiply (as KILN_CONV_STEP above, registers renamed).
#define KILN_ROWS_STEP                   \
  "ldr %[wa], [%[f]], #4\n\t"            \
  "ldr %[wb], [%[f]], #4\n\t"            \
  "ldr %[x0], [%[c]], #4\n\t"            \
  "ldr %[x1], [%[c]], #4\n\t"            \
  "ldr %[x2], [%[c]], #4\n\t"            \
  "smlad %[a0], %[wa], %[x0], %[a0]\n\t" \
  "smlad %[a1], %[wa], %[x1], %[a1]\n\t" \
  "smlad %[a2], %[wa], %[x2], %[a2]\n\t" \
  "smlad %[b0], %[wb], %[x0], %[b0]\n\t" \
  "smlad %[b1], %[wb], %[x1], %[b1]\n\t" \
  "smlad %[b2], %[wb], %[x2], %[b2]\n\t"

// The output step of one channel's three results (requant_clamp<true, kPreShift>), left in
// A0..A2: the entry at %[BASE] + OFF, multiplier in wa, pre-shift in x2, rounding in wb,
// post-shift in x0.
// clang-format off
#define KILN_REQUANT3(BASE, OFF, A0, A1, A2, LOAD_PRE, SHIFT_PRE)                    \
  "ldr %[wa], [%[" BASE "], #" OFF "+4]\n\t" LOAD_PRE                                \
  "ldr %[wb], [%[" BASE "], #" OFF "+12]\n\t"                                        \
  "ldr %[x0], [%[" BASE "], #" OFF "+16]\n\t"                                        \
  "smmlar %[" A0 "], %[" A0 "], %[wa], %[" A0 "]\n\t"                                \
  "smmlar %[" A1 "], %[" A1 "], %[wa], %[" A1 "]\n\t"                                \
  "smmlar %[" A2 "], %[" A2 "], %[wa], %[" A2 "]\n\t"                                \
  "sub %[" A0 "], %[" A0 "], %[" A0 "], lsr #31\n\t"                                 \
  "sub %[" A1 "], %[" A1 "], %[" A1 "], lsr #31\n\t"                                 \
  "sub %[" A2 "], %[" A2 "], %[" A2 "], lsr #31\n\t" SHIFT_PRE                       \
  "qadd %[" A0 "], %[" A0 "], %[wb]\n\t"                                             \
  "qadd %[" A1 "], %[" A1 "], %[wb]\n\t"                                             \
  "qadd %[" A2 "], %[" A2 "], %[wb]\n\t"                                             \
  "asr %[" A0 "], %[" A0 "], %[x0]\n\t"                                              \
  "asr %[" A1 "], %[" A1 "], %[x0]\n\t"                                              \
  "asr %[" A2 "], %[" A2 "], %[x0]\n\t"                                              \
  "ssat %[" A0 "], #8, %[" A0 "]\n\t"                                                \
  "ssat %[" A1 "], #8, %[" A1 "]\n\t"                                                \
  "ssat %[" A2 "], #8, %[" A2 "]\n\t"
// clang-format on
#define KILN_ROWS_REQUANT(OFF, A0, A1, A2, LOAD_PRE, SHIFT_PRE) \
  KILN_REQUANT3("x1", OFF, A0, A1, A2, LOAD_PRE, SHIFT_PRE)

#define KILN_ROWS_LOAD_PRE(OFF) "ldr %[x2], [%[x1], #" OFF "+8]\n\t"
#define KILN_ROWS_SHIFT_PRE(A0, A1, A2) \
  "asr %[" A0 "], %[" A0                \
  "], %[x2]\n\t"                        \
  "asr %[" A1 "], %[" A1                \
  "], %[x2]\n\t"                        \
  "asr %[" A2 "], %[" A2 "], %[x2]\n\t"

// On entry: the state to the stack, the column end into %[st], and the address where each pass
// enters the multiply (eight groups per loop pass; the first pass does groups % 8 of them, or
// eight) computed once, with the Thumb bit set for the jump. Per pass: the biases start the
// accumulators, a jump to that address, the multiply, both channels' output steps, the two
// channels' bytes of each pixel stored as one halfword, then the state moves to the next row pair.
#define KILN_ROWS_LOOP(REQUANT, HEAD, SKIP_TEST, SKIP_BLOCK)                                    \
  "sub sp, sp, #32\n\t"                                                                         \
  "ldr %[x0], [%[st], #4]\n\t"                                                                  \
  "str %[x0], [sp, #4]\n\t"                                                                     \
  "ldr %[x0], [%[st], #8]\n\t"                                                                  \
  "str %[x0], [sp, #8]\n\t"                                                                     \
  "ldr %[x0], [%[st], #12]\n\t"                                                                 \
  "str %[x0], [sp, #12]\n\t"                                                                    \
  "ldr %[x0], [%[st], #16]\n\t"                                                                 \
  "str %[x0], [sp, #16]\n\t"                                                                    \
  "ldr %[x0], [%[st], #20]\n\t"                                                                 \
  "str %[x0], [sp, #20]\n\t"                                                                    \
  "ldr %[x0], [%[st], #24]\n\t"                                                                 \
  "str %[x0], [sp, #24]\n\t"                                                                    \
  "ldr %[x0], [%[st], #28]\n\t"                                                                 \
  "ldr %[st], [%[st], #0]\n\t"                                                                  \
  "adr.w %[x1], 1f\n\t"                                                                         \
  "add %[x1], %[x1], %[x0]\n\t"                                                                 \
  "orr %[x1], %[x1], #1\n\t"                                                                    \
  "str %[x1], [sp, #28]\n\t"                                                                    \
  "ldr %[x1], [sp, #8]\n"                                                                       \
  "0:\n\t"                                                                                      \
  "ldr %[c], [sp, #4]\n\t"                                                                      \
  "ldr %[a0], [%[x1], #0]\n\t"                                                                  \
  "ldr %[b0], [%[x1], #20]\n\t" SKIP_TEST HEAD                                                  \
  "1:\n\t" KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP           \
      KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP \
          KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP KILN_ROWS_STEP            \
  ".if . - 1b - 704\n\t"                                                                        \
  ".error \"conv2d_fast: the entry offsets assume 44-byte steps\"\n\t"                          \
  ".endif\n\t"                                                                                  \
  "cmp %[c], %[st]\n\t"                                                                         \
  "bne 1b\n"                                                                                    \
  "8:\n\t"                                                                                      \
  "ldr %[x1], [sp, #8]\n\t" REQUANT                                                             \
  "2:\n\t"                                                                                      \
  "bfi %[a0], %[b0], #8, #8\n\t"                                                                \
  "bfi %[a1], %[b1], #8, #8\n\t"                                                                \
  "bfi %[a2], %[b2], #8, #8\n\t"                                                                \
  "ldr %[wa], [sp, #16]\n\t"                                                                    \
  "ldr %[wb], [sp, #20]\n\t"                                                                    \
  "strh %[a0], [%[c]]\n\t"                                                                      \
  "strh %[a1], [%[c], %[wa]]\n\t"                                                               \
  "strh %[a2], [%[c], %[wb]]\n\t"                                                               \
  "add %[c], %[c], #2\n\t"                                                                      \
  "add %[x1], %[x1], #40\n\t"                                                                   \
  "ldr %[x0], [sp, #24]\n\t"                                                                    \
  "str %[x1], [sp, #8]\n\t"                                                                     \
  "str %[c], [sp, #12]\n\t"                                                                     \
  "cmp %[x1], %[x0]\n\t"                                                                        \
  "bne 0b\n\t"                                                                                  \
  "add sp, sp, #32\n\t" SKIP_BLOCK

// The output steps of both channels after the multiply, the table entry at %[x1], leaving the
// output pointer in %[c]: from the table as built, with or without the pre-shift.
#define KILN_ROWS_TABLE(LOAD_PRE0, SHIFT_PRE0, LOAD_PRE1, SHIFT_PRE1)                       \
  "ldr %[c], [sp, #12]\n\t" KILN_ROWS_REQUANT("0", "a0", "a1", "a2", LOAD_PRE0, SHIFT_PRE0) \
      KILN_ROWS_REQUANT("20", "b0", "b1", "b2", LOAD_PRE1, SHIFT_PRE1)

// The doubled output step (requant_doubled) of one channel, x2 and c as temporaries.
#define KILN_ROWS_DOUBLED(OFF, A0, A1, A2) \
  "ldr %[wa], [%[x1], #" OFF               \
  "+4]\n\t"                                \
  "ldr %[wb], [%[x1], #" OFF               \
  "+12]\n\t"                               \
  "ldr %[x0], [%[x1], #" OFF               \
  "+16]\n\t"                               \
  "smmlar %[x2], %[" A0                    \
  "], %[wa], %[wb]\n\t"                    \
  "smmlar %[c], %[" A1                     \
  "], %[wa], %[wb]\n\t"                    \
  "sub %[" A0 "], %[x2], %[" A0            \
  "], lsr #31\n\t"                         \
  "smmlar %[x2], %[" A2                    \
  "], %[wa], %[wb]\n\t"                    \
  "sub %[" A1 "], %[c], %[" A1             \
  "], lsr #31\n\t"                         \
  "sub %[" A2 "], %[x2], %[" A2            \
  "], lsr #31\n\t"                         \
  "asr %[" A0 "], %[" A0                   \
  "], %[x0]\n\t"                           \
  "asr %[" A1 "], %[" A1                   \
  "], %[x0]\n\t"                           \
  "asr %[" A2 "], %[" A2                   \
  "], %[x0]\n\t"                           \
  "ssat %[" A0 "], #8, %[" A0              \
  "]\n\t"                                  \
  "ssat %[" A1 "], #8, %[" A1              \
  "]\n\t"                                  \
  "ssat %[" A2 "], #8, %[" A2 "]\n\t"
#define KILN_ROWS_TABLE_DOUBLED            \
  KILN_ROWS_DOUBLED("0", "a0", "a1", "a2") \
  KILN_ROWS_DOUBLED("20", "b0", "b1", "b2") "ldr %[c], [sp, #12]\n\t"

#define KILN_ROWS_OPERANDS                                                          \
  : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [b0] "=&r"(b0), [b1] "=&r"(b1),        \
    [b2] "=&r"(b2), [wa] "=&r"(wa), [wb] "=&r"(wb), [x0] "=&r"(x0), [x1] "=&r"(x1),        \
    [x2] "=&r"(x2), [c] "=&r"(c), [f] "+r"(f), [st] "+r"(state)                            \
  :                                                                                        \
  : "cc", "memory"

// How a row pair's multiply starts, the biases in a0 and b0. Where the group count is a multiple
// of eight, the biases are copied to the other accumulators and every loop pass is whole.
// Otherwise the first step adds its products to the biases as it starts the accumulators (a0
// and b0 last), and the jump to the entry address leaves the other 2 * groups - 1 steps.
#define KILN_ROWS_HEAD_WHOLE \
  "mov %[a1], %[a0]\n\t"     \
  "mov %[a2], %[a0]\n\t"     \
  "mov %[b1], %[b0]\n\t"     \
  "mov %[b2], %[b0]\n\t"
#define KILN_ROWS_HEAD_ENTER             \
  "ldr %[wa], [%[f]], #4\n\t"            \
  "ldr %[wb], [%[f]], #4\n\t"            \
  "ldr %[x0], [%[c]], #4\n\t"            \
  "ldr %[x1], [%[c]], #4\n\t"            \
  "ldr %[x2], [%[c]], #4\n\t"            \
  "smlad %[a1], %[wa], %[x1], %[a0]\n\t" \
  "smlad %[a2], %[wa], %[x2], %[a0]\n\t" \
  "smlad %[a0], %[wa], %[x0], %[a0]\n\t" \
  "smlad %[b1], %[wb], %[x1], %[b0]\n\t" \
  "smlad %[b2], %[wb], %[x2], %[b0]\n\t" \
  "smlad %[b0], %[wb], %[x0], %[b0]\n\t" \
  "ldr pc, [sp, #28]\n"

template <bool kPreShift, bool kWholeLoops>
__attribute__((always_inline)) inline const int32_t* row_pairs3(RowLoopState* st,
                                                                const int32_t* f) {
  int32_t a0, a1, a2, b0, b1, b2, wa, wb, x0, x1, x2;
  const int32_t* c;
  uintptr_t state = reinterpret_cast<uintptr_t>(st);  // holds the column end inside the block
#define KILN_ROWS_TABLE_PRE                                                       \
  KILN_ROWS_TABLE(KILN_ROWS_LOAD_PRE("0"), KILN_ROWS_SHIFT_PRE("a0", "a1", "a2"), \
                  KILN_ROWS_LOAD_PRE("20"), KILN_ROWS_SHIFT_PRE("b0", "b1", "b2"))
  if (kPreShift && kWholeLoops) {
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE_PRE, KILN_ROWS_HEAD_WHOLE, "", "")
                         KILN_ROWS_OPERANDS);
  } else if (kPreShift) {
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE_PRE, KILN_ROWS_HEAD_ENTER, "", "")
                         KILN_ROWS_OPERANDS);
  } else if (kWholeLoops) {
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE("", "", "", ""), KILN_ROWS_HEAD_WHOLE, "", "")
                         KILN_ROWS_OPERANDS);
  } else {
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE("", "", "", ""), KILN_ROWS_HEAD_ENTER, "", "")
                         KILN_ROWS_OPERANDS);
  }
#undef KILN_ROWS_TABLE_PRE
  return f;
}

// The row loop for DoubledRequant (columns and biases doubled, table_doubled entries). With
// kSkips, the pre-shift field of a row pair's first entry (unused by the doubled step) says how
// to multiply it: 0 both rows; above 2 (the pair's filter bytes) neither, its weights being all
// zero: the sums are 0, the accumulators the biases (with whole loops, the biases are the
// outputs themselves and are stored without the output step). With whole loops also 1: row a alone,
// row b being all zero; 2: row b alone. A single row's step loads its weight word (every other word
// of the pair) and the three column words and issues three SMLADs.
#define KILN_ROWS_SKIP_TEST    \
  "ldr %[x0], [%[x1], #8]\n\t" \
  "cmp %[x0], #0\n\t"          \
  "bne 7f\n\t"
#define KILN_ROWS_SKIP_BLOCK  \
  "b 9f\n"                    \
  "7:\n\t"                    \
  "add %[f], %[f], %[x0]\n\t" \
  "mov %[a1], %[a0]\n\t"      \
  "mov %[a2], %[a0]\n\t"      \
  "mov %[b1], %[b0]\n\t"      \
  "mov %[b2], %[b0]\n\t"      \
  "b 8b\n"                    \
  "9:\n\t"
#define KILN_ROWS_ONE_STEP(W, A0, A1, A2)   \
  "ldr %[" W                                \
  "], [%[f]], #8\n\t"                       \
  "ldr %[x0], [%[c]], #4\n\t"               \
  "ldr %[x1], [%[c]], #4\n\t"               \
  "ldr %[x2], [%[c]], #4\n\t"               \
  "smlad %[" A0 "], %[" W "], %[x0], %[" A0 \
  "]\n\t"                                   \
  "smlad %[" A1 "], %[" W "], %[x1], %[" A1 \
  "]\n\t"                                   \
  "smlad %[" A2 "], %[" W "], %[x2], %[" A2 "]\n\t"
#define KILN_ROWS_ONE_4(W, A0, A1, A2) \
  KILN_ROWS_ONE_STEP(W, A0, A1, A2)    \
  KILN_ROWS_ONE_STEP(W, A0, A1, A2)    \
  KILN_ROWS_ONE_STEP(W, A0, A1, A2) KILN_ROWS_ONE_STEP(W, A0, A1, A2)
#define KILN_ROWS_ONE_16(W, A0, A1, A2) \
  KILN_ROWS_ONE_4(W, A0, A1, A2)        \
  KILN_ROWS_ONE_4(W, A0, A1, A2) KILN_ROWS_ONE_4(W, A0, A1, A2) KILN_ROWS_ONE_4(W, A0, A1, A2)
#define KILN_ROWS_SKIP_BLOCK_ROWS \
  "b 9f\n"                                                       \
  "7:\n\t"                                                       \
  "mov %[a1], %[a0]\n\t"                                         \
  "mov %[a2], %[a0]\n\t"                                         \
  "mov %[b1], %[b0]\n\t"                                         \
  "mov %[b2], %[b0]\n\t"                                         \
  "cmp %[x0], #2\n\t"                                            \
  "bhi 6f\n\t"                                                   \
  "beq 5f\n"                                                     \
  "4:\n\t" KILN_ROWS_ONE_16("wa", "a0", "a1", "a2")                \
  "cmp %[c], %[st]\n\t"                                          \
  "bne 4b\n\t"                                                   \
  "b 8b\n"                                                       \
  "5:\n\t"                                                       \
  "add %[f], %[f], #4\n"                                         \
  "3:\n\t" KILN_ROWS_ONE_16("wb", "b0", "b1", "b2")                \
  "cmp %[c], %[st]\n\t"                                          \
  "bne 3b\n\t"                                                   \
  "sub %[f], %[f], #4\n\t"                                       \
  "b 8b\n"                                                       \
  "6:\n\t"                                                       \
  "add %[f], %[f], %[x0]\n\t"                                    \
  "ldr %[c], [sp, #12]\n\t" \
  "b 2b\n" \
  "9:\n\t"
template <bool kWholeLoops, bool kSkips>
__attribute__((noinline)) const int32_t* row_pairs3_doubled_call(RowLoopState* st,
                                                                 const int32_t* f) {
  int32_t a0, a1, a2, b0, b1, b2, wa, wb, x0, x1, x2;
  const int32_t* c;
  uintptr_t state = reinterpret_cast<uintptr_t>(st);
  if (kWholeLoops && kSkips)
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE_DOUBLED, KILN_ROWS_HEAD_WHOLE,
                                    KILN_ROWS_SKIP_TEST, KILN_ROWS_SKIP_BLOCK_ROWS)
                         KILN_ROWS_OPERANDS);
  else if (kSkips)
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE_DOUBLED, KILN_ROWS_HEAD_ENTER,
                                    KILN_ROWS_SKIP_TEST, KILN_ROWS_SKIP_BLOCK) KILN_ROWS_OPERANDS);
  else if (kWholeLoops)
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE_DOUBLED, KILN_ROWS_HEAD_WHOLE, "", "")
                         KILN_ROWS_OPERANDS);
  else
    __asm__ volatile(KILN_ROWS_LOOP(KILN_ROWS_TABLE_DOUBLED, KILN_ROWS_HEAD_ENTER, "", "")
                         KILN_ROWS_OPERANDS);
  return f;
}
#undef KILN_ROWS_SKIP_TEST
#undef KILN_ROWS_SKIP_BLOCK
#undef KILN_ROWS_ONE_STEP
#undef KILN_ROWS_ONE_4
#undef KILN_ROWS_ONE_16
#undef KILN_ROWS_SKIP_BLOCK_ROWS
// The same out of line (one copy of each variant; a call costs about what the spills around an
// inlined block would).
template <bool kPreShift, bool kWholeLoops>
__attribute__((noinline)) const int32_t* row_pairs3_call(RowLoopState* st, const int32_t* f) {
  return row_pairs3<kPreShift, kWholeLoops>(st, f);
}
// Layers of at most eight groups (the shallow ones: 3x3 windows of three channels, pointwise
// layers of up to 32 channels) run a copy of the row loop with the multiply unrolled for their
// group count. The columns are then read at fixed offsets from a register that stays put, so a
// row pair needs no entry jump, no column reload and no end compare, and the freed register
// keeps the table pointer; the output pointer, the pixel steps and the table end live on the
// stack. Step OFF (bytes into the columns) of the multiply:
#define KILN_FIX_STEP(OFF)               \
  "ldr %[wa], [%[f]], #4\n\t"            \
  "ldr %[wb], [%[f]], #4\n\t"            \
  "ldr %[x0], [%[c], #" OFF              \
  "]\n\t"                                \
  "ldr %[x1], [%[c], #" OFF              \
  "+4]\n\t"                              \
  "ldr %[x2], [%[c], #" OFF              \
  "+8]\n\t"                              \
  "smlad %[a0], %[wa], %[x0], %[a0]\n\t" \
  "smlad %[a1], %[wa], %[x1], %[a1]\n\t" \
  "smlad %[a2], %[wa], %[x2], %[a2]\n\t" \
  "smlad %[b0], %[wb], %[x0], %[b0]\n\t" \
  "smlad %[b1], %[wb], %[x1], %[b1]\n\t" \
  "smlad %[b2], %[wb], %[x2], %[b2]\n\t"
// The steps after the first, 2 * groups - 1 of them.
#define KILN_FIX_S1 KILN_FIX_STEP("12")
#define KILN_FIX_S3 KILN_FIX_S1 KILN_FIX_STEP("24") KILN_FIX_STEP("36")
#define KILN_FIX_S5 KILN_FIX_S3 KILN_FIX_STEP("48") KILN_FIX_STEP("60")
#define KILN_FIX_S7 KILN_FIX_S5 KILN_FIX_STEP("72") KILN_FIX_STEP("84")
#define KILN_FIX_S9 KILN_FIX_S7 KILN_FIX_STEP("96") KILN_FIX_STEP("108")
#define KILN_FIX_S11 KILN_FIX_S9 KILN_FIX_STEP("120") KILN_FIX_STEP("132")
#define KILN_FIX_S13 KILN_FIX_S11 KILN_FIX_STEP("144") KILN_FIX_STEP("156")
#define KILN_FIX_S15 KILN_FIX_S13 KILN_FIX_STEP("168") KILN_FIX_STEP("180")

// The first step starts the accumulators from the biases in a0 and b0 (a0 and b0 last).
#define KILN_FIX_HEAD                    \
  "ldr %[wa], [%[f]], #4\n\t"            \
  "ldr %[wb], [%[f]], #4\n\t"            \
  "ldr %[x0], [%[c]]\n\t"                \
  "ldr %[x1], [%[c], #4]\n\t"            \
  "ldr %[x2], [%[c], #8]\n\t"            \
  "smlad %[a1], %[wa], %[x1], %[a0]\n\t" \
  "smlad %[a2], %[wa], %[x2], %[a0]\n\t" \
  "smlad %[a0], %[wa], %[x0], %[a0]\n\t" \
  "smlad %[b1], %[wb], %[x1], %[b0]\n\t" \
  "smlad %[b2], %[wb], %[x2], %[b0]\n\t" \
  "smlad %[b0], %[wb], %[x0], %[b0]\n\t"

// The output step of one channel (as KILN_ROWS_REQUANT), its entry at %[t] + OFF.
#define KILN_FIX_REQUANT(OFF, A0, A1, A2, LOAD_PRE, SHIFT_PRE) \
  KILN_REQUANT3("t", OFF, A0, A1, A2, LOAD_PRE, SHIFT_PRE)
#define KILN_FIX_LOAD_PRE(OFF) "ldr %[x2], [%[t], #" OFF "+8]\n\t"

// The output step of one channel where the accumulators hold twice the sum (the pointwise pass
// loop doubles its columns) and the entry holds twice the bias, the multiplier M itself and the
// rounding C (pointwise_table_double): SMMLAR(2 * acc, M, C) = C + floor((2 * acc * M + 2^31) /
// 2^32) is x + C of requant_fast.h without the QADD, and |x + C| < 2^31 for |acc| < 2^30, so the
// sum needs no saturation; the sign of x is that of acc for M >= 2^30 (at M = 2^30 and acc = -1,
// x = 0, but C - 1 and C floor to the same result for a right shift of at least one).
#define KILN_FIX_REQUANT_DOUBLED(OFF, A0, A1, A2) \
  "ldr %[wa], [%[t], #" OFF                       \
  "+4]\n\t"                                       \
  "ldr %[wb], [%[t], #" OFF                       \
  "+12]\n\t"                                      \
  "ldr %[x0], [%[t], #" OFF                       \
  "+16]\n\t"                                      \
  "smmlar %[x1], %[" A0                           \
  "], %[wa], %[wb]\n\t"                           \
  "smmlar %[x2], %[" A1                           \
  "], %[wa], %[wb]\n\t"                           \
  "sub %[" A0 "], %[x1], %[" A0                   \
  "], lsr #31\n\t"                                \
  "smmlar %[x1], %[" A2                           \
  "], %[wa], %[wb]\n\t"                           \
  "sub %[" A1 "], %[x2], %[" A1                   \
  "], lsr #31\n\t"                                \
  "sub %[" A2 "], %[x1], %[" A2                   \
  "], lsr #31\n\t"                                \
  "asr %[" A0 "], %[" A0                          \
  "], %[x0]\n\t"                                  \
  "asr %[" A1 "], %[" A1                          \
  "], %[x0]\n\t"                                  \
  "asr %[" A2 "], %[" A2                          \
  "], %[x0]\n\t"                                  \
  "ssat %[" A0 "], #8, %[" A0                     \
  "]\n\t"                                         \
  "ssat %[" A1 "], #8, %[" A1                     \
  "]\n\t"                                         \
  "ssat %[" A2 "], #8, %[" A2 "]\n\t"

// Per row pair: the biases, the multiply, both channels' output steps, the two channels' bytes
// of each pixel stored as one halfword. The columns in %[c], the table in %[t]; on the stack
// the output pointer (+0), the pixel steps (+4, +8) and the table end (+12).
#define KILN_FIX_ROWS(STEPS, REQUANT0, REQUANT1)                     \
  "0:\n\t"                                                           \
  "ldr %[a0], [%[t], #0]\n\t"                                        \
  "ldr %[b0], [%[t], #20]\n\t" KILN_FIX_HEAD STEPS REQUANT0 REQUANT1 \
  "bfi %[a0], %[b0], #8, #8\n\t"                                     \
  "bfi %[a1], %[b1], #8, #8\n\t"                                     \
  "bfi %[a2], %[b2], #8, #8\n\t"                                     \
  "ldr %[x1], [sp, #0]\n\t"                                          \
  "ldr %[wa], [sp, #4]\n\t"                                          \
  "ldr %[wb], [sp, #8]\n\t"                                          \
  "ldr %[x0], [sp, #12]\n\t"                                         \
  "strh %[a1], [%[x1], %[wa]]\n\t"                                   \
  "strh %[a2], [%[x1], %[wb]]\n\t"                                   \
  "strh %[a0], [%[x1]], #2\n\t"                                      \
  "str %[x1], [sp, #0]\n\t"                                          \
  "add %[t], %[t], #40\n\t"                                          \
  "cmp %[t], %[x0]\n\t"                                              \
  "bne 0b\n\t"

// One pass: %[t] holds the state block on entry (RowLoopState); the output pointer, the steps
// and the table end go to the stack, the columns to %[c], the table to %[t].
#define KILN_FIX_LOOP(STEPS, LOAD_PRE0, SHIFT_PRE0, LOAD_PRE1, SHIFT_PRE1)   \
  "sub sp, sp, #16\n\t"                                                      \
  "ldr %[x0], [%[t], #12]\n\t"                                               \
  "ldr %[x1], [%[t], #16]\n\t"                                               \
  "ldr %[x2], [%[t], #20]\n\t"                                               \
  "ldr %[wa], [%[t], #24]\n\t"                                               \
  "ldr %[c], [%[t], #4]\n\t"                                                 \
  "ldr %[t], [%[t], #8]\n\t"                                                 \
  "str %[x0], [sp, #0]\n\t"                                                  \
  "str %[x1], [sp, #4]\n\t"                                                  \
  "str %[x2], [sp, #8]\n\t"                                                  \
  "str %[wa], [sp, #12]\n\t" KILN_FIX_ROWS(                                  \
      STEPS, KILN_FIX_REQUANT("0", "a0", "a1", "a2", LOAD_PRE0, SHIFT_PRE0), \
      KILN_FIX_REQUANT("20", "b0", "b1", "b2", LOAD_PRE1, SHIFT_PRE1)) "add sp, sp, #16\n\t"

// Every pass of a pointwise layer (PointwisePassState): the three input pixels' groups widened
// into the columns and doubled (SADD16, for KILN_FIX_REQUANT_DOUBLED; a loop over the groups),
// the row pairs, the next pass. Stack: as for
// KILN_FIX_ROWS, then +16 the pass's first input pixel, +20 the channels, +24 the input end of
// the passes, +28 the offsets, +32 the columns, +36 the filter, +40 the table.
#define KILN_FIX_POINTWISE(STEPS) \
  "sub sp, sp, #48\n\t"                                                                       \
  "ldr %[a0], [%[t], #0]\n\t"                                                                 \
  "ldr %[a1], [%[t], #4]\n\t"                                                                 \
  "ldr %[a2], [%[t], #8]\n\t"                                                                 \
  "ldr %[b0], [%[t], #12]\n\t"                                                                \
  "ldr %[b1], [%[t], #16]\n\t"                                                                \
  "ldr %[b2], [%[t], #20]\n\t"                                                                \
  "str %[a0], [sp, #16]\n\t"                                                                  \
  "str %[a1], [sp, #20]\n\t"                                                                  \
  "str %[a2], [sp, #24]\n\t"                                                                  \
  "str %[b0], [sp, #28]\n\t"                                                                  \
  "str %[b1], [sp, #32]\n\t"                                                                  \
  "str %[b2], [sp, #36]\n\t"                                                                  \
  "ldr %[a0], [%[t], #24]\n\t"                                                                \
  "ldr %[a1], [%[t], #28]\n\t"                                                                \
  "ldr %[a2], [%[t], #32]\n\t"                                                                \
  "ldr %[b0], [%[t], #36]\n\t"                                                                \
  "ldr %[b1], [%[t], #40]\n\t"                                                                \
  "str %[a0], [sp, #40]\n\t"                                                                  \
  "str %[a1], [sp, #12]\n\t"                                                                  \
  "str %[a2], [sp, #0]\n\t"                                                                   \
  "str %[b0], [sp, #4]\n\t"                                                                   \
  "str %[b1], [sp, #8]\n"                                                                      \
  "5:\n\t"                                                                                    \
  "ldr %[f], [sp, #16]\n\t"                                                                   \
  "ldr %[x1], [sp, #20]\n\t"                                                                  \
  "ldr %[x2], [sp, #28]\n\t"                                                                  \
  "ldr %[c], [sp, #32]\n\t"                                                                   \
  "add %[t], %[f], %[group_bytes]\n"                                                           \
  "6:\n\t"                                                                                    \
  "ldr %[wa], [%[f]]\n\t"                                                                     \
  "ldr %[wb], [%[f], %[x1]]\n\t"                                                              \
  "ldr %[x0], [%[f], %[x1], lsl #1]\n\t"                                                      \
  "add %[f], %[f], #4\n\t"                                                                    \
  "sxtab16 %[a0], %[x2], %[wa]\n\t"                                                           \
  "sxtab16 %[a1], %[x2], %[wb]\n\t"                                                           \
  "sxtab16 %[a2], %[x2], %[x0]\n\t"                                                           \
  "sxtab16 %[b0], %[x2], %[wa], ror #8\n\t"                                                   \
  "sxtab16 %[b1], %[x2], %[wb], ror #8\n\t"                                                   \
  "sxtab16 %[b2], %[x2], %[x0], ror #8\n\t"                                                   \
  "sadd16 %[a0], %[a0], %[a0]\n\t"                                                        \
  "sadd16 %[a1], %[a1], %[a1]\n\t"                                                        \
  "sadd16 %[a2], %[a2], %[a2]\n\t"                                                        \
  "sadd16 %[b0], %[b0], %[b0]\n\t"                                                        \
  "sadd16 %[b1], %[b1], %[b1]\n\t"                                                        \
  "sadd16 %[b2], %[b2], %[b2]\n\t"                                                        \
  "str %[a0], [%[c]]\n\t"                                                                     \
  "str %[a1], [%[c], #4]\n\t"                                                                 \
  "str %[a2], [%[c], #8]\n\t"                                                                 \
  "str %[b0], [%[c], #12]\n\t"                                                                \
  "str %[b1], [%[c], #16]\n\t"                                                                \
  "str %[b2], [%[c], #20]\n\t"                                                                \
  "add %[c], %[c], #24\n\t"                                                                   \
  "cmp %[f], %[t]\n\t"                                                                        \
  "bne 6b\n\t"                                                                                \
  "ldr %[f], [sp, #16]\n\t"                                                                   \
  "add %[f], %[f], %[x1]\n\t"                                                                 \
  "add %[f], %[f], %[x1], lsl #1\n\t"                                                         \
  "str %[f], [sp, #16]\n\t"                                                                   \
  "ldr %[c], [sp, #32]\n\t"                                                                   \
  "ldr %[f], [sp, #36]\n\t"                                                                   \
  "ldr %[t], [sp, #40]\n\t" KILN_FIX_ROWS(STEPS, KILN_FIX_REQUANT_DOUBLED("0", "a0", "a1", "a2"), \
                                          KILN_FIX_REQUANT_DOUBLED("20", "b0", "b1", "b2")) \
  "ldr %[x1], [sp, #0]\n\t"                                                                   \
  "ldr %[wa], [sp, #8]\n\t"                                                                   \
  "ldr %[x0], [sp, #16]\n\t"                                                                  \
  "ldr %[wb], [sp, #24]\n\t"                                                                  \
  "add %[x1], %[x1], %[wa]\n\t"                                                               \
  "str %[x1], [sp, #0]\n\t"                                                                   \
  "cmp %[x0], %[wb]\n\t"                                                                      \
  "bne 5b\n\t"                                                                                \
  "add sp, sp, #48\n\t"

#define KILN_FIX_OPERANDS                                                           \
  : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [b0] "=&r"(b0), [b1] "=&r"(b1),        \
    [b2] "=&r"(b2), [wa] "=&r"(wa), [wb] "=&r"(wb), [x0] "=&r"(x0), [x1] "=&r"(x1),        \
    [x2] "=&r"(x2), [c] "=&r"(c), [f] "+r"(f), [t] "+r"(state)                             \
  :                                                                                        \
  : "cc", "memory"

#define KILN_FIX_POINTWISE_OPERANDS                                                 \
  : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [b0] "=&r"(b0), [b1] "=&r"(b1),        \
    [b2] "=&r"(b2), [wa] "=&r"(wa), [wb] "=&r"(wb), [x0] "=&r"(x0), [x1] "=&r"(x1),        \
    [x2] "=&r"(x2), [c] "=&r"(c), [f] "=&r"(f), [t] "+r"(state)                            \
  : [group_bytes] "i"(4 * kGroups)                                                         \
  : "cc", "memory"

#define KILN_FIX_POINTWISE_CASE(G, STEPS) \
  if (kGroups == G) __asm__ volatile(KILN_FIX_POINTWISE(STEPS) KILN_FIX_POINTWISE_OPERANDS);

#define KILN_FIX_CASE(G, STEPS)                                                               \
  if (kGroups == G) {                                                                         \
    if (kPreShift)                                                                            \
      __asm__ volatile(KILN_FIX_LOOP(                                                         \
          STEPS, KILN_FIX_LOAD_PRE("0"), KILN_ROWS_SHIFT_PRE("a0", "a1", "a2"),               \
          KILN_FIX_LOAD_PRE("20"), KILN_ROWS_SHIFT_PRE("b0", "b1", "b2")) KILN_FIX_OPERANDS); \
    else                                                                                      \
      __asm__ volatile(KILN_FIX_LOOP(STEPS, "", "", "", "") KILN_FIX_OPERANDS);               \
  }

// Every row pair of one pass for a layer of kGroups groups (1 to 8); returns the filter pointer
// past them.
template <bool kPreShift, int kGroups>
__attribute__((noinline)) const int32_t* row_pairs3_fixed(RowLoopState* st, const int32_t* f) {
  int32_t a0, a1, a2, b0, b1, b2, wa, wb, x0, x1, x2;
  const int32_t* c;
  uintptr_t state = reinterpret_cast<uintptr_t>(st);
  KILN_FIX_CASE(1, KILN_FIX_S1)
  KILN_FIX_CASE(2, KILN_FIX_S3)
  KILN_FIX_CASE(3, KILN_FIX_S5)
  KILN_FIX_CASE(4, KILN_FIX_S7)
  KILN_FIX_CASE(5, KILN_FIX_S9)
  KILN_FIX_CASE(6, KILN_FIX_S11)
  KILN_FIX_CASE(7, KILN_FIX_S13)
  KILN_FIX_CASE(8, KILN_FIX_S15)
  return f;
}

// What the pointwise pass loop reads (copied to its stack on entry).
struct PointwisePassState {
  const int8_t* src;                // +0, the first pass's first input pixel
  int32_t channels;                 // +4, input bytes per pixel (4 * groups)
  const int8_t* src_end;            // +8, src after the last pass
  int32_t offsets;                  // +12, the input offset in both halves
  int32_t* cols;                    // +16
  const int32_t* filter;            // +20, packed
  const RequantChannel* table;      // +24
  const RequantChannel* table_end;  // +28
  int8_t* out;                      // +32, the first pass's output
  int32_t step1, step2;             // +36, +40: the output channels, twice that
};

// Every pass of three pixels of a pointwise layer with stride 1, kGroups groups (1 to 8) and an
// even number of output channels: the columns widened and the row pairs multiplied in one block,
// without a call per pass. Each pass reads its three input pixels before it writes their
// outputs, as the C++ loop does.
template <int kGroups>
__attribute__((noinline)) void pointwise_passes_fixed(PointwisePassState* st) {
  int32_t a0, a1, a2, b0, b1, b2, wa, wb, x0, x1, x2;
  const int32_t* c;
  const int32_t* f;
  uintptr_t state = reinterpret_cast<uintptr_t>(st);
  KILN_FIX_POINTWISE_CASE(1, KILN_FIX_S1)
  KILN_FIX_POINTWISE_CASE(2, KILN_FIX_S3)
  KILN_FIX_POINTWISE_CASE(3, KILN_FIX_S5)
  KILN_FIX_POINTWISE_CASE(4, KILN_FIX_S7)
  KILN_FIX_POINTWISE_CASE(5, KILN_FIX_S9)
  KILN_FIX_POINTWISE_CASE(6, KILN_FIX_S11)
  KILN_FIX_POINTWISE_CASE(7, KILN_FIX_S13)
  KILN_FIX_POINTWISE_CASE(8, KILN_FIX_S15)
}

// The table entries as KILN_FIX_REQUANT_DOUBLED reads them: twice the bias, the multiplier M
// (the entry held 2M). Only where no entry has a pre-shift and twice every partial sum fits:
// |bias| + depth * 128 * 255 < 2^30 (a weight times an input plus its offset is at most
// 128 * 255 in magnitude). False, with the table unchanged, otherwise.
inline bool pointwise_table_double(RequantChannel* table, int32_t rows, int32_t depth) {
  const int64_t sums = static_cast<int64_t>(depth) * 128 * 255;
  for (int32_t c = 0; c < rows; ++c) {
    const int64_t bias = table[c].bias;
    if (table[c].pre_shift != 0 || (bias < 0 ? -bias : bias) + sums >= (int64_t{1} << 30))
      return false;
  }
  for (int32_t c = 0; c < rows; ++c) {
    table[c].bias *= 2;
    table[c].multiplier2 = static_cast<int32_t>(static_cast<uint32_t>(table[c].multiplier2) >> 1);
  }
  return true;
}

// Undoes pointwise_table_double, for the pixels after the passes.
inline void pointwise_table_restore(RequantChannel* table, int32_t rows) {
  for (int32_t c = 0; c < rows; ++c) {
    table[c].bias /= 2;
    table[c].multiplier2 = static_cast<int32_t>(static_cast<uint32_t>(table[c].multiplier2) << 1);
  }
}

// The pointwise pass loop for `groups` from 1 to 8 without pre-shifts; false otherwise.
template <bool kPreShift>
bool pointwise_passes_any(PointwisePassState* st, int32_t groups) {
  if (kPreShift) return false;
  switch (groups) {
    case 1:
      pointwise_passes_fixed<1>(st);
      return true;
    case 2:
      pointwise_passes_fixed<2>(st);
      return true;
    case 3:
      pointwise_passes_fixed<3>(st);
      return true;
    case 4:
      pointwise_passes_fixed<4>(st);
      return true;
    case 5:
      pointwise_passes_fixed<5>(st);
      return true;
    case 6:
      pointwise_passes_fixed<6>(st);
      return true;
    case 7:
      pointwise_passes_fixed<7>(st);
      return true;
    case 8:
      pointwise_passes_fixed<8>(st);
      return true;
    default:
      return false;
  }
}
#undef KILN_FIX_STEP
#undef KILN_FIX_S1
#undef KILN_FIX_S3
#undef KILN_FIX_S5
#undef KILN_FIX_S7
#undef KILN_FIX_S9
#undef KILN_FIX_S11
#undef KILN_FIX_S13
#undef KILN_FIX_S15
#undef KILN_FIX_HEAD
#undef KILN_FIX_REQUANT
#undef KILN_FIX_REQUANT_DOUBLED
#undef KILN_FIX_LOAD_PRE
#undef KILN_FIX_ROWS
#undef KILN_FIX_LOOP
#undef KILN_FIX_POINTWISE
#undef KILN_FIX_OPERANDS
#undef KILN_FIX_POINTWISE_OPERANDS
#undef KILN_FIX_CASE
#undef KILN_FIX_POINTWISE_CASE

#undef KILN_ROWS_STEP
#undef KILN_ROWS_REQUANT
#undef KILN_REQUANT3
#undef KILN_ROWS_LOAD_PRE
#undef KILN_ROWS_SHIFT_PRE
#undef KILN_ROWS_LOOP
#undef KILN_ROWS_OPERANDS
#undef KILN_ROWS_HEAD_WHOLE
#undef KILN_ROWS_HEAD_ENTER
#undef KILN_ROWS_TABLE
#undef KILN_ROWS_DOUBLED
#undef KILN_ROWS_TABLE_DOUBLED

// Bytes of the 16-step loop the first pass skips (a step is eleven 32-bit instructions, 44
// bytes): 0 for a multiple of eight groups (whole passes), else those that leave the
// 2 * groups - 1 steps after the head's first one.
inline int32_t entry_skip(int32_t groups) {
  if ((groups & 7) == 0) return 0;
  return (16 - ((2 * groups - 1) & 15)) * 44;
}

// The row loop for `groups`: the unrolled copy up to eight groups (without pre-shifts: copies
// with them would double that code for layers the models here do not have), else the general
// loop. Chosen once per layer where the passes share it.
typedef const int32_t* (*RowPairsFn)(RowLoopState*, const int32_t*);

template <bool kPreShift>
RowPairsFn row_pairs3_select(int32_t groups) {
  if (!kPreShift && groups <= 8) {
    switch (groups) {
      case 1:
        return &row_pairs3_fixed<false, 1>;
      case 2:
        return &row_pairs3_fixed<false, 2>;
      case 3:
        return &row_pairs3_fixed<false, 3>;
      case 4:
        return &row_pairs3_fixed<false, 4>;
      case 5:
        return &row_pairs3_fixed<false, 5>;
      case 6:
        return &row_pairs3_fixed<false, 6>;
      case 7:
        return &row_pairs3_fixed<false, 7>;
      default:
        return &row_pairs3_fixed<false, 8>;
    }
  }
  return entry_skip(groups) == 0 ? &row_pairs3_call<kPreShift, true>
                                 : &row_pairs3_call<kPreShift, false>;
}

template <bool kPreShift>
struct RowPairLoop<3, PackedFilter, TableRequant<true, kPreShift> > {
  static bool run(const TableRequant<true, kPreShift>& requant, const int32_t* cols, int32_t groups,
                  int32_t rows, int8_t* out, const PixelSteps& steps, const int32_t*& f) {
    if (rows < 2) return false;
    RowLoopState st;
    st.col_end = cols + 6 * groups;
    st.cols = cols;
    st.table = requant.table;
    st.out = out;
    st.step1 = steps.step1;
    st.step2 = steps.step2;
    st.table_end = requant.table + (rows & ~1);
    st.entry_skip = entry_skip(groups);
    f = row_pairs3_select<kPreShift>(groups)(&st, f);
    return true;
  }
};

template <>
struct RowPairLoop<3, PackedFilter, DoubledRequant> {
  static bool run(const DoubledRequant& requant, const int32_t* cols, int32_t groups, int32_t rows,
                  int8_t* out, const PixelSteps& steps, const int32_t*& f) {
    if (rows < 2) return false;
    RowLoopState st;
    st.col_end = cols + 6 * groups;
    st.cols = cols;
    st.table = requant.table;
    st.out = out;
    st.step1 = steps.step1;
    st.step2 = steps.step2;
    st.table_end = requant.table + (rows & ~1);
    st.entry_skip = entry_skip(groups);
    const RowPairsFn fn = requant.skips
                              ? (st.entry_skip == 0 ? &row_pairs3_doubled_call<true, true>
                                                    : &row_pairs3_doubled_call<false, true>)
                              : (st.entry_skip == 0 ? &row_pairs3_doubled_call<true, false>
                                                    : &row_pairs3_doubled_call<false, false>);
    f = fn(&st, f);
    return true;
  }
};

#endif

// Every filter row times the P columns, two rows at a time, the results stored to `out` (the
// first pixel's output) and the other pixels' places after it.
template <int P, typename Filter, typename Requant>
void multiply_rows(const ConvGeometry& g, const Filter& filter, const Requant& requant_in,
                   const int32_t* cols, int8_t* out, const PixelSteps& steps_in) {
  // Local copies: the asm blocks clobber memory, and values read through references would be
  // reloaded after each.
  const Requant requant = requant_in;
  const PixelSteps steps = steps_in;
  const int32_t rows = g.out.c, depth = g.depth, groups = g.groups;
  typename Filter::Cursor f = filter.begin();
  int32_t r = 0;
  if (RowPairLoop<P, Filter, Requant>::run(requant, cols, groups, rows, out, steps, f))
    r = rows & ~1;
  for (; r + 1 < rows; r += 2) {
    int32_t acc[2][P];
    const int32_t bias0 = requant.bias(r), bias1 = requant.bias(r + 1);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) {
      acc[0][p] = bias0;
      acc[1][p] = bias1;
    }
    filter.template accumulate<P>(f, true, depth, groups, cols, acc);
    requant.template store_pair<P>(acc, r, out, steps);
  }
  if (r < rows) {
    int32_t acc[2][P];
    const int32_t bias0 = requant.bias(r);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) acc[0][p] = acc[1][p] = bias0;
    filter.template accumulate<P>(f, false, depth, groups, cols, acc);
    requant.template store<P>(acc[0], r, out, steps);
  }
}

// Every pixel of a pointwise layer with stride 1, whole groups and more than eight of them, with
// the doubled output step (the table rewritten by table_doubled): three pixels per pass, their
// columns doubled, then the last one or two pixels with the last column repeated.
template <typename Filter>
void pointwise_doubled(const ConvGeometry& g, const int8_t* input, int32_t offsets,
                       const Filter& filter, const RequantChannel* table, bool skips, int32_t* cols,
                       int8_t* output) {
  const int32_t rows = g.out.c, groups = g.groups, channels = g.in.c;
  const int32_t pixels = g.out.n * g.out.h * g.out.w;
  const DoubledRequant requant = {table, skips};
  PixelSteps steps = {rows, 2 * rows};
  const int8_t* src = input;
  int8_t* out = output;
  int32_t p = 0;
  for (; p + 3 <= pixels; p += 3, src += 3 * channels, out += 3 * rows) {
    widen_consecutive_doubled<3>(src, channels, groups, offsets, cols);
    multiply_rows<3>(g, filter, requant, cols, out, steps);
  }
  const int32_t count = pixels - p;
  if (count == 0) return;
  for (int32_t i = 0; i < 3; ++i) {
    const int8_t* from = src + (i < count ? i : count - 1) * channels;
    for (int32_t k = 0; k < groups; ++k) {
      const int32_t v = simd32::load4(from + 4 * k);
      cols[6 * k + i] = double_lanes(simd32::sxtab16(offsets, v));
      cols[6 * k + 3 + i] = double_lanes(simd32::sxtab16_odd(offsets, v));
    }
  }
  steps.step1 = count > 1 ? rows : 0;
  steps.step2 = steps.step1;
  multiply_rows<3>(g, filter, requant, cols, out, steps);
}

// The whole passes of layers with an even row count that are pointwise with stride 1 and whole
// groups, or of 3x3 windows of three channels: the columns and the hand-scheduled row loop alone,
// the per-pass set-up of multiply_rows done once. Returns the pixels done (from the first), 0
// where there is no such code.
template <int P, typename Filter, typename Requant>
struct TablePasses {
  static int32_t run(const ConvGeometry&, const int8_t*, int32_t, const Filter&, const Requant&,
                     const ShortRowWindows&, int8_t*, int32_t*, int8_t*) {
    return 0;
  }
};

template <bool kPreShift>
struct TablePasses<3, PackedFilter, TableRequant<true, kPreShift> > {
  static int32_t run(const ConvGeometry& g, const int8_t* input, int32_t input_offset,
                     const PackedFilter& filter, const TableRequant<true, kPreShift>& requant,
                     const ShortRowWindows& windows, int8_t* window, int32_t* cols,
                     int8_t* output) {
    const int32_t rows = g.out.c, groups = g.groups, channels = g.in.c;
    const bool pointwise =
        g.direct && g.win.stride_h == 1 && g.win.stride_w == 1 && (g.depth & 3) == 0;
    const bool rgb = !g.direct && g.filter.h == 3 && g.row_bytes == 9 && g.win.dilation_w == 1 &&
                     g.max_origin_x >= 0 && g.max_origin_y >= 0;
    const bool plane = g.plane != 0;
    if (!(pointwise || rgb || plane) || rows < 2 || (rows & 1) != 0) return 0;
    const int32_t passes = g.out.n * g.out.h * g.out.w / 3;
    const int32_t offsets = offset_pair(input_offset);
#if KILN_CONV_ASM
    RowLoopState st;
    st.col_end = cols + 6 * groups;
    st.cols = cols;
    st.step1 = rows;
    st.step2 = 2 * rows;
    st.table_end = requant.table + rows;
    st.entry_skip = entry_skip(groups);
    const RowPairsFn row_pairs = row_pairs3_select<kPreShift>(groups);
#else
    const PixelSteps steps = {rows, 2 * rows};
#endif
#if KILN_CONV_ASM
    // The table is this call's scratch (run_fast built it), so it may be rewritten.
    RequantChannel* table = const_cast<RequantChannel*>(requant.table);
    if (!kPreShift && pointwise && passes > 0 && groups <= 8 &&
        pointwise_table_double(table, rows, g.depth)) {
      PointwisePassState ps;
      ps.src = input;
      ps.channels = channels;
      ps.src_end = input + 3 * passes * channels;
      ps.offsets = offsets;
      ps.cols = cols;
      ps.filter = filter.data;
      ps.table = table;
      ps.table_end = table + rows;
      ps.out = output;
      ps.step1 = rows;
      ps.step2 = 2 * rows;
      pointwise_passes_any<kPreShift>(&ps, groups);
      pointwise_table_restore(table, rows);
      return 3 * passes;
    }
#endif
    // The doubled step saves the pre-shift's load and shifts, where some channel has one (in the
    // person-detection model, the pruned channels with huge biases and shifts); there, too,
    // row pairs with all-zero weights skip their multiply. Without pre-shifts, doubling the
    // columns costs about what the dropped QADDs save, and looking for zero pairs would cost
    // layers that have none.
    bool skips = false;
    if (kPreShift && pointwise && groups > 8 && passes > 0 &&
        table_doubled(g, const_cast<RequantChannel*>(requant.table), filter.data, &skips)) {
      // The table is this call's scratch (run_fast built it), so it may be rewritten; the pixels
      // after the passes use it too.
      pointwise_doubled(g, input, offsets, filter, requant.table, skips, cols, output);
      return g.out.n * g.out.h * g.out.w;
    }
    // One pass's multiply and output steps, its columns built.
    auto multiply_pass = [&](int8_t* pass_out) {
#if KILN_CONV_ASM
      st.table = requant.table;
      st.out = pass_out;
      row_pairs(&st, filter.data);
#else
      multiply_rows<3>(g, filter, requant, cols, pass_out, steps);
#endif
    };
    int8_t* out = output;
    if (pointwise) {
      const int8_t* src = input;  // the pass's first input pixel
      for (int32_t q = 0; q < passes; ++q, src += 3 * channels, out += 3 * rows) {
        widen_consecutive<3>(src, channels, groups, offsets, cols);
        multiply_pass(out);
      }
      return 3 * passes;
    }
    if (plane) {
      PixelCursor at = {0, 0, 0};
      for (int32_t q = 0; q < passes; ++q, out += 3 * rows) {
        plane_columns<3>(g, 3, cols, at);
        multiply_pass(out);
      }
      return 3 * passes;
    }
    // 3x3 windows of three channels: the output columns whose windows lie inside the input
    // horizontally, [x_first, x_last], and per output row (kept while the passes stay on it)
    // whether its windows' rows lie inside and the input index its column x adds x * step to,
    // so that a pass inside costs a few compares before the gathers.
    const int32_t stride_w = g.win.stride_w, step = stride_w * channels;
    const int32_t x_first = (g.win.pad_w + stride_w - 1) / stride_w;
    const int32_t x_last = (g.max_origin_x + g.win.pad_w) / stride_w;
    int32_t row_n = -1, row_y = -1, row_index = 0;
    bool row_inside = false;
    PixelCursor at = {0, 0, 0};
    for (int32_t q = 0; q < passes; ++q, out += 3 * rows) {
      if (at.y != row_y || at.n != row_n) {
        row_n = at.n;
        row_y = at.y;
        const int32_t origin_y = at.y * g.win.stride_h - g.win.pad_h;
        row_inside = origin_y >= 0 && origin_y <= g.max_origin_y;
        row_index = ((at.n * g.in.h + origin_y) * g.in.w - g.win.pad_w) * channels;
      }
      const int32_t first = row_index + at.x * step;
      if (row_inside && at.x >= x_first && at.x + 2 <= x_last && at.x + 3 <= g.out.w &&
          g.input_end - (input + first + 2 * step) >= g.word_reach) {
        gather_3x3x3_pass(input + first, step, windows.row_stride, offsets, cols);
        at.x += 2;
        at.next(g.out);
      } else if (!pass_3x3x3<3>(windows, g.out, offsets, cols, at)) {
        short_row_columns<3>(g, windows, input_offset, 3, window, cols, at);
      }
      multiply_pass(out);
    }
    return 3 * passes;
  }
};

// Every output pixel, P at a time in memory order: the P windows are read before anything of
// those pixels is written. Past the last pixel the columns repeat the last one and its results
// are stored over it again (the same values).
template <int P, typename Filter, typename Requant>
void convolve(const ConvGeometry& g, const int8_t* input, int32_t input_offset,
              const Filter& filter, const Requant& requant, int32_t* cols, int8_t* window,
              int8_t* output) {
  const int32_t pixels = g.out.n * g.out.h * g.out.w;
  const int32_t out_c = g.out.c;
  const int32_t column_words = 2 * g.groups;
  // Pointwise with stride 1 (most layers after the first): pixel p's column is input pixel p,
  // widened here without the geometry; other layers go through column_of.
  const bool consecutive = g.direct && g.win.stride_h == 1 && g.win.stride_w == 1;
  const int32_t channels = g.in.c, full_groups = g.depth >> 2, rest = g.depth & 3;
  const int32_t offsets = offset_pair(input_offset);
  const bool short_rows = !g.direct && (g.row_bytes & 3) != 0 && g.row_bytes <= 12 &&
                          g.win.dilation_w == 1 && g.max_origin_x >= 0 && g.max_origin_y >= 0;
  const ShortRowWindows windows = {
      input,          g.input_end, g.in.h,       g.in.w,         g.in.c,         g.win.stride_h,
      g.win.stride_w, g.win.pad_h, g.win.pad_w,  g.max_origin_x, g.max_origin_y, g.word_reach,
      g.filter.h,     g.row_bytes, g.row_stride, g.groups,       g.filter.w,     g.win.dilation_h};
  const bool windows_3x3x3 = short_rows && g.filter.h == 3 && g.row_bytes == 9;
  PixelCursor at = {0, 0, 0};
  const int32_t done = TablePasses<P, Filter, Requant>::run(g, input, input_offset, filter, requant,
                                                            windows, window, cols, output);
  if (done > 0) {  // the cursor at pixel `done`, for the windows after it
    at.x = done % g.out.w;
    at.y = done / g.out.w % g.out.h;
    at.n = done / (g.out.w * g.out.h);
  }
  for (int32_t p = done; p < pixels; p += P) {
    const int32_t count = pixels - p < P ? pixels - p : P;
    if (consecutive && count == P && rest == 0) {
      widen_consecutive<P>(input + p * channels, channels, full_groups, offsets, cols);
    } else if (consecutive) {
      for (int32_t i = 0; i < count; ++i) {
        const int8_t* src = input + (p + i) * channels;
        widen_groups_interleaved(src, full_groups, offsets, P, cols + i);
        if (rest)
          widen_partial_group(src + 4 * full_groups, rest, input_offset, P,
                              cols + i + 2 * full_groups * P);
      }
    } else if (g.plane) {
      plane_columns<P>(g, count, cols, at);
    } else if (short_rows) {
      if (!(windows_3x3x3 && count == P && pass_3x3x3<P>(windows, g.out, offsets, cols, at)))
        short_row_columns<P>(g, windows, input_offset, count, window, cols, at);
    } else {
      for (int32_t i = 0; i < count; ++i) {
        column_of<P>(g, at, input, input_offset, window, cols + i);
        at.next(g.out);
      }
    }
    for (int32_t i = count; i < P; ++i)
      for (int32_t k = 0; k < column_words; ++k) cols[k * P + i] = cols[k * P + i - 1];
    PixelSteps steps;
    steps.step1 = count > 1 ? out_c : 0;
    steps.step2 = count > 2 ? 2 * out_c : steps.step1;
    multiply_rows<P>(g, filter, requant, cols, output + p * out_c, steps);
  }
}

// Runs convolve with the table's output step, specialized for the activation range and the
// pre-shift.
template <int P, typename Filter>
void convolve_with_table(const ConvGeometry& g, const int8_t* input, int32_t input_offset,
                         const Filter& filter, const RequantChannel* table, int32_t lo, int32_t hi,
                         int32_t* cols, int8_t* window, int8_t* output) {
  const bool full = lo == -128 && hi == 127;
  const bool pre = requant_table_pre_shifts(table, g.out.c);
  if (full && !pre) {
    const TableRequant<true, false> requant = {table, lo, hi};
    convolve<P>(g, input, input_offset, filter, requant, cols, window, output);
  } else if (full) {
    const TableRequant<true, true> requant = {table, lo, hi};
    convolve<P>(g, input, input_offset, filter, requant, cols, window, output);
  } else if (!pre) {
    const TableRequant<false, false> requant = {table, lo, hi};
    convolve<P>(g, input, input_offset, filter, requant, cols, window, output);
  } else {
    const TableRequant<false, true> requant = {table, lo, hi};
    convolve<P>(g, input, input_offset, filter, requant, cols, window, output);
  }
}

// requant_table_build, channel by channel, also covering channels with a zero multiplier (a
// zero scale, e.g. of a pruned channel): the reference's result there is the zero point for
// every accumulator (the doubling high multiply by 0 is 0 whatever the shift), and the entry
// {multiplier 0, pre-shift 31, rounding 1 + 2 * zero point, post-shift 1} gives exactly that:
// SMMLAR with multiplier 0 returns the accumulator, shifting it right by 31 leaves 0 or -1, and
// (2 * zero point + 1 or 2 * zero point) >> 1 is the zero point.
bool build_requant_table(const int32_t* bias, const int32_t* multiplier, const int32_t* shift,
                         int32_t channels, int32_t output_offset, RequantChannel* table) {
  if (output_offset < -128 || output_offset > 127) return false;
  for (int32_t c = 0; c < channels; ++c) {
    if (multiplier[c] == 0) {
      const RequantChannel zero = {0, 0, 31, 1 + 2 * output_offset, 1};
      table[c] = zero;
      continue;
    }
    if (!requant_table_build(bias ? bias + c : 0, multiplier + c, shift + c, 1, 1, output_offset,
                             table + c))
      return false;
  }
  return true;
}

size_t table_offset_words(int32_t out_channels) {
  return requant_table_bytes(out_channels) / 4;
}

// Depths whose scratch and packed sizes stay far from overflow.
bool depth_valid(int64_t depth) {
  return depth <= INT32_MAX / 16;
}

}  // namespace

size_t conv2d_int8_fast_scratch_bytes(const Shape4& input_shape, const Shape4& filter_shape,
                                      const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return 0;
  const int64_t depth = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  if (!depth_valid(depth)) return 0;
  const size_t groups = static_cast<size_t>(groups_of(static_cast<int32_t>(depth)));
  const size_t columns = kMaxPixels * 2 * groups * sizeof(int32_t);
  const size_t window = 4 * groups + 12;
  return requant_table_bytes(output_shape.c) + columns + window;
}

size_t conv2d_int8_fast_packed_scratch_bytes(const Shape4& input_shape, const Shape4& filter_shape,
                                             const Shape4& output_shape) {
  const size_t base = conv2d_int8_fast_scratch_bytes(input_shape, filter_shape, output_shape);
  PlaneShape plane;
  if (base == 0 || !plane_shape_of(input_shape, filter_shape, &plane)) return base;
  return base + static_cast<size_t>(plane.rows) * static_cast<size_t>(plane.pitch) * 2;
}

namespace {

// Checks the arguments the fast paths share (as conv2d_int8 checks them) and runs `filter` with
// P pixels per pass.
template <int P, typename Filter>
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
  const int64_t depth = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  if (!depth_valid(depth)) return kBadArgument;

  ConvGeometry g;
  g.in = input_shape;
  g.filter = filter_shape;
  g.out = output_shape;
  g.win = params.window;
  g.depth = static_cast<int32_t>(depth);
  g.groups = groups_of(g.depth);
  g.direct = filter_shape.h == 1 && filter_shape.w == 1 && params.window.pad_h == 0 &&
             params.window.pad_w == 0;
  RequantChannel* table = static_cast<RequantChannel*>(scratch);
  int32_t* cols = static_cast<int32_t*>(scratch) + table_offset_words(output_shape.c);
  g.row_bytes = filter_shape.w * filter_shape.c;
  g.row_stride = params.window.dilation_h * input_shape.w * input_shape.c;
  g.max_origin_x = params.window.dilation_w == 1 ? input_shape.w - filter_shape.w : -1;
  g.max_origin_y = input_shape.h - 1 - (filter_shape.h - 1) * params.window.dilation_h;
  g.word_reach = (filter_shape.h - 1) * g.row_stride + (g.row_bytes <= 12 ? 12 : g.row_bytes + 3);
  g.bias = bias;
  g.multiplier = output_multiplier;
  g.shift = output_shift;
  g.output_offset = params.output_offset;
  g.input_end =
      input + static_cast<int64_t>(input_shape.n) * input_shape.h * input_shape.w * input_shape.c;
  int8_t* window = reinterpret_cast<int8_t*>(cols + kMaxPixels * 2 * g.groups);
  // The window's bytes past K meet zero weights; give them a defined value once.
  for (int32_t i = g.depth; i < 4 * g.groups + 12; ++i) window[i] = 0;
  g.plane = 0;
  g.plane_pitch = 0;
  PlaneShape plane;
  if (Filter::kPlanes && params.window.dilation_h == 1 && params.window.dilation_w == 1 &&
      plane_shape_of(input_shape, filter_shape, &plane)) {
    // The rows and columns the windows reach, from the padded input's top left corner.
    const int32_t rows = (output_shape.h - 1) * params.window.stride_h + filter_shape.h;
    const int32_t reach = (output_shape.w - 1) * params.window.stride_w + filter_shape.w;
    const int32_t pitch = (reach + 1) & ~1;
    if (rows <= plane.rows && pitch <= plane.pitch) {
      int16_t* data = reinterpret_cast<int16_t*>(window + 4 * g.groups + 12);
      build_plane(input, input_shape, params.window, params.input_offset, rows, pitch, data);
      g.plane = data;
      g.plane_pitch = pitch;
    }
  }
  const bool table_exact = params.act_min >= -128 && params.act_max <= 127 &&
                           build_requant_table(bias, output_multiplier, output_shift,
                                               output_shape.c, params.output_offset, table);
  if (table_exact) {
    convolve_with_table<P>(g, input, params.input_offset, filter, table, params.act_min,
                           params.act_max, cols, window, output);
  } else {
    // Same loops, so the same placements stay safe; only the output step differs.
    const ReferenceRequant requant = {{bias, output_multiplier, output_shift, 1,
                                       params.output_offset, params.act_min, params.act_max}};
    convolve<P>(g, input, params.input_offset, filter, requant, cols, window, output);
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
  return run_fast<kSourcePixels>(params, output_multiplier, output_shift, input_shape, input,
                                 filter_shape, source, bias, output_shape, output, scratch);
}

size_t conv2d_int8_fast_packed_filter_words(const Shape4& filter_shape) {
  if (!shape4_valid(filter_shape)) return 0;
  const int64_t depth = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  if (!depth_valid(depth)) return 0;
  const int64_t block = 4 * static_cast<int64_t>(groups_of(static_cast<int32_t>(depth)));
  return static_cast<size_t>((filter_shape.n + 1) / 2) * static_cast<size_t>(block);
}

Status conv2d_int8_fast_pack_filter(const Shape4& filter_shape, const int8_t* filter,
                                    int32_t* packed) {
  if (!filter || !packed || conv2d_int8_fast_packed_filter_words(filter_shape) == 0)
    return kBadArgument;
  const int32_t depth = filter_shape.h * filter_shape.w * filter_shape.c;
  const int32_t groups = groups_of(depth);
  int32_t* dst = packed;
  for (int32_t r = 0; r < filter_shape.n; r += 2) {
    const int8_t* a = filter + static_cast<size_t>(r) * depth;
    const int8_t* b = r + 1 < filter_shape.n ? a + depth : 0;  // an odd last row pairs with 0
    for (int32_t i = 0; i < groups; ++i) {
      const int32_t left = depth - 4 * i;
      const int32_t a_word = weight_word(a + 4 * i, left);
      const int32_t b_word = b ? weight_word(b + 4 * i, left) : 0;
      dst[0] = simd32::sxtb16(a_word);
      dst[1] = simd32::sxtb16(b_word);
      dst[2] = simd32::sxtb16_odd(a_word);
      dst[3] = simd32::sxtb16_odd(b_word);
      dst += 4;
    }
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
  return run_fast<kPackedPixels>(params, output_multiplier, output_shift, input_shape, input,
                                 filter_shape, source, bias, output_shape, output, scratch);
}

}  // namespace rt
}  // namespace kiln
