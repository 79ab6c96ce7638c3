#include "runtime/depthwise_conv2d_fast.h"

#include <string.h>

#include "runtime/conv_common.h"
#include "runtime/depthwise_conv2d_in_place.h"
#include "runtime/depthwise_planar.h"
#include "runtime/requant_fast.h"

namespace kiln {
namespace rt {

namespace {

// The checks of the reference kernels, so that the fast path rejects exactly what they reject.
// check_shifts false leaves out the output shifts, for callers that run the reference kernel
// (which checks them) unless the requantization table builds (which needs them in range).
bool depthwise_args_valid(const DepthwiseConv2DParams& params, const int32_t* output_shift,
                          const Shape4& input_shape, const Shape4& filter_shape,
                          const Shape4& output_shape, bool check_shifts = true) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return false;
  if (params.depth_multiplier < 1 || input_shape.n != output_shape.n || filter_shape.n != 1 ||
      filter_shape.c != output_shape.c ||
      static_cast<int64_t>(input_shape.c) * params.depth_multiplier != output_shape.c)
    return false;
  if (!window2d_valid(params.window, input_shape, filter_shape.h, filter_shape.w, output_shape))
    return false;
  if (!int8_offset_valid(params.input_offset) || params.act_min > params.act_max) return false;
  return !check_shifts || requant_shifts_valid(output_shift, output_shape.c);
}

// The conditions of the fast path beyond valid arguments.
bool fast_applicable(const DepthwiseConv2DParams& params, const void* scratch) {
  return params.depth_multiplier == 1 && params.act_min >= -128 && params.act_max <= 127 &&
         scratch && (reinterpret_cast<uintptr_t>(scratch) & 3u) == 0;
}

// The filter taps [begin, end) of one axis whose input coordinate origin + k * dilation falls
// inside [0, size).
struct TapRange {
  int32_t begin, end;
};
TapRange taps_inside(int32_t origin, int32_t dilation, int32_t taps, int32_t size) {
  TapRange r = {0, taps};
  while (r.begin < taps && origin + r.begin * dilation < 0) ++r.begin;
  while (r.end > r.begin && origin + (r.end - 1) * dilation >= size) --r.end;
  return r;
}

// Everything fixed for one call.
struct DepthwiseJob {
  Shape4 in, filter, out;
  Window2D win;
  int32_t input_offset;
  const int8_t* weights;
  const RequantChannel* table;
  Int8Clamp clamp;
};

// Output pixel (out_y, out_x) of channels c..c+3 into out[0..3]; `batch` is the input batch.
inline void quad_at(const DepthwiseJob& j, const int8_t* batch, int32_t out_y, int32_t out_x,
                    int32_t c, int8_t* out) {
  const int32_t channels = j.in.c;
  const int32_t origin_y = out_y * j.win.stride_h - j.win.pad_h;
  const int32_t origin_x = out_x * j.win.stride_w - j.win.pad_w;
  const TapRange ry = taps_inside(origin_y, j.win.dilation_h, j.filter.h, j.in.h);
  const TapRange rx = taps_inside(origin_x, j.win.dilation_w, j.filter.w, j.in.w);
  const int32_t offsets = simd32::pack_halves(j.input_offset, j.input_offset);
  const RequantChannel* t = j.table + c;
  int32_t acc0 = t[0].bias, acc1 = t[1].bias, acc2 = t[2].bias, acc3 = t[3].bias;
  const int32_t in_step = j.win.dilation_w * channels;
  for (int32_t ky = ry.begin; ky < ry.end; ++ky) {
    const int32_t in_y = origin_y + ky * j.win.dilation_h;
    const int8_t* in =
        batch + (in_y * j.in.w + origin_x + rx.begin * j.win.dilation_w) * channels + c;
    const int8_t* w = j.weights + (ky * j.filter.w + rx.begin) * channels + c;
    for (int32_t kx = rx.begin; kx < rx.end; ++kx) {
      const int32_t v = simd32::load4(in);
      const int32_t f = simd32::load4(w);
      in += in_step;
      w += channels;
      const int32_t v_even = simd32::sxtab16(offsets, v);     // channels c, c + 2
      const int32_t v_odd = simd32::sxtab16_odd(offsets, v);  // channels c + 1, c + 3
      const int32_t f_even = simd32::sxtb16(f);
      const int32_t f_odd = simd32::sxtb16_odd(f);
      acc0 = simd32::smlabb(v_even, f_even, acc0);
      acc2 = simd32::smlatt(v_even, f_even, acc2);
      acc1 = simd32::smlabb(v_odd, f_odd, acc1);
      acc3 = simd32::smlatt(v_odd, f_odd, acc3);
    }
  }
  out[0] = j.clamp(requant_apply(acc0, t[0]));
  out[1] = j.clamp(requant_apply(acc1, t[1]));
  out[2] = j.clamp(requant_apply(acc2, t[2]));
  out[3] = j.clamp(requant_apply(acc3, t[3]));
}

// The same for the single channel c.
inline int8_t single_at(const DepthwiseJob& j, const int8_t* batch, int32_t out_y, int32_t out_x,
                        int32_t c) {
  const int32_t channels = j.in.c;
  const int32_t origin_y = out_y * j.win.stride_h - j.win.pad_h;
  const int32_t origin_x = out_x * j.win.stride_w - j.win.pad_w;
  const TapRange ry = taps_inside(origin_y, j.win.dilation_h, j.filter.h, j.in.h);
  const TapRange rx = taps_inside(origin_x, j.win.dilation_w, j.filter.w, j.in.w);
  int32_t acc = j.table[c].bias;
  for (int32_t ky = ry.begin; ky < ry.end; ++ky) {
    const int32_t in_y = origin_y + ky * j.win.dilation_h;
    for (int32_t kx = rx.begin; kx < rx.end; ++kx) {
      const int32_t in_x = origin_x + kx * j.win.dilation_w;
      const int32_t v = batch[(in_y * j.in.w + in_x) * channels + c] + j.input_offset;
      acc = simd32::add_wrap(acc, v * j.weights[(ky * j.filter.w + kx) * channels + c]);
    }
  }
  return j.clamp(requant_apply(acc, j.table[c]));
}

// Filters of at most this many taps (7x7) are widened once per channel quad into a stack buffer
// by the in-place kernel; larger ones widen every tap where it is used (quad_at).
const int32_t kMaxWideTaps = 49;

// Tap t of channels c..c+3 as two words of 16-bit lanes: words[2t] = (w_c, w_c+2) and
// words[2t + 1] = (w_c+1, w_c+3), the lanes SXTAB16 makes of an input word.
void widen_quad_taps(const int8_t* filter, int32_t channels, int32_t taps, int32_t c,
                     int32_t* words) {
  const int8_t* f = filter + c;
  for (int32_t t = 0; t < taps; ++t, f += channels) {
    const int32_t v = simd32::load4(f);
    words[2 * t] = simd32::sxtb16(v);
    words[2 * t + 1] = simd32::sxtb16_odd(v);
  }
}

struct QuadAcc {
  int32_t a0, a1, a2, a3;
};

// One input pixel of channels c..c+3 (four bytes at `in`) times one widened tap.
inline void quad_mac(QuadAcc& q, const int8_t* in, const int32_t* tap, int32_t offsets) {
  simd32::keep_loads_in_order();
  const int32_t v = simd32::load4(in);
  const int32_t v_even = simd32::sxtab16(offsets, v);     // channels c, c + 2
  const int32_t v_odd = simd32::sxtab16_odd(offsets, v);  // channels c + 1, c + 3
  q.a0 = simd32::smlabb(v_even, tap[0], q.a0);
  q.a2 = simd32::smlatt(v_even, tap[0], q.a2);
  q.a1 = simd32::smlabb(v_odd, tap[1], q.a1);
  q.a3 = simd32::smlatt(v_odd, tap[1], q.a3);
}

// What the windows of one channel quad share.
struct QuadContext {
  int32_t in_step;   // bytes from one tap to the next along x
  int32_t row_step;  // bytes from one tap row to the next
  int32_t offsets;   // the input offset in both halves
  int32_t filter_w;
  const int32_t* wide;          // the widened taps (widen_quad_taps)
  const RequantChannel* table;  // the four channels' entries
  int32_t lo, hi;
};

// Bias and requantization of channels c..c+3 around the accumulation; dst gets four bytes.
template <bool kFullRange, bool kPreShift>
inline void quad_finish(const QuadContext& k, const QuadAcc& q, int8_t* dst) {
  const RequantChannel* t = k.table;
  dst[0] = requant_clamp<kFullRange, kPreShift>(q.a0, t[0], k.lo, k.hi);
  dst[1] = requant_clamp<kFullRange, kPreShift>(q.a1, t[1], k.lo, k.hi);
  dst[2] = requant_clamp<kFullRange, kPreShift>(q.a2, t[2], k.lo, k.hi);
  dst[3] = requant_clamp<kFullRange, kPreShift>(q.a3, t[3], k.lo, k.hi);
}

inline QuadAcc quad_bias(const QuadContext& k) {
  const QuadAcc q = {k.table[0].bias, k.table[1].bias, k.table[2].bias, k.table[3].bias};
  return q;
}

// One output pixel whose whole 3x3 window is inside the input: nine taps at fixed offsets. The
// window functions are kept out of line so that the compiler gives their accumulation every
// register instead of spilling it around the row loop's bookkeeping.
template <bool kFullRange, bool kPreShift>
__attribute__((noinline)) void quad_window_3x3(const QuadContext& k, const int8_t* in,
                                               int8_t* dst) {
  const int32_t step = k.in_step, row_step = k.row_step, offsets = k.offsets;
  const int32_t* w = k.wide;
  QuadAcc q = quad_bias(k);
  quad_mac(q, in, w, offsets);
  quad_mac(q, in + step, w + 2, offsets);
  quad_mac(q, in + 2 * step, w + 4, offsets);
  in += row_step;
  quad_mac(q, in, w + 6, offsets);
  quad_mac(q, in + step, w + 8, offsets);
  quad_mac(q, in + 2 * step, w + 10, offsets);
  in += row_step;
  quad_mac(q, in, w + 12, offsets);
  quad_mac(q, in + step, w + 14, offsets);
  quad_mac(q, in + 2 * step, w + 16, offsets);
  quad_finish<kFullRange, kPreShift>(k, q, dst);
}

// One output pixel over `rows` x kCols taps of a 3x3 filter clipped at the input's border: the
// columns unrolled, the rows counted.
template <int32_t kCols, bool kFullRange, bool kPreShift>
__attribute__((noinline)) void quad_window_cols(const QuadContext& k, const int8_t* in,
                                                const int32_t* w, int32_t rows, int8_t* dst) {
  const int32_t step = k.in_step, row_step = k.row_step, offsets = k.offsets;
  QuadAcc q = quad_bias(k);
  for (int32_t r = 0; r < rows; ++r, in += row_step, w += 6) {
    quad_mac(q, in, w, offsets);
    quad_mac(q, in + step, w + 2, offsets);
    if (kCols == 3) quad_mac(q, in + 2 * step, w + 4, offsets);
  }
  quad_finish<kFullRange, kPreShift>(k, q, dst);
}

// One output pixel over `rows` x `cols` taps (the window clipped to the input); `in` and `w`
// point at its first tap.
template <bool kFullRange, bool kPreShift>
__attribute__((noinline)) void quad_window(const QuadContext& k, const int8_t* in, const int32_t* w,
                                           int32_t rows, int32_t cols, int8_t* dst) {
  const int32_t step = k.in_step, row_step = k.row_step, offsets = k.offsets;
  const int32_t w_row_step = 2 * k.filter_w;
  QuadAcc q = quad_bias(k);
  for (int32_t r = 0; r < rows; ++r, in += row_step, w += w_row_step) {
    const int8_t* tap_in = in;
    for (int32_t i = 0; i < cols; ++i, tap_in += step) quad_mac(q, tap_in, w + 2 * i, offsets);
  }
  quad_finish<kFullRange, kPreShift>(k, q, dst);
}

// One output row of channels c..c+3 into dst, four bytes per pixel, from the widened taps.
// Everything that depends on the row only is computed once; with kFilter3x3, pixels whose window
// lies wholly inside the input take the unrolled window.
template <bool kFilter3x3, bool kFullRange, bool kPreShift>
void quad_row(const DepthwiseJob& j, const QuadContext& k, const int8_t* batch, int32_t out_y,
              int32_t c, int8_t* dst) {
  const int32_t channels = j.in.c;
  const int32_t origin_y = out_y * j.win.stride_h - j.win.pad_h;
  const TapRange ry = taps_inside(origin_y, j.win.dilation_h, j.filter.h, j.in.h);
  const int32_t rows = ry.end - ry.begin;
  if (rows <= 0) {
    // Every tap row is padding: the bias alone.
    for (int32_t x = 0; x < j.out.w; ++x, dst += 4)
      quad_finish<kFullRange, kPreShift>(k, quad_bias(k), dst);
    return;
  }
  const int8_t* first_row =
      batch + (origin_y + ry.begin * j.win.dilation_h) * j.in.w * channels + c;
  const int32_t* first_taps = k.wide + 2 * ry.begin * k.filter_w;
  const bool full_rows = rows == 3;
  const int32_t dilation_w = j.win.dilation_w;
  const int32_t last_tap_x = (k.filter_w - 1) * dilation_w;
  const int32_t in_w = j.in.w;
  const int32_t out_w = j.out.w;
  const int32_t stride_w = j.win.stride_w;
  int32_t origin_x = -j.win.pad_w;
  for (int32_t x = 0; x < out_w; ++x, dst += 4, origin_x += stride_w) {
    if (kFilter3x3 && full_rows && origin_x >= 0 && origin_x + last_tap_x < in_w) {
      quad_window_3x3<kFullRange, kPreShift>(k, first_row + origin_x * channels, dst);
      continue;
    }
    const TapRange rx = taps_inside(origin_x, dilation_w, k.filter_w, in_w);
    if (rx.begin >= rx.end) {
      quad_finish<kFullRange, kPreShift>(k, quad_bias(k), dst);
      continue;
    }
    const int8_t* in = first_row + (origin_x + rx.begin * dilation_w) * channels;
    const int32_t* w = first_taps + 2 * rx.begin;
    const int32_t cols = rx.end - rx.begin;
    if (kFilter3x3 && cols == 3)
      quad_window_cols<3, kFullRange, kPreShift>(k, in, w, rows, dst);
    else if (kFilter3x3 && cols == 2)
      quad_window_cols<2, kFullRange, kPreShift>(k, in, w, rows, dst);
    else
      quad_window<kFullRange, kPreShift>(k, in, w, rows, cols, dst);
  }
}

typedef void (*QuadRowFn)(const DepthwiseJob&, const QuadContext&, const int8_t*, int32_t, int32_t,
                          int8_t*);

template <bool kFilter3x3>
QuadRowFn pick_quad_row_for(bool full_range, bool pre_shift) {
  if (full_range)
    return pre_shift ? &quad_row<kFilter3x3, true, true> : &quad_row<kFilter3x3, true, false>;
  return pre_shift ? &quad_row<kFilter3x3, false, true> : &quad_row<kFilter3x3, false, false>;
}

// The row routine for this filter size, activation range and requantization table.
QuadRowFn pick_quad_row(const DepthwiseJob& j) {
  const bool full_range = j.clamp.lo == -128 && j.clamp.hi == 127;
  const bool pre_shift = requant_table_pre_shifts(j.table, j.out.c);
  if (j.filter.h == 3 && j.filter.w == 3) return pick_quad_row_for<true>(full_range, pre_shift);
  return pick_quad_row_for<false>(full_range, pre_shift);
}

// The doubled output step (requant_fast.h) as an int8.
inline int8_t doubled_finish(int32_t acc2, const RequantChannel& d) {
  return static_cast<int8_t>(requant_doubled_output(acc2, d));
}

// Largest |accumulator - bias| of a 3x3 window, for the partial sums as well: nine taps of at
// most 128 in size times an input of at most 128 in size plus (the pair path) an offset of at
// most 128, or (the padded path, whose bias holds the offset's share) the offset's share of at
// most 9 * 128 * 128 in the bias and the inputs' sum of as much again.
const int32_t kDoubledWindowSums = 9 * 128 * 256;

inline bool doubled_entry(const RequantChannel& t, RequantChannel* d) {
  return requant_doubled_entry(t, kDoubledWindowSums, d);
}

// The padded path of the in-place kernel for 3x3 filters with dilation 1 (the layers the planar
// path leaves: stride 2 and short lines). For one channel quad it copies the input into padded
// rows of words (one word = the quad's four channels of one pixel), the columns and rows outside
// the input holding the input zero point, so that every output pixel runs the same unrolled 3x3
// window with no border cases (on 6x6 and 3x3 maps most pixels touch the border). The input
// offset moves into the bias: with padding equal to the zero point,
// sum_t w_t * (x_t + offset) = sum_t w_t * x_t + offset * sum_t w_t for every window, exactly,
// in the wrapping 32-bit accumulator.
//
// Small maps copy the quad's whole padded plane, then compute every output. Larger ones fill as
// many padded rows as the scratch holds, compute the output rows those cover in one go, and move
// on (keeping the rows the next windows share); each output row is written over the input
// (channels c..c+3 of output pixel q replace only those of input pixel q) once every input row
// it overwrites has been copied (ring_order_holds). The padding words are written once per
// batch: the quads only rewrite the words of input pixels (and of padding rows in chunks).
//
// Measured on VWW (QEMU cycle model, cycles per call): 48x48x16 stride 2 564,500 -> 389,000,
// 6x6x128 stride 1 328,586 -> 200,800, 3x3x256 199,786 -> 137,900. The window loop costs about
// 148 cycles per pixel and quad (36 multiply-accumulates and four requantizations); with the
// stride known when compiling (post-indexed row loads) about 144: 389,000 -> 380,000,
// 3x3x256 129,600 -> 127,500. Copies of eight words per pass on rows of eight or more and
// memcpy for the rows chunks share: 48x48x16 379,900 -> 372,400, 24x24x32 stride 2 193,800 ->
// 191,400, 12x12x64 stride 2 105,500 -> 104,200. The doubled step (quads within its bound, maps
// of 64 outputs or more): 48x48x16 -> 364,200, 24x24x32 stride 2 -> 188,500.

// Output pixels up to which the scratch bound holds the whole padded plane (it grows with the
// map), unless the output shape suits the planar path.
const int32_t kWholePlanePixels = 144;

// Words of one padded row: the input columns the windows of an output row cover.
int32_t padded_row_words(int32_t out_w, int32_t stride_w) {
  return (out_w - 1) * stride_w + 3;
}

// Padded rows of the whole plane: the input rows the windows cover.
int32_t padded_plane_rows(int32_t out_h, int32_t stride_h) {
  return (out_h - 1) * stride_h + 3;
}

// The last input row copied once output row y may be computed.
int32_t ring_last_row(int32_t y, const Window2D& win, int32_t in_h) {
  const int32_t last = y * win.stride_h - win.pad_h + 2;
  return last < in_h - 1 ? last : in_h - 1;
}

// True if writing each output row in turn overwrites only input rows already copied.
bool ring_order_holds(const Window2D& win, const Shape4& in, const Shape4& out) {
  for (int32_t y = 0; y < out.h; ++y) {
    const int32_t last_pixel = (y + 1) * out.w - 1;  // output pixel index = overwritten input pixel
    if (last_pixel / in.w > ring_last_row(y, win, in.h)) return false;
  }
  return true;
}

// What the row loop reads for one channel quad, one block so that a single register reaches
// it all. The asm loop below addresses the fields by the byte offsets noted.
struct PaddedQuad {
  int32_t wide[18];  // tap t: wide[2t] = (w_c, w_c+2), wide[2t + 1] = (w_c+1, w_c+3)   @0
  int32_t bias[4];   // bias + input_offset * sum of the channel's taps, channels c..c+3  @72
  struct {
    int32_t multiplier2, pre_shift, rounding, post_shift;  // as in RequantChannel
  } requant[4];                                            // @88
  int32_t step;       // bytes from one window to the next along a row (4 * stride)     @152
  int32_t dst_step;   // bytes from one output pixel to the next (the channel count)    @156
  int32_t lo, hi;     // the activation range                                          @160
  int32_t row_bytes;  // bytes of one output row                                       @168
  int32_t jump;       // bytes from the end of a row's windows to the next row's first  @172
  const int8_t* end;  // the end of the last output row                              @176
  int32_t doubled;    // 1: taps, bias and requant entries doubled (doubled_entry), full range
};

// Output pixels from which the padded path's doubled step repays its per-quad set-up (the
// entries' check and the doubled taps, about 150 cycles more, against 4 cycles per window;
// measured on VWW: 24x24 and 12x12 maps gain, 6x6 breaks even, 3x3 loses).
const int32_t kPaddedDoubledPixels = 64;

// The block of channels c..c+3 with the doubled step (taps, bias and entries doubled), if all
// four channels allow it: their bias plus the offset's share (at most 9 * 128 * 128 in size)
// and the partial sums of the raw inputs (as much again) stay within doubled_entry's bound.
// False leaves the block to padded_quad_build.
__attribute__((noinline)) bool padded_quad_build_doubled(const int8_t* filter, int32_t channels,
                                                         int32_t c, const RequantChannel* table,
                                                         int32_t input_offset, PaddedQuad* q) {
  RequantChannel d[4];
  for (int32_t k = 0; k < 4; ++k)
    if (!doubled_entry(table[c + k], &d[k])) return false;
  int32_t sums_even = 0, sums_odd = 0;  // lanes: channels c, c + 2 and c + 1, c + 3
  const int8_t* f = filter + c;
  int32_t* wide = q->wide;
#pragma GCC unroll 9
  for (int32_t t = 0; t < 9; ++t) {
    const int32_t v = simd32::load4(f + t * channels);
    const int32_t even = simd32::sxtb16(v), odd = simd32::sxtb16_odd(v);
    wide[2 * t] = simd32::sadd16(even, even);
    wide[2 * t + 1] = simd32::sadd16(odd, odd);
    sums_even = simd32::sxtab16(sums_even, v);
    sums_odd = simd32::sxtab16_odd(sums_odd, v);
  }
  const int32_t sums[4] = {simd32::half0(sums_even), simd32::half0(sums_odd),
                           simd32::half1(sums_even), simd32::half1(sums_odd)};
  for (int32_t k = 0; k < 4; ++k) {
    q->bias[k] = simd32::add_wrap(d[k].bias, 2 * input_offset * sums[k]);
    q->requant[k].multiplier2 = d[k].multiplier2;
    q->requant[k].pre_shift = 0;
    q->requant[k].rounding = d[k].rounding;
    q->requant[k].post_shift = d[k].post_shift;
  }
  q->doubled = 1;
  return true;
}

// The quad block of channels c..c+3 (c + 3 < channels), except the row fields. Out of line, so
// that its loop has registers of its own. The taps' sums per channel come from SXTAB16 into
// 16-bit lanes (lane-wise, no carry between them): nine int8 taps sum to at most 1152 in size.
// try_doubled (the full int8 range, on maps large enough to repay the check) tries the doubled
// block first.
__attribute__((noinline)) void padded_quad_build(const int8_t* filter, int32_t channels, int32_t c,
                                                 const RequantChannel* table, int32_t input_offset,
                                                 int32_t lo, int32_t hi, bool try_doubled,
                                                 PaddedQuad* q) {
  q->dst_step = channels;
  q->lo = lo;
  q->hi = hi;
  if (try_doubled && padded_quad_build_doubled(filter, channels, c, table, input_offset, q)) return;
  q->doubled = 0;
  int32_t sums_even = 0, sums_odd = 0;  // lanes: channels c, c + 2 and c + 1, c + 3
  const int8_t* f = filter + c;
  int32_t* wide = q->wide;
#pragma GCC unroll 9
  for (int32_t t = 0; t < 9; ++t) {
    const int32_t v = simd32::load4(f + t * channels);
    wide[2 * t] = simd32::sxtb16(v);
    wide[2 * t + 1] = simd32::sxtb16_odd(v);
    sums_even = simd32::sxtab16(sums_even, v);
    sums_odd = simd32::sxtab16_odd(sums_odd, v);
  }
  const int32_t sums[4] = {simd32::half0(sums_even), simd32::half0(sums_odd),
                           simd32::half1(sums_even), simd32::half1(sums_odd)};
  for (int32_t k = 0; k < 4; ++k) {
    const RequantChannel& e = table[c + k];
    q->bias[k] = simd32::add_wrap(e.bias, input_offset * sums[k]);
    q->requant[k].multiplier2 = e.multiplier2;
    q->requant[k].pre_shift = e.pre_shift;
    q->requant[k].rounding = e.rounding;
    q->requant[k].post_shift = e.post_shift;
  }
}

// The output step of accumulator k from the quad block.
template <bool kFullRange, bool kPreShift>
inline int8_t padded_finish(int32_t acc, const PaddedQuad& q, int k) {
  const RequantChannel t = {0, q.requant[k].multiplier2, q.requant[k].pre_shift,
                            q.requant[k].rounding, q.requant[k].post_shift};
  if (q.doubled) return doubled_finish(acc, t);  // (full range only)
  return requant_clamp<kFullRange, kPreShift>(acc, t, q.lo, q.hi);
}

// Output rows of the quad from dst to q.end: windows start at r0, r1, r2 (the padded rows of
// the three tap rows) and advance by q.step along a row and by q.jump from one row to the next;
// row_end is the end of the first row.
template <bool kFullRange, bool kPreShift>
void padded_rows_portable(const PaddedQuad& q, const int32_t* r0, const int32_t* r1,
                          const int32_t* r2, int8_t* dst, const int8_t* row_end) {
  const int32_t step = q.step / 4, jump = q.jump / 4;
  for (;;) {
    for (; dst != row_end; r0 += step, r1 += step, r2 += step, dst += q.dst_step) {
      QuadAcc a = {q.bias[0], q.bias[1], q.bias[2], q.bias[3]};
      const int32_t* rows[3] = {r0, r1, r2};
      for (int32_t t = 0; t < 9; ++t) {
        const int32_t v = rows[t / 3][t % 3];
        const int32_t v_even = simd32::sxtb16(v);     // channels c, c + 2
        const int32_t v_odd = simd32::sxtb16_odd(v);  // channels c + 1, c + 3
        a.a0 = simd32::smlabb(v_even, q.wide[2 * t], a.a0);
        a.a2 = simd32::smlatt(v_even, q.wide[2 * t], a.a2);
        a.a1 = simd32::smlabb(v_odd, q.wide[2 * t + 1], a.a1);
        a.a3 = simd32::smlatt(v_odd, q.wide[2 * t + 1], a.a3);
      }
      dst[0] = padded_finish<kFullRange, kPreShift>(a.a0, q, 0);
      dst[1] = padded_finish<kFullRange, kPreShift>(a.a1, q, 1);
      dst[2] = padded_finish<kFullRange, kPreShift>(a.a2, q, 2);
      dst[3] = padded_finish<kFullRange, kPreShift>(a.a3, q, 3);
    }
    r0 += jump;
    r1 += jump;
    r2 += jump;
    row_end += q.row_bytes;
    if (dst == q.end) return;
  }
}

#if KILN_SIMD32_DSP && defined(__OPTIMIZE__)
static_assert(offsetof(PaddedQuad, bias) == 72 && offsetof(PaddedQuad, requant) == 88 &&
                  offsetof(PaddedQuad, step) == 152 && offsetof(PaddedQuad, dst_step) == 156 &&
                  offsetof(PaddedQuad, lo) == 160 && offsetof(PaddedQuad, hi) == 164 &&
                  offsetof(PaddedQuad, row_bytes) == 168 && offsetof(PaddedQuad, jump) == 172 &&
                  offsetof(PaddedQuad, end) == 176,
              "the asm row loop's offsets");

// The loop by hand: GCC hoists the loads of the unrolled window and spills. Fourteen registers
// (three row pointers, the output pointer and its end, the quad block, four accumulators, four
// temporaries), so only where the compiler keeps no frame pointer. Per tap three back-to-back
// loads (the input word, the tap's two widened words), two SXTB16 and four multiply-accumulates;
// per channel three loads and five instructions of requantization.
#define KILN_PADDED_TAP_AT(addr, tap)     \
  "ldr %[v], " addr                       \
  "\n\t"                                  \
  "ldr %[fe], [%[q], #" tap               \
  "]\n\t"                                 \
  "ldr %[fo], [%[q], #" tap               \
  "+4]\n\t"                               \
  "sxtb16 %[ve], %[v]\n\t"                \
  "sxtb16 %[v], %[v], ror #8\n\t"         \
  "smlabb %[a0], %[ve], %[fe], %[a0]\n\t" \
  "smlatt %[a2], %[ve], %[fe], %[a2]\n\t" \
  "smlabb %[a1], %[v], %[fo], %[a1]\n\t"  \
  "smlatt %[a3], %[v], %[fo], %[a3]\n\t"
#define KILN_PADDED_TAP(row, col, tap) KILN_PADDED_TAP_AT("[%[" row "], #" col "]", tap)
#define KILN_PADDED_BIAS       \
  "1:\n\t"                     \
  "ldr %[a0], [%[q], #72]\n\t" \
  "ldr %[a1], [%[q], #76]\n\t" \
  "ldr %[a2], [%[q], #80]\n\t" \
  "ldr %[a3], [%[q], #84]\n\t"
#define KILN_PADDED_WINDOW                                                         \
  KILN_PADDED_BIAS KILN_PADDED_TAP("r0", "0", "0") KILN_PADDED_TAP("r0", "4", "8") \
      KILN_PADDED_TAP("r0", "8", "16") KILN_PADDED_TAP("r1", "0", "24")            \
          KILN_PADDED_TAP("r1", "4", "32") KILN_PADDED_TAP("r1", "8", "40")        \
              KILN_PADDED_TAP("r2", "0", "48") KILN_PADDED_TAP("r2", "4", "56")    \
                  KILN_PADDED_TAP("r2", "8", "64")
// The window for a step of `s` bytes (4 * stride) known when compiling: each row's first load
// moves its pointer on to the next window, the row's other two taps at `o1` = 4 - s and
// `o2` = 8 - s from there.
#define KILN_PADDED_ROW_STEP(row, s, o1, o2, t0, t1, t2) \
  KILN_PADDED_TAP_AT("[%[" row "]], #" s, t0)            \
  KILN_PADDED_TAP_AT("[%[" row "], #" o1 "]", t1) KILN_PADDED_TAP_AT("[%[" row "], #" o2 "]", t2)
#define KILN_PADDED_WINDOW_STEP(s, o1, o2)                                                     \
  KILN_PADDED_BIAS KILN_PADDED_ROW_STEP("r0", s, o1, o2, "0", "8", "16") KILN_PADDED_ROW_STEP( \
      "r1", s, o1, o2, "24", "32", "40") KILN_PADDED_ROW_STEP("r2", s, o1, o2, "48", "56", "64")
// Requantization of accumulator `a` from the requant entry at byte offset `e` (88 + 16 k);
// `pre` is KILN_PADDED_PRE(a, e) for tables with pre-shifts, else empty.
#define KILN_PADDED_PRE(a, e) \
  "ldr %[ve], [%[q], #" e     \
  "+4]\n\t"                   \
  "asr %[" a "], %[" a "], %[ve]\n\t"
#define KILN_PADDED_REQUANT(a, e, pre)                                      \
  "ldr %[fe], [%[q], #" e                                                   \
  "]\n\t"                                                                   \
  "ldr %[fo], [%[q], #" e                                                   \
  "+8]\n\t"                                                                 \
  "ldr %[v], [%[q], #" e                                                    \
  "+12]\n\t"                                                                \
  "smmlar %[" a "], %[" a "], %[fe], %[" a                                  \
  "]\n\t"                                                                   \
  "sub %[" a "], %[" a "], %[" a "], lsr #31\n\t" pre "qadd %[" a "], %[" a \
  "], %[fo]\n\t"                                                            \
  "asr %[" a "], %[" a                                                      \
  "], %[v]\n\t"                                                             \
  "ssat %[" a "], #8, %[" a "]\n\t"
// The doubled step of accumulator `a` (entries of doubled_entry): SMMLAR with the rounding term
// into a temporary, then the accumulator's sign subtracted; no QADD.
#define KILN_PADDED_REQUANT_DOUBLED(a, e) \
  "ldr %[fe], [%[q], #" e                 \
  "]\n\t"                                 \
  "ldr %[fo], [%[q], #" e                 \
  "+8]\n\t"                               \
  "ldr %[v], [%[q], #" e                  \
  "+12]\n\t"                              \
  "smmlar %[ve], %[" a                    \
  "], %[fe], %[fo]\n\t"                   \
  "sub %[" a "], %[ve], %[" a             \
  "], lsr #31\n\t"                        \
  "asr %[" a "], %[" a                    \
  "], %[v]\n\t"                           \
  "ssat %[" a "], #8, %[" a "]\n\t"
#define KILN_PADDED_REQUANT4_DOUBLED       \
  KILN_PADDED_REQUANT_DOUBLED("a0", "88")  \
  KILN_PADDED_REQUANT_DOUBLED("a1", "104") \
  KILN_PADDED_REQUANT_DOUBLED("a2", "120") KILN_PADDED_REQUANT_DOUBLED("a3", "136")
#define KILN_PADDED_REQUANT4(pre0, pre1, pre2, pre3) \
  KILN_PADDED_REQUANT("a0", "88", pre0)              \
  KILN_PADDED_REQUANT("a1", "104", pre1)             \
  KILN_PADDED_REQUANT("a2", "120", pre2) KILN_PADDED_REQUANT("a3", "136", pre3)
#define KILN_PADDED_REQUANT4_PRE                                                  \
  KILN_PADDED_REQUANT4(KILN_PADDED_PRE("a0", "88"), KILN_PADDED_PRE("a1", "104"), \
                       KILN_PADDED_PRE("a2", "120"), KILN_PADDED_PRE("a3", "136"))
// The activation bounds beyond the int8 clamp of SSAT.
#define KILN_PADDED_CLAMP1(a) \
  "cmp %[" a                  \
  "], %[fe]\n\t"              \
  "it lt\n\t"                 \
  "movlt %[" a                \
  "], %[fe]\n\t"              \
  "cmp %[" a                  \
  "], %[fo]\n\t"              \
  "it gt\n\t"                 \
  "movgt %[" a "], %[fo]\n\t"
#define KILN_PADDED_CLAMP                                                         \
  "ldr %[fe], [%[q], #160]\n\t"                                                   \
  "ldr %[fo], [%[q], #164]\n\t" KILN_PADDED_CLAMP1("a0") KILN_PADDED_CLAMP1("a1") \
      KILN_PADDED_CLAMP1("a2") KILN_PADDED_CLAMP1("a3")
// The four bytes of a window stored.
#define KILN_PADDED_STORE        \
  "strb %[a0], [%[dst]]\n\t"     \
  "strb %[a1], [%[dst], #1]\n\t" \
  "strb %[a2], [%[dst], #2]\n\t" \
  "strb %[a3], [%[dst], #3]\n\t"
// At a row's end: the row pointers and the row end move to the next row, which starts unless
// the plane is done.
#define KILN_PADDED_ROW_TURN              \
  "ldr %[v], [%[q], #172]\n\t"            \
  "ldr %[fe], [%[q], #168]\n\t"           \
  "ldr %[fo], [%[q], #176]\n\t"           \
  "add %[r0], %[r0], %[v]\n\t"            \
  "add %[r1], %[r1], %[v]\n\t"            \
  "add %[r2], %[r2], %[v]\n\t"            \
  "add %[row_end], %[row_end], %[fe]\n\t" \
  "cmp %[dst], %[fo]\n\t"                 \
  "bne 1b\n\t"
// Store, next window, and at a row's end the jump to the next row.
#define KILN_PADDED_NEXT          \
  KILN_PADDED_STORE               \
  "ldr %[v], [%[q], #152]\n\t"    \
  "ldr %[fe], [%[q], #156]\n\t"   \
  "add %[r0], %[r0], %[v]\n\t"    \
  "add %[r1], %[r1], %[v]\n\t"    \
  "add %[r2], %[r2], %[v]\n\t"    \
  "add %[dst], %[dst], %[fe]\n\t" \
  "cmp %[dst], %[row_end]\n\t"    \
  "bne 1b\n\t" KILN_PADDED_ROW_TURN
// The same for the stepped window, whose row pointers have moved on already.
#define KILN_PADDED_NEXT_STEPPED  \
  KILN_PADDED_STORE               \
  "ldr %[fe], [%[q], #156]\n\t"   \
  "add %[dst], %[dst], %[fe]\n\t" \
  "cmp %[dst], %[row_end]\n\t"    \
  "bne 1b\n\t" KILN_PADDED_ROW_TURN
#define KILN_PADDED_OPERANDS                                                               \
  : [r0] "+r"(r0), [r1] "+r"(r1), [r2] "+r"(r2), [dst] "+r"(dst), [row_end] "+r"(row_end),  \
    [a0] "=&r"(a0),                                                                          \
    [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [v] "=&r"(v), [ve] "=&r"(ve),         \
    [fe] "=&r"(fe), [fo] "=&r"(fo)                                                          \
  : [q] "r"(&q)                                                                              \
  : "cc", "memory"

// The loop with window `window` and advance `next`, for the four requantization variants.
#define KILN_PADDED_LOOP(window, next)                                                       \
  if (kDoubled)                                                                              \
    __asm__ volatile(window KILN_PADDED_REQUANT4_DOUBLED next KILN_PADDED_OPERANDS);         \
  else if (kFullRange && !kPreShift)                                                         \
    __asm__ volatile(window KILN_PADDED_REQUANT4("", "", "", "") next KILN_PADDED_OPERANDS); \
  else if (kFullRange)                                                                       \
    __asm__ volatile(window KILN_PADDED_REQUANT4_PRE next KILN_PADDED_OPERANDS);             \
  else if (!kPreShift)                                                                       \
    __asm__ volatile(window KILN_PADDED_REQUANT4("", "", "", "")                             \
                         KILN_PADDED_CLAMP next KILN_PADDED_OPERANDS);                       \
  else                                                                                       \
    __asm__ volatile(window KILN_PADDED_REQUANT4_PRE KILN_PADDED_CLAMP next KILN_PADDED_OPERANDS);

// kStep: the window step in bytes (4 * stride) where it is 4 or 8, else 0 (read from q.step).
// kDoubled: a block of doubled entries (q.doubled, full range).
template <bool kFullRange, bool kPreShift, int kStep, bool kDoubled = false>
__attribute__((noinline)) void padded_rows(const PaddedQuad& q, const int32_t* r0,
                                           const int32_t* r1, const int32_t* r2, int8_t* dst,
                                           const int8_t* row_end) {
  int32_t a0, a1, a2, a3, v, ve, fe, fo;
  if (kStep == 8) {
    KILN_PADDED_LOOP(KILN_PADDED_WINDOW_STEP("8", "-4", "0"), KILN_PADDED_NEXT_STEPPED)
  } else if (kStep == 4) {
    KILN_PADDED_LOOP(KILN_PADDED_WINDOW_STEP("4", "0", "4"), KILN_PADDED_NEXT_STEPPED)
  } else {
    KILN_PADDED_LOOP(KILN_PADDED_WINDOW, KILN_PADDED_NEXT)
  }
}
#undef KILN_PADDED_LOOP
#undef KILN_PADDED_TAP_AT
#undef KILN_PADDED_BIAS
#undef KILN_PADDED_ROW_STEP
#undef KILN_PADDED_WINDOW_STEP
#undef KILN_PADDED_NEXT_STEPPED
#undef KILN_PADDED_TAP
#undef KILN_PADDED_WINDOW
#undef KILN_PADDED_PRE
#undef KILN_PADDED_REQUANT
#undef KILN_PADDED_REQUANT4
#undef KILN_PADDED_REQUANT4_PRE
#undef KILN_PADDED_REQUANT_DOUBLED
#undef KILN_PADDED_REQUANT4_DOUBLED
#undef KILN_PADDED_CLAMP1
#undef KILN_PADDED_CLAMP
#undef KILN_PADDED_NEXT
#undef KILN_PADDED_STORE
#undef KILN_PADDED_ROW_TURN
#undef KILN_PADDED_OPERANDS
#else
template <bool kFullRange, bool kPreShift, int kStep, bool kDoubled = false>
void padded_rows(const PaddedQuad& q, const int32_t* r0, const int32_t* r1, const int32_t* r2,
                 int8_t* dst, const int8_t* row_end) {
  padded_rows_portable<kFullRange, kPreShift>(q, r0, r1, r2, dst, row_end);
}
#endif

typedef void (*PaddedRowsFn)(const PaddedQuad&, const int32_t*, const int32_t*, const int32_t*,
                             int8_t*, const int8_t*);

template <int kStep>
PaddedRowsFn pick_padded_rows_for(bool full_range, bool pre_shift, bool doubled) {
  if (doubled) return &padded_rows<true, false, kStep, true>;
  if (full_range)
    return pre_shift ? &padded_rows<true, true, kStep> : &padded_rows<true, false, kStep>;
  return pre_shift ? &padded_rows<false, true, kStep> : &padded_rows<false, false, kStep>;
}

// The loop for this activation range, quad (pre-shifts only where one of its four channels
// needs them) and step (q.step set).
inline __attribute__((always_inline)) PaddedRowsFn pick_padded_rows(bool full_range,
                                                                    const PaddedQuad& q) {
  const bool pre_shift = (q.requant[0].pre_shift | q.requant[1].pre_shift | q.requant[2].pre_shift |
                          q.requant[3].pre_shift) != 0;
  const bool doubled = q.doubled != 0;
  if (q.step == 8) return pick_padded_rows_for<8>(full_range, pre_shift, doubled);
  if (q.step == 4) return pick_padded_rows_for<4>(full_range, pre_shift, doubled);
  return pick_padded_rows_for<0>(full_range, pre_shift, doubled);
}

// The input zero point in every byte of a word: x + input_offset = 0 for each.
int32_t padded_pad_word(int32_t input_offset) {
  const uint32_t zero_point = static_cast<uint8_t>(static_cast<int8_t>(-input_offset));
  return static_cast<int32_t>(zero_point * 0x01010101u);
}

// `rows` rows of n words each: word i of row r from src + r * src_row + i * step (bytes) to
// dst[r * dst_row + i]; rows >= 1.
inline void padded_copy_portable(const int8_t* src, int32_t src_row, int32_t step, int32_t n,
                                 int32_t rows, int32_t* dst, int32_t dst_row) {
  for (; rows > 0; --rows, src += src_row, dst += dst_row) {
    const int8_t* s = src;
    for (int32_t i = 0; i < n; ++i, s += step) dst[i] = simd32::load4(s);
  }
}

#if KILN_SIMD32_DSP && defined(__OPTIMIZE__)
// The same by hand: GCC keeps the row bookkeeping on the stack, which costs more than the words
// of a 6-word row. Eight words per pass (four back-to-back loads, four stores, and again: the
// loads follow the stores back to back), then four, two and one by the low bits of the count;
// the row steps come from memory at each row's end.
template <bool kWide>
__attribute__((noinline)) void padded_copy_rows(const int8_t* src, int32_t src_row, int32_t step,
                                                int32_t n, int32_t rows, int32_t* dst,
                                                int32_t dst_row) {
  // {n, bytes from a row's end to the next row's start in src, the same in dst}
  const int32_t row_steps[3] = {n, src_row - n * step, 4 * (dst_row - n)};
  const int32_t step2 = 2 * step, step3 = 3 * step;
  int32_t count, w0, w1, w2, w3;
// Four words if the count's bit 2 is set (label 6 skips them), then two and one by bits 1 and
// 0, then on to the next row.
#define KILN_COPY_TAIL                  \
  "ldr %[w0], [%[s]]\n\t"               \
  "ldr %[w1], [%[s], %[step]]\n\t"      \
  "ldr %[w2], [%[s], %[step2]]\n\t"     \
  "ldr %[w3], [%[s], %[step3]]\n\t"     \
  "str %[w0], [%[d]]\n\t"               \
  "str %[w1], [%[d], #4]\n\t"           \
  "str %[w2], [%[d], #8]\n\t"           \
  "str %[w3], [%[d], #12]\n\t"          \
  "add %[s], %[s], %[step], lsl #2\n\t" \
  "add %[d], %[d], #16\n\t"             \
  "6:\n\t"                              \
  "tst %[count], #2\n\t"                \
  "beq 4f\n\t"                          \
  "ldr %[w0], [%[s]]\n\t"               \
  "ldr %[w1], [%[s], %[step]]\n\t"      \
  "str %[w0], [%[d]]\n\t"               \
  "str %[w1], [%[d], #4]\n\t"           \
  "add %[s], %[s], %[step], lsl #1\n\t" \
  "add %[d], %[d], #8\n\t"              \
  "4:\n\t"                              \
  "tst %[count], #1\n\t"                \
  "beq 5f\n\t"                          \
  "ldr %[w0], [%[s]]\n\t"               \
  "str %[w0], [%[d]], #4\n\t"           \
  "add %[s], %[s], %[step]\n\t"         \
  "5:\n\t"                              \
  "ldr %[w0], [%[a], #4]\n\t"           \
  "ldr %[w1], [%[a], #8]\n\t"           \
  "add %[s], %[s], %[w0]\n\t"           \
  "add %[d], %[d], %[w1]\n\t"           \
  "subs %[rows], %[rows], #1\n\t"       \
  "bne 1b\n\t"
  if (kWide) {
    const int8_t* src4;  // src + 4 * step: the second four words of a pass of eight
    __asm__ volatile(
        "1:\n\t"
        "ldr %[count], [%[a]]\n\t"
        "add %[s4], %[s], %[step], lsl #2\n\t"
        "subs %[count], %[count], #8\n\t"
        "blt 3f\n\t"
        "2:\n\t"
        "ldr %[w0], [%[s]]\n\t"
        "ldr %[w1], [%[s], %[step]]\n\t"
        "ldr %[w2], [%[s], %[step2]]\n\t"
        "ldr %[w3], [%[s], %[step3]]\n\t"
        "str %[w0], [%[d]]\n\t"
        "str %[w1], [%[d], #4]\n\t"
        "str %[w2], [%[d], #8]\n\t"
        "str %[w3], [%[d], #12]\n\t"
        "ldr %[w0], [%[s4]]\n\t"
        "ldr %[w1], [%[s4], %[step]]\n\t"
        "ldr %[w2], [%[s4], %[step2]]\n\t"
        "ldr %[w3], [%[s4], %[step3]]\n\t"
        "str %[w0], [%[d], #16]\n\t"
        "str %[w1], [%[d], #20]\n\t"
        "str %[w2], [%[d], #24]\n\t"
        "str %[w3], [%[d], #28]\n\t"
        "add %[s], %[s], %[step], lsl #3\n\t"
        "add %[s4], %[s4], %[step], lsl #3\n\t"
        "add %[d], %[d], #32\n\t"
        "subs %[count], %[count], #8\n\t"
        "bge 2b\n\t"
        "3:\n\t"  // count = n % 8 - 8: its low bits are those of n % 8
        "tst %[count], #4\n\t"
        "beq 6f\n\t" KILN_COPY_TAIL
        : [s] "+r"(src), [d] "+r"(dst), [rows] "+r"(rows), [count] "=&r"(count), [w0] "=&r"(w0),
          [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [s4] "=&r"(src4)
        : [a] "r"(row_steps), [step] "r"(step), [step2] "r"(step2), [step3] "r"(step3)
        : "cc", "memory");
  } else {
    __asm__ volatile(
        "1:\n\t"
        "ldr %[count], [%[a]]\n\t"
        "subs %[count], %[count], #4\n\t"  // n < 8: count = n - 4, the same low bits
        "blt 6f\n\t" KILN_COPY_TAIL
        : [s] "+r"(src), [d] "+r"(dst), [rows] "+r"(rows), [count] "=&r"(count), [w0] "=&r"(w0),
          [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3)
        : [a] "r"(row_steps), [step] "r"(step), [step2] "r"(step2), [step3] "r"(step3)
        : "cc", "memory");
  }
#undef KILN_COPY_TAIL
}
#else
template <bool kWide>
void padded_copy_rows(const int8_t* src, int32_t src_row, int32_t step, int32_t n, int32_t rows,
                      int32_t* dst, int32_t dst_row) {
  padded_copy_portable(src, src_row, step, n, rows, dst, dst_row);
}
#endif

typedef void (*PaddedCopyFn)(const int8_t*, int32_t, int32_t, int32_t, int32_t, int32_t*, int32_t);

// The copy with passes of eight words for rows of at least eight (shorter ones skip the test).
inline void padded_copy(const int8_t* src, int32_t src_row, int32_t step, int32_t n, int32_t rows,
                        int32_t* dst, int32_t dst_row) {
  if (n >= 8)
    padded_copy_rows<true>(src, src_row, step, n, rows, dst, dst_row);
  else
    padded_copy_rows<false>(src, src_row, step, n, rows, dst, dst_row);
}

// Everything about the padded copy that is fixed for a call.
struct PaddedLayout {
  int32_t words;       // words per padded row
  int32_t rows;        // padded rows the buffer holds (0: the padded path does not apply)
  int32_t chunk;       // output rows computed per fill of the buffer
  int32_t begin, end;  // words [begin, end) of a row hold input columns [0, end - begin)
};

// The layout for these arguments within `available` scratch bytes.
PaddedLayout padded_layout(const Window2D& win, const Shape4& filter, const Shape4& in,
                           const Shape4& out, size_t available) {
  PaddedLayout l = {0, 0, 0, 0, 0};
  if (filter.h != 3 || filter.w != 3 || win.dilation_h != 1 || win.dilation_w != 1 ||
      win.pad_h < 0 || win.pad_w < 0 || win.stride_h < 1 || win.stride_w < 1)
    return l;
  const int64_t words = padded_row_words(out.w, win.stride_w);
  const int64_t plane_rows = padded_plane_rows(out.h, win.stride_h);
  if (win.pad_w >= words) return l;  // every window in the padding: the other kernel
  int64_t rows = static_cast<int64_t>(available / 4) / words;
  if (rows >= plane_rows) {
    rows = plane_rows;  // one fill per quad: nothing is written before everything is read
  } else if (rows < 3 || !ring_order_holds(win, in, out)) {
    return l;
  }
  l.words = static_cast<int32_t>(words);
  l.rows = static_cast<int32_t>(rows);
  l.chunk = (l.rows - 3) / win.stride_h + 1;
  l.begin = win.pad_w;
  l.end = win.pad_w + in.w < l.words ? win.pad_w + in.w : l.words;
  if (l.end < l.begin) l.end = l.begin;
  return l;
}

// Channels c..c+3 of one batch by the padded path: reads `batch`, writes `out_batch` (the same
// memory in place). `buffer` holds l.rows padded rows whose padding columns hold the pad word.
// The output rows go in chunks of l.chunk: the buffer gets the input rows the chunk's windows
// cover (keeping those the previous chunk already holds), then one loop computes the chunk.
void quad_padded(const DepthwiseJob& j, const PaddedLayout& l, bool full_range, PaddedQuad& q,
                 int32_t c, const int8_t* batch, int8_t* out_batch, int32_t* buffer) {
  const Window2D& win = j.win;
  const int32_t channels = j.in.c;
  const int32_t inside = l.end - l.begin;
  const int32_t in_row = j.in.w * channels;
  const int8_t* in_first = batch + c;  // input row 0, column 0: padded word l.begin
  const int32_t row_bytes = j.out.w * channels;
  const int32_t pad = padded_pad_word(j.input_offset);
  q.step = 4 * win.stride_w;
  const PaddedRowsFn rows_fn = pick_padded_rows(full_range, q);
  q.row_bytes = row_bytes;
  q.jump = 4 * (win.stride_h * l.words - j.out.w * win.stride_w);
  int8_t* dst = out_batch + c;
  if (l.chunk >= j.out.h) {
    // The whole plane, whose padding rows already hold the pad word: input rows
    // [0, last) land on padded rows pad_h...
    const int32_t covered = (j.out.h - 1) * win.stride_h + 3 - win.pad_h;
    const int32_t last = covered < j.in.h ? covered : j.in.h;
    if (last > 0)
      padded_copy(in_first, in_row, channels, inside, last, buffer + win.pad_h * l.words + l.begin,
                  l.words);
    q.end = dst + j.out.h * row_bytes;
    rows_fn(q, buffer, buffer + l.words, buffer + 2 * l.words, dst, dst + row_bytes);
    return;
  }
  int32_t held_first = 0, held_end = 0;  // input rows [held_first, held_end) are in the buffer
  for (int32_t y = 0; y < j.out.h;) {
    const int32_t rows = j.out.h - y < l.chunk ? j.out.h - y : l.chunk;
    const int32_t first = y * win.stride_h - win.pad_h;  // input rows [first, end) needed
    const int32_t end = first + (rows - 1) * win.stride_h + 3;
    int32_t r = first;
    if (y > 0 && first < held_end) {
      // The rows both chunks need move to the top of the buffer (memcpy where the ranges do not
      // overlap: the library's memmove copies bytes, its memcpy words).
      const int32_t* from = buffer + (first - held_first) * l.words;
      const size_t bytes = static_cast<size_t>(held_end - first) * l.words * 4;
      if (first - held_first >= held_end - first)
        memcpy(buffer, from, bytes);
      else
        memmove(buffer, from, bytes);
      r = held_end;
    }
    while (r < end) {
      int32_t* row = buffer + (r - first) * l.words + l.begin;
      if (r < 0 || r >= j.in.h) {
        for (int32_t i = 0; i < inside; ++i) row[i] = pad;
        ++r;
        continue;
      }
      const int32_t count = (end < j.in.h ? end : j.in.h) - r;  // input rows in a run
      padded_copy(in_first + r * in_row, in_row, channels, inside, count, row, l.words);
      r += count;
    }
    held_first = first;
    held_end = end;
    q.end = dst + rows * row_bytes;
    rows_fn(q, buffer, buffer + l.words, buffer + 2 * l.words, dst, dst + row_bytes);
    dst += rows * row_bytes;
    y += rows;
  }
}

// The whole-plane case of quad_padded (l.chunk >= OH) for the channel quads [0, quads) of one
// batch, with what does not depend on the quad computed once per batch; out of line, so that
// its loop keeps its values in registers. Per quad: the block, the copy of the quad's input
// plane, then every output pixel.
__attribute__((noinline)) void quads_padded_plane(const DepthwiseJob& j, const PaddedLayout& l,
                                                  bool full_range, const int8_t* batch,
                                                  int8_t* out_batch, int32_t* buffer,
                                                  int32_t quads) {
  const Window2D& win = j.win;
  const int32_t channels = j.in.c;
  const int32_t in_row = j.in.w * channels;
  const int32_t inside = l.end - l.begin;
  const PaddedCopyFn copy = inside >= 8 ? &padded_copy_rows<true> : &padded_copy_rows<false>;
  const bool try_doubled = full_range && j.out.h * j.out.w >= kPaddedDoubledPixels;
  const int32_t row_bytes = j.out.w * channels;
  const int32_t plane_bytes = j.out.h * row_bytes;
  // Input rows [0, last) land on padded rows pad_h...; the padding rows hold the pad word.
  const int32_t covered = (j.out.h - 1) * win.stride_h + 3 - win.pad_h;
  const int32_t last = covered < j.in.h ? covered : j.in.h;
  int32_t* const first_copied = buffer + win.pad_h * l.words + l.begin;
  const int32_t* const row1 = buffer + l.words;
  const int32_t* const row2 = buffer + 2 * l.words;
  PaddedQuad q;
  q.step = 4 * win.stride_w;
  q.row_bytes = row_bytes;
  q.jump = 4 * (win.stride_h * l.words - j.out.w * win.stride_w);
  for (int32_t c = 0; c < quads; c += 4) {
    padded_quad_build(j.weights, channels, c, j.table, j.input_offset, j.clamp.lo, j.clamp.hi,
                      try_doubled, &q);
    if (last > 0) copy(batch + c, in_row, channels, inside, last, first_copied, l.words);
    int8_t* dst = out_batch + c;
    q.end = dst + plane_bytes;
    pick_padded_rows(full_range, q)(q, buffer, row1, row2, dst, dst + row_bytes);
  }
}

// The pair path of the in-place kernel: 3x3 filters with stride 1 and dilation 1 whose output
// rows are even (and not too short). It widens the input into 16-bit planes with the input
// offset added, zero where the windows hang over the border (what the reference's skipped taps
// contribute): the four planes of a channel quad from one word load per pixel, or, where four
// planes do not fit in the scratch, one channel's plane at a time. Each channel's outputs then
// go two neighbours at a time: per tap row, SMLAD multiplies the taps (w0, w1) with the entries
// (x0, x1) of the left output, SMLADX the same taps with (x2, x1) of the right one, and halfword
// multiplies add w2 * x2 and w2 * x3. The accumulators are the reference's (bias plus the sum of
// (x + offset) * w), so the results are its own. A channel's (or quad's) input is widened whole
// before its outputs overwrite it in place.
//
// Measured on VWW (QEMU cycle model, cycles per call, against the padded quad path or the
// channel-planar path before): 48x48x8 623,100 -> 589,600, 24x24x32 707,300 -> 613,200,
// 12x12x64 360,100 -> 311,900, 6x6x128 196,800 -> 187,000. The pair loop costs about 51 cycles
// per two outputs (18 multiply-accumulates and two requantizations). Then three pairs per pass,
// the right shift in a tap register, word stores in the widening (by hand for quads), one call
// per channel and channel quads in bands instead of single channels: 48x48x8 -> 503,500,
// 24x24x32 -> 530,000, 12x12x64 -> 269,300, 6x6x128 -> 157,100 (about 46 cycles per pair in the
// loop). Then the block on the stack (stores without a load, chained with the next pair's
// loads), one bias load per pair, the widening without per-row tests and two pairs per pass,
// one call per channel quad, a row per pass for rows of 6 and 12 (the row end in the loads'
// steps), six pairs per pass on longer rows and only the padding rows zeroed: 48x48x8 ->
// 454,200, 24x24x32 -> 482,500, 12x12x64 -> 235,500, 6x6x128 -> 138,900 (about 41 cycles per
// pair). Then the doubled step for channels within its bound (doubled taps and bias, no QADD),
// with the pitch known when compiling (one row pointer: the bias stays in a register) and for
// VWW's channel counts the channel step too (post-indexed stores: M and C stay in registers):
// 48x48x8 -> 389,900, 24x24x32 -> 420,400, 12x12x64 -> 205,600, 6x6x128 -> 127,400 (about 34
// cycles per pair).

// (b.h0, a.h1): PKHBT.
inline int32_t pack_low_high(int32_t b, int32_t a) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("pkhbt %0, %1, %2" : "=r"(r) : "r"(b), "r"(a));
  return r;
#else
  return simd32::pack_halves(simd32::half0(b), simd32::half1(a));
#endif
}

// acc + a.h0 * b.h1 + a.h1 * b.h0, wrapping: SMLADX.
inline int32_t smladx(int32_t a, int32_t b, int32_t acc) {
#if KILN_SIMD32_DSP
  int32_t r;
  __asm__("smladx %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
#else
  return simd32::add_wrap(acc, simd32::add_wrap(simd32::half0(a) * simd32::half1(b),
                                                simd32::half1(a) * simd32::half0(b)));
#endif
}

// The widened planes of the pair path: `rows` rows of `pitch` 16-bit entries per channel, for
// `group` channels at a time: 4 (a channel quad) or 1 (0: the path does not apply).
struct PairLayout {
  int32_t pitch;  // entries per padded row: OW + 2 (even)
  int32_t rows;   // padded rows held: band + 2
  int32_t group;
  int32_t band;  // output rows per fill of the planes: OH, or fewer for quads in bands
};

// Output rows shorter than this stay on the other paths (the widening and the per-channel and
// per-row set-up would be spread over fewer outputs; 6 is the shortest measured to gain).
const int32_t kMinPairRowOutputs = 6;

// Channel quads whose four whole planes do not fit in the scratch go in bands of at least this
// many output rows (each band refills the planes and sets up the four channels again), rather
// than one channel at a time (whose widening reads a byte per pixel and costs about twice as
// much per entry).
const int32_t kMinPairBand = 6;

// True if every band of `band` output rows finds the input rows it widens from the input (not
// yet overwritten): those from padded row y0 + 2 on, once output rows [0, y0) are written.
bool pair_bands_in_order(const Window2D& win, const Shape4& in, const Shape4& out, int32_t band) {
  for (int64_t y0 = band; y0 < out.h; y0 += band) {
    const int64_t first_input_row = y0 + 2 - win.pad_h;
    if (y0 * out.w > first_input_row * in.w) return false;
  }
  return true;
}

// The layout for these arguments within the in-place kernel's scratch beyond its
// requantization table of `table_bytes`; group 0 if the pair path does not apply.
PairLayout pair_layout(const Window2D& win, const Shape4& filter, const Shape4& in,
                       const Shape4& out, size_t table_bytes) {
  PairLayout l = {0, 0, 0, 0};
  if (filter.h != 3 || filter.w != 3 || win.stride_h != 1 || win.stride_w != 1 ||
      win.dilation_h != 1 || win.dilation_w != 1 || win.pad_h < 0 || win.pad_w < 0 ||
      (out.w & 1) != 0 || out.w < kMinPairRowOutputs)
    return l;
  const int64_t pitch = static_cast<int64_t>(out.w) + 2;
  const int64_t rows = static_cast<int64_t>(out.h) + 2;
  const uint64_t plane_bytes = static_cast<uint64_t>(2 * pitch * rows);
  // After the shape checks: the other layers pay nothing for this.
  const size_t scratch = depthwise_conv2d_int8_in_place_fast_scratch_bytes(out);
  if (scratch < table_bytes) return l;
  const size_t available = scratch - table_bytes;
  // Padded rows of four planes that fit: bands of that many output rows less two. A band's
  // inputs come after the rows the earlier bands overwrote as long as pad_h <= 2.
  const int64_t band = static_cast<int64_t>(available / static_cast<uint64_t>(8 * pitch)) - 2;
  l.band = out.h;
  if (4 * plane_bytes <= available && out.c >= 4)
    l.group = 4;
  else if (out.c >= 4 && win.pad_h <= 2 && band >= kMinPairBand &&
           pair_bands_in_order(win, in, out, static_cast<int32_t>(band)))
    l.group = 4, l.band = static_cast<int32_t>(band);
  else if (plane_bytes <= available)
    l.group = 1;
  else
    return l;
  l.pitch = static_cast<int32_t>(pitch);
  l.rows = l.band + 2;
  return l;
}

// What the widening of a channel quad's rows reads besides its registers; the asm loop
// addresses the fields by the byte offsets noted.
struct PairFillRows {
  int32_t pairs;    // @0   pixel pairs whose entries share a word, per row
  int32_t first;    // @4   1: pixel 0 shares its word with the padding entry before it
  int32_t last;     // @8   1: the last pixel shares its word with the padding entry after it
  int32_t in_skip;  // @12  bytes from past a row's last pixel to the next row's pixel 0
  int32_t d_skip;   // @16  bytes from past a row's last word to the next row's first
  int32_t rows;     // @20  rows left (counted down)
};

// The four planes' words of a pixel pair (or of a pixel and a zero entry), from the SXTAB16
// lanes of each pixel: plane k + 2 * h gets half h of lane word k.
inline void pair_fill_word(int16_t* d, int32_t plane, int32_t even0, int32_t odd0, int32_t even1,
                           int32_t odd1) {
  simd32::store4(d, simd32::pack_low_halves(even0, even1));
  simd32::store4(d + plane, simd32::pack_low_halves(odd0, odd1));
  simd32::store4(d + 2 * plane, simd32::pack_high_halves(even0, even1));
  simd32::store4(d + 3 * plane, simd32::pack_high_halves(odd0, odd1));
}

// b.rows rows of channels c..c+3 from `in` (row 0, pixel 0, channel c) into the words from d on
// (row 0's first word of plane 0; plane k at plane_bytes * k further).
inline void pair_fill_rows_portable(const PairFillRows& b, const int8_t* in, int16_t* d,
                                    int32_t plane_bytes, int32_t offsets, int32_t channels) {
  const int32_t plane = plane_bytes / 2;
  for (int32_t rows = b.rows; rows > 0; --rows) {
    if (b.first) {
      const int32_t v = simd32::load4(in);
      pair_fill_word(d, plane, 0, 0, simd32::sxtab16(offsets, v), simd32::sxtab16_odd(offsets, v));
      in += channels;
      d += 2;
    }
    for (int32_t i = 0; i < b.pairs; ++i, in += 2 * channels, d += 2) {
      const int32_t v0 = simd32::load4(in);
      const int32_t v1 = simd32::load4(in + channels);
      pair_fill_word(d, plane, simd32::sxtab16(offsets, v0), simd32::sxtab16_odd(offsets, v0),
                     simd32::sxtab16(offsets, v1), simd32::sxtab16_odd(offsets, v1));
    }
    if (b.last) {
      const int32_t v = simd32::load4(in);
      pair_fill_word(d, plane, simd32::sxtab16(offsets, v), simd32::sxtab16_odd(offsets, v), 0, 0);
      in += channels;
      d += 2;
    }
    in += b.in_skip;
    d += b.d_skip / 2;
  }
}

#if KILN_SIMD32_DSP && defined(__OPTIMIZE__)
static_assert(offsetof(PairFillRows, first) == 4 && offsetof(PairFillRows, last) == 8 &&
                  offsetof(PairFillRows, in_skip) == 12 && offsetof(PairFillRows, d_skip) == 16 &&
                  offsetof(PairFillRows, rows) == 20,
              "the asm widening loop's offsets");

// The same by hand (GCC spends more on a row's bookkeeping than on a short row's words): per
// pixel pair two loads, four SXTAB16, four PKHBT / PKHTB and four stores; a lone pixel pairs
// with a zero register. The lone pixels at the row's ends are known when compiling (no test per
// row), the pairs go two per pass after an odd one (rows of exactly two pairs: straight code, the
// row skips in registers), and the pair and row counts stay in registers.
#define KILN_FILL_LONE_FIRST                 \
  "ldr %[v0], [%[in]]\n\t"                   \
  "add %[in], %[in], %[ch]\n\t"              \
  "sxtab16 %[e0], %[off], %[v0]\n\t"         \
  "sxtab16 %[v0], %[off], %[v0], ror #8\n\t" \
  "mov %[e1], #0\n\t"                        \
  "pkhbt %[t], %[e1], %[e0], lsl #16\n\t"    \
  "pkhtb %[e0], %[e0], %[e1], asr #16\n\t"   \
  "pkhbt %[v1], %[e1], %[v0], lsl #16\n\t"   \
  "pkhtb %[v0], %[v0], %[e1], asr #16\n\t"   \
  "add %[e1], %[d], %[p]\n\t"                \
  "str %[t], [%[d]]\n\t"                     \
  "str %[v1], [%[d], %[p]]\n\t"              \
  "str %[e0], [%[d], %[p], lsl #1]\n\t"      \
  "str %[v0], [%[e1], %[p], lsl #1]\n\t"     \
  "add %[d], %[d], #4\n\t"
#define KILN_FILL_PAIR                       \
  "ldr %[v0], [%[in]]\n\t"                   \
  "ldr %[v1], [%[in], %[ch]]\n\t"            \
  "add %[in], %[in], %[ch], lsl #1\n\t"      \
  "sxtab16 %[e0], %[off], %[v0]\n\t"         \
  "sxtab16 %[e1], %[off], %[v1]\n\t"         \
  "sxtab16 %[v0], %[off], %[v0], ror #8\n\t" \
  "sxtab16 %[v1], %[off], %[v1], ror #8\n\t" \
  "pkhbt %[t], %[e0], %[e1], lsl #16\n\t"    \
  "pkhtb %[e1], %[e1], %[e0], asr #16\n\t"   \
  "pkhbt %[e0], %[v0], %[v1], lsl #16\n\t"   \
  "pkhtb %[v1], %[v1], %[v0], asr #16\n\t"   \
  "add %[v0], %[d], %[p]\n\t"                \
  "str %[t], [%[d]]\n\t"                     \
  "str %[e0], [%[d], %[p]]\n\t"              \
  "str %[e1], [%[d], %[p], lsl #1]\n\t"      \
  "str %[v1], [%[v0], %[p], lsl #1]\n\t"     \
  "add %[d], %[d], #4\n\t"
#define KILN_FILL_LONE_LAST                  \
  "ldr %[v0], [%[in]]\n\t"                   \
  "add %[in], %[in], %[ch]\n\t"              \
  "sxtab16 %[e0], %[off], %[v0]\n\t"         \
  "sxtab16 %[v0], %[off], %[v0], ror #8\n\t" \
  "mov %[e1], #0\n\t"                        \
  "pkhbt %[t], %[e0], %[e1], lsl #16\n\t"    \
  "pkhtb %[e0], %[e1], %[e0], asr #16\n\t"   \
  "pkhbt %[v1], %[v0], %[e1], lsl #16\n\t"   \
  "pkhtb %[v0], %[e1], %[v0], asr #16\n\t"   \
  "add %[e1], %[d], %[p]\n\t"                \
  "str %[t], [%[d]]\n\t"                     \
  "str %[v1], [%[d], %[p]]\n\t"              \
  "str %[e0], [%[d], %[p], lsl #1]\n\t"      \
  "str %[v0], [%[e1], %[p], lsl #1]\n\t"     \
  "add %[d], %[d], #4\n\t"
template <bool kFirst, bool kLast, bool kTwoPairs>
__attribute__((noinline)) void pair_fill_rows(const PairFillRows& b, const int8_t* in, int16_t* d,
                                              int32_t plane_bytes, int32_t offsets,
                                              int32_t channels) {
  int32_t n, v0, v1, e0, e1, t, rows, pairs;
  __asm__ volatile(
      "ldr %[rows], [%[b], #20]\n\t"
      ".if %c[two]\n\t"  // two pairs a row: the skips stay in the count registers
      "ldr %[pairs], [%[b], #12]\n\t"
      "ldr %[n], [%[b], #16]\n\t"
      ".else\n\t"
      "ldr %[pairs], [%[b]]\n\t"
      ".endif\n\t"
      "1:\n\t"
      ".if %c[first]\n\t" KILN_FILL_LONE_FIRST
      ".endif\n\t"
      ".if %c[two]\n\t" KILN_FILL_PAIR KILN_FILL_PAIR
      ".else\n\t"
      "lsrs %[n], %[pairs], #1\n\t"
      "bcc 2f\n\t" KILN_FILL_PAIR
      "2:\n\t"
      "cmp %[n], #0\n\t"
      "beq 4f\n\t"
      "3:\n\t" KILN_FILL_PAIR KILN_FILL_PAIR
      "subs %[n], %[n], #1\n\t"
      "bne 3b\n\t"
      "4:\n\t"
      ".endif\n\t"
      ".if %c[last]\n\t" KILN_FILL_LONE_LAST
      ".endif\n\t"
      ".if %c[two]\n\t"
      "add %[in], %[in], %[pairs]\n\t"
      "add %[d], %[d], %[n]\n\t"
      ".else\n\t"
      "ldr %[t], [%[b], #12]\n\t"
      "ldr %[v0], [%[b], #16]\n\t"
      "add %[in], %[in], %[t]\n\t"
      "add %[d], %[d], %[v0]\n\t"
      ".endif\n\t"
      "subs %[rows], %[rows], #1\n\t"
      "bne 1b\n\t"
      : [in] "+r"(in), [d] "+r"(d), [n] "=&r"(n), [v0] "=&r"(v0), [v1] "=&r"(v1), [e0] "=&r"(e0),
        [e1] "=&r"(e1), [t] "=&r"(t), [rows] "=&r"(rows), [pairs] "=&r"(pairs)
      : [b] "r"(&b), [p] "r"(plane_bytes), [off] "r"(offsets), [ch] "r"(channels),
        [first] "i"(kFirst ? 1 : 0), [last] "i"(kLast ? 1 : 0), [two] "i"(kTwoPairs ? 1 : 0)
      : "cc", "memory");
}
#undef KILN_FILL_LONE_FIRST
#undef KILN_FILL_PAIR
#undef KILN_FILL_LONE_LAST
#else
template <bool kFirst, bool kLast, bool kTwoPairs>
void pair_fill_rows(const PairFillRows& b, const int8_t* in, int16_t* d, int32_t plane_bytes,
                    int32_t offsets, int32_t channels) {
  pair_fill_rows_portable(b, in, d, plane_bytes, offsets, channels);
}
#endif

// What pair_fill computes for every quad alike: padded rows [from, to) of planes holding padded
// rows from y0 on.
struct PairFillPlan {
  PairFillRows b;       // b.rows 0: no input rows to widen
  int32_t in_offset;    // bytes from the batch's pixel 0 to the first widened row's pixel 0
  int32_t d_offset;     // entries from the planes to the first word written
  int32_t plane_bytes;  // bytes from one plane to the next
  int32_t offsets;      // the input offset in both halves
};

inline __attribute__((always_inline)) PairFillPlan pair_fill_plan(const DepthwiseJob& j,
                                                                  const PairLayout& l, int32_t y0,
                                                                  int32_t from, int32_t to) {
  PairFillPlan p;
  const int32_t channels = j.in.c;
  const int32_t pad_h = j.win.pad_h;
  const int32_t first_y = from > pad_h ? from : pad_h;  // padded rows [first_y, end_y) are input
  const int32_t end_y = to < pad_h + j.in.h ? to : pad_h + j.in.h;
  const int32_t last_x = l.pitch - j.win.pad_w < j.in.w ? l.pitch - j.win.pad_w : j.in.w;
  PairFillRows& b = p.b;
  b.first = j.win.pad_w & 1;  // pixel 0's entry is odd
  b.pairs = last_x > b.first ? (last_x - b.first) / 2 : 0;
  b.last = last_x > b.first ? last_x - b.first - 2 * b.pairs : 0;
  b.in_skip = (j.in.w - last_x) * channels;
  b.d_skip = 2 * l.pitch - 4 * (b.first + b.pairs + b.last);
  b.rows = last_x > 0 && end_y > first_y ? end_y - first_y : 0;
  // The word holding pixel 0's entry (with the entry before it if `first`).
  p.d_offset = (first_y - y0) * l.pitch + j.win.pad_w - b.first;
  p.in_offset = (first_y - pad_h) * j.in.w * channels;
  p.plane_bytes = 2 * l.rows * l.pitch;
  p.offsets = simd32::pack_halves(j.input_offset, j.input_offset);
  return p;
}

// Channels c..c+3 by the plan: `in` is channel c of the batch's pixel 0.
inline __attribute__((always_inline)) void pair_fill_run(const PairFillPlan& p, const int8_t* in,
                                                         int16_t* planes, int32_t channels) {
  if (p.b.rows <= 0) return;
  const PairFillRows& b = p.b;
  in += p.in_offset;
  int16_t* d = planes + p.d_offset;
  if (b.first && b.last && b.pairs == 2)  // rows of six pixels with odd padding
    pair_fill_rows<true, true, true>(b, in, d, p.plane_bytes, p.offsets, channels);
  else if (b.first && b.last)
    pair_fill_rows<true, true, false>(b, in, d, p.plane_bytes, p.offsets, channels);
  else if (b.first)
    pair_fill_rows<true, false, false>(b, in, d, p.plane_bytes, p.offsets, channels);
  else if (b.last)
    pair_fill_rows<false, true, false>(b, in, d, p.plane_bytes, p.offsets, channels);
  else
    pair_fill_rows<false, false, false>(b, in, d, p.plane_bytes, p.offsets, channels);
}

// Channels c..c+3 of the input into the four planes at `planes` (plane k at planes + k * rows *
// pitch), input pixel (y, x) at padded entry (y + pad_h, x + pad_w); entries outside the input
// are left zero. Word stores only (rows start on a word: the pitch is even): two pixels whose
// entries share a word take two word loads, four SXTAB16 and four PKHBT / PKHTB; a pixel alone
// in its word at either end of a row shares it with a zero, which is what the padding entry
// beside it holds. The planes hold padded rows from y0 on (plane row 0); this fills padded rows
// [from, to) of them: input rows where there are some, zero rows elsewhere.
__attribute__((noinline)) void pair_fill(const DepthwiseJob& j, const PairLayout& l,
                                         const int8_t* batch, int32_t c, int16_t* planes,
                                         int32_t y0, int32_t from, int32_t to) {
  const int32_t plane = l.rows * l.pitch;
  const int32_t pad_h = j.win.pad_h;
  const int32_t first_y = from > pad_h ? from : pad_h;  // padded rows [first_y, end_y) are input
  const int32_t end_y = to < pad_h + j.in.h ? to : pad_h + j.in.h;
  // Rows outside the input: zero from the start when the planes hold them all (never written),
  // else written now.
  if (l.band < j.out.h) {
    for (int32_t y = from; y < first_y; ++y)
      for (int32_t k = 0; k < 4; ++k)
        memset(planes + k * plane + (y - y0) * l.pitch, 0, 2 * static_cast<size_t>(l.pitch));
    for (int32_t y = end_y > from ? end_y : from; y < to; ++y)
      for (int32_t k = 0; k < 4; ++k)
        memset(planes + k * plane + (y - y0) * l.pitch, 0, 2 * static_cast<size_t>(l.pitch));
  }
  pair_fill_run(pair_fill_plan(j, l, y0, from, to), batch + c, planes, j.in.c);
}

// What the pair loop of one channel reads besides its registers; the asm loop addresses the
// fields by the byte offsets noted.
struct PairChannel {
  int32_t bias;                   // @0
  int32_t multiplier2;            // @4   as in RequantChannel
  int32_t rounding;               // @8
  int32_t post_shift;             // @12
  int32_t pre_shift;              // @16
  int32_t pair_step;              // @20  bytes from one output pair to the next: 2 * channels
  int32_t channels;               // @24  bytes from an output to its right neighbour
  const int16_t* row_end;         // @28  the first row pointer once the current row is done
  int32_t pitch_bytes;            // @32  bytes of one padded row
  const int16_t* end;             // @36  row_end once the last row is done
  int32_t lo, hi;                 // @40  the activation range
  int32_t row_entries;            // @48  OW
  int32_t plane_entries;          // @52  output rows of this fill of the planes * pitch
  const RequantChannel* requant;  // @56  the channel's entry (the asm loop reads it there)
};

// The taps of one channel as halfword pairs: (w0, w1) of each row, the third column as
// (w02, w12) and (post_shift, w22): the asm loop shifts by `last` (ASR reads its low byte), which
// saves a load per output pair.
struct PairTaps {
  int32_t row0, row1, row2, col2, last;
};

// The output step of the pair loop.
template <bool kFullRange, bool kPreShift>
inline int8_t pair_finish(int32_t acc, const PairChannel& k) {
  const RequantChannel t = {0, k.multiplier2, k.pre_shift, k.rounding, k.post_shift};
  return requant_clamp<kFullRange, kPreShift>(acc, t, k.lo, k.hi);
}

// Every output of the channel: output rows of pairs, the window's rows at r (and r plus one and
// two pitches), the outputs from dst on; the accumulators start at `bias` and `finish` is the
// output step.
template <typename Finish>
void pair_rows_with(PairChannel& k, const PairTaps& w, const int16_t* r, int8_t* dst, int32_t bias,
                    Finish finish) {
  const int32_t pitch = k.pitch_bytes / 2;
  for (;;) {
    for (; r != k.row_end; r += 2, dst += k.pair_step) {
      int32_t left = bias, right = bias;
      int32_t a = simd32::load4(r), b = simd32::load4(r + 2);
      left = simd32::smlad(a, w.row0, left);
      right = smladx(pack_low_high(b, a), w.row0, right);
      left = simd32::smlabb(b, w.col2, left);
      right = simd32::smlatb(b, w.col2, right);
      a = simd32::load4(r + pitch);
      b = simd32::load4(r + pitch + 2);
      left = simd32::smlad(a, w.row1, left);
      right = smladx(pack_low_high(b, a), w.row1, right);
      left = simd32::smlabt(b, w.col2, left);
      right = simd32::smlatt(b, w.col2, right);
      a = simd32::load4(r + 2 * pitch);
      b = simd32::load4(r + 2 * pitch + 2);
      left = simd32::smlad(a, w.row2, left);
      right = smladx(pack_low_high(b, a), w.row2, right);
      left = simd32::smlabt(b, w.last, left);
      right = simd32::smlatt(b, w.last, right);
      dst[0] = finish(left);
      dst[k.channels] = finish(right);
    }
    r += 2;  // the two padding entries that end a padded row
    k.row_end += k.pitch_bytes / 2;
    if (k.row_end == k.end) return;
  }
}

template <bool kFullRange, bool kPreShift>
void pair_rows_portable(PairChannel& k, const PairTaps& w, const int16_t* r, int8_t* dst) {
  const PairChannel& channel = k;
  pair_rows_with(k, w, r, dst, k.bias, [&channel](int32_t acc) {
    return pair_finish<kFullRange, kPreShift>(acc, channel);
  });
}

// pair_rows_portable for a doubled channel (full int8 range): k holds the doubled entry's bias,
// M, C and rs, w the doubled taps.
inline void pair_rows_doubled_portable(PairChannel& k, const PairTaps& w, const int16_t* r,
                                       int8_t* dst) {
  const RequantChannel d = {k.bias, k.multiplier2, 0, k.rounding, k.post_shift};
  pair_rows_with(k, w, r, dst, d.bias, [&d](int32_t acc) { return doubled_finish(acc, d); });
}

#if KILN_SIMD32_DSP && defined(__OPTIMIZE__)
static_assert(offsetof(PairChannel, multiplier2) == 4 && offsetof(PairChannel, rounding) == 8 &&
                  offsetof(PairChannel, post_shift) == 12 &&
                  offsetof(PairChannel, pre_shift) == 16 &&
                  offsetof(PairChannel, pair_step) == 20 && offsetof(PairChannel, channels) == 24 &&
                  offsetof(PairChannel, row_end) == 28 &&
                  offsetof(PairChannel, pitch_bytes) == 32 && offsetof(PairChannel, end) == 36 &&
                  offsetof(PairChannel, lo) == 40 && offsetof(PairChannel, hi) == 44 &&
                  offsetof(PairChannel, requant) == 56 && offsetof(RequantChannel, bias) == 0 &&
                  offsetof(RequantChannel, multiplier2) == 4 &&
                  offsetof(RequantChannel, pre_shift) == 8 &&
                  offsetof(RequantChannel, rounding) == 12,
              "the asm pair loop's offsets");

// The loop by hand, fourteen registers: three row pointers, the five tap words, two
// accumulators, two temporaries, the output pointer and the negated channel count (the
// channel block's fields are read from a copy on the stack). Per output pair one bias load and
// six input loads, three PKHBT, twelve multiplies, then the two requantizations sharing the
// constants' loads (the right shift comes from the `last` tap register).
// `inc` is the row pointer's step (4, or 8 for the last pair of a row with kRowPass: past the
// row's two padding entries as well) and `back` the second word's offset from the moved pointer
// (0 or -4).
#define KILN_PAIR_ROW(row, taps, third_left, third_right, inc, back) \
  "ldr %[a], [%[" row "]], #" inc                                    \
  "\n\t"                                                             \
  "ldr %[b], [%[" row "], #" back                                    \
  "]\n\t"                                                            \
  "smlad %[left], %[a], %[" taps                                     \
  "], %[left]\n\t"                                                   \
  "pkhbt %[a], %[b], %[a]\n\t"                                       \
  "smladx %[right], %[a], %[" taps "], %[right]\n\t" third_left "\n\t" third_right "\n\t"
// The window, each row pointer moving on to the next pair as it loads, and the start of the
// requantization (the multiplier, and the rounding term in b for KILN_PAIR_REQUANT).
// The first row starts both accumulators from the bias, loaded once into `left`: the right
// one's SMLADX reads it before the left one's SMLAD adds to it.
#define KILN_PAIR_WINDOW_AT(inc, back) \
  "ldr %[left], [sp]\n\t"                           \
  "ldr %[a], [%[r0]], #" inc                        \
  "\n\t"                                            \
  "ldr %[b], [%[r0], #" back                        \
  "]\n\t"                                           \
  "pkhbt %[right], %[b], %[a]\n\t"                  \
  "smladx %[right], %[right], %[row0], %[left]\n\t" \
  "smlad %[left], %[a], %[row0], %[left]\n\t"       \
  "smlabb %[left], %[b], %[col2], %[left]\n\t"      \
  "smlatb %[right], %[b], %[col2], %[right]\n\t"    \
      KILN_PAIR_ROW("r1", "row1", "smlabt %[left], %[b], %[col2], %[left]",                  \
                    "smlatt %[right], %[b], %[col2], %[right]", inc, back)                   \
          KILN_PAIR_ROW("r2", "row2", "smlabt %[left], %[b], %[last], %[left]",              \
                        "smlatt %[right], %[b], %[last], %[right]", inc, back)               \
              "ldr %[a], [sp, #4]\n\t"                                                   \
              "ldr %[b], [sp, #8]\n\t"                                                   \
              "smmlar %[left], %[left], %[a], %[left]\n\t"                                 \
              "smmlar %[right], %[right], %[a], %[right]\n\t"                              \
              "sub %[left], %[left], %[left], lsr #31\n\t"                                 \
              "sub %[right], %[right], %[right], lsr #31\n\t"
#define KILN_PAIR_PRE              \
  "ldr %[a], [sp, #16]\n\t"        \
  "asr %[left], %[left], %[a]\n\t" \
  "asr %[right], %[right], %[a]\n\t"
#define KILN_PAIR_REQUANT               \
  "qadd %[left], %[left], %[b]\n\t"     \
  "qadd %[right], %[right], %[b]\n\t"   \
  "asr %[left], %[left], %[last]\n\t"   \
  "asr %[right], %[right], %[last]\n\t" \
  "ssat %[left], #8, %[left]\n\t"       \
  "ssat %[right], #8, %[right]\n\t"
#define KILN_PAIR_CLAMP      \
  "ldr %[a], [sp, #40]\n\t"  \
  "ldr %[b], [sp, #44]\n\t"  \
  "cmp %[left], %[a]\n\t"    \
  "it lt\n\t"                \
  "movlt %[left], %[a]\n\t"  \
  "cmp %[left], %[b]\n\t"    \
  "it gt\n\t"                \
  "movgt %[left], %[b]\n\t"  \
  "cmp %[right], %[a]\n\t"   \
  "it lt\n\t"                \
  "movlt %[right], %[a]\n\t" \
  "cmp %[right], %[b]\n\t"   \
  "it gt\n\t"                \
  "movgt %[right], %[b]\n\t"
// Store, next pair (the row pointers already moved), and at a row's end past the two padding
// entries to the next row.
#define KILN_PAIR_STORE                       \
  "sub %[dst], %[dst], %[nc], lsl #1\n\t"     \
  "strb %[left], [%[dst], %[nc], lsl #1]\n\t" \
  "strb %[right], [%[dst], %[nc]]\n\t"
#define KILN_PAIR_NEXT        \
  "ldr %[b], [sp, #28]\n\t"   \
  "cmp %[r0], %[b]\n\t"       \
  "bne 1b\n\t"                \
  "adds %[r0], %[r0], #4\n\t" \
  "adds %[r1], %[r1], #4\n\t" \
  "adds %[r2], %[r2], #4\n\t" \
  "ldr %[a], [sp, #32]\n\t"   \
  "add %[b], %[b], %[a]\n\t"  \
  "str %[b], [sp, #28]\n\t"   \
  "ldr %[a], [sp, #36]\n\t"   \
  "cmp %[b], %[a]\n\t"        \
  "bne 1b\n\t"
// The same where one pass of the loop is a whole row: no test within the row, and `end` (@36)
// is where the first row pointer stops.
#define KILN_PAIR_NEXT_ROW  \
  "ldr %[a], [sp, #36]\n\t" \
  "cmp %[r0], %[a]\n\t"     \
  "bne 1b\n\t"
// Before the loop: the block's fields it reads copied to the same offsets in 48 bytes of stack
// (the loop addresses them from sp, which frees the block's register for the negated channel
// count: the stores need no load, and the next pair's loads follow them back to back); after it
// the stack back. Row ends (@28, @32) without kRowPass, the pre-shift (@16) and the activation
// range (@40) only where used.
// The bias, multiplier, rounding term and pre-shift come from the channel's RequantChannel
// (bias @0, multiplier2 @4, pre_shift @8, rounding @12), found at @56.
#define KILN_PAIR_COPY_ENTRY       \
  "sub sp, sp, #48\n\t"            \
  "ldr %[b], [%[nc], #56]\n\t"     \
  "ldr %[right], [%[nc], #36]\n\t" \
  "ldrd %[a], %[left], [%[b]]\n\t" \
  "str %[right], [sp, #36]\n\t"    \
  "ldr %[right], [%[b], #12]\n\t"  \
  "strd %[a], %[left], [sp]\n\t"   \
  "str %[right], [sp, #8]\n\t"
#define KILN_PAIR_COPY_ROWS              \
  "ldrd %[a], %[left], [%[nc], #28]\n\t" \
  "strd %[a], %[left], [sp, #28]\n\t"
#define KILN_PAIR_COPY_PRE   \
  "ldr %[a], [%[b], #8]\n\t" \
  "str %[a], [sp, #16]\n\t"
#define KILN_PAIR_COPY_CLAMP          \
  "ldrd %[a], %[b], [%[nc], #40]\n\t" \
  "strd %[a], %[b], [sp, #40]\n\t"
#define KILN_PAIR_COPY_END      \
  "ldr %[nc], [%[nc], #24]\n\t" \
  "rsbs %[nc], %[nc], #0\n\t"
#define KILN_PAIR_EXIT "add sp, sp, #48\n\t"
#define KILN_PAIR_OPERANDS                                                            \
  : [r0] "+r"(r0), [r1] "+r"(r1), [r2] "+r"(r2), [dst] "+r"(dst), [left] "=&r"(left),      \
    [right] "=&r"(right), [a] "=&r"(a), [b] "=&r"(b), [nc] "+r"(block)                       \
  : [row0] "r"(w.row0), [row1] "r"(w.row1), [row2] "r"(w.row2),               \
    [col2] "r"(w.col2), [last] "r"(w.last)                                                   \
  : "cc", "memory"

// One output pair with its store; `pre` and `clamp` are KILN_PAIR_PRE / KILN_PAIR_CLAMP or empty.
#define KILN_PAIR_WINDOW KILN_PAIR_WINDOW_AT("4", "0")
#define KILN_PAIR_ONE(pre, clamp) KILN_PAIR_WINDOW pre KILN_PAIR_REQUANT clamp KILN_PAIR_STORE
// The last pair of a row with kRowPass, whose loads step over the padding entries too.
#define KILN_PAIR_ONE_LAST(pre, clamp) \
  KILN_PAIR_WINDOW_AT("8", "-4") pre KILN_PAIR_REQUANT clamp KILN_PAIR_STORE
// kPairs output pairs per pass of the loop (1, or 3 or 6 where the pairs of a row come in threes
// or sixes, as on every pair layer of VWW): the row-end test is paid once per pass, and not at
// all with kRowPass (rows of exactly three or six pairs).
#define KILN_PAIR_LOOP(pre, clamp, copy)                                                          \
  if (kPairs == 6 && kRowPass)                                                                    \
    __asm__ volatile(KILN_PAIR_COPY_ENTRY copy KILN_PAIR_COPY_END "1:\n\t" KILN_PAIR_ONE(         \
        pre, clamp) KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(pre, clamp) \
                         KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE_LAST(pre, clamp)                 \
                             KILN_PAIR_NEXT_ROW KILN_PAIR_EXIT KILN_PAIR_OPERANDS);               \
  else if (kPairs == 6)                                                                           \
    __asm__ volatile(KILN_PAIR_COPY_ENTRY KILN_PAIR_COPY_ROWS copy KILN_PAIR_COPY_END             \
                     "1:\n\t" KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(pre, clamp)                 \
                         KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(pre, clamp)                      \
                             KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(pre, clamp)                  \
                                 KILN_PAIR_NEXT KILN_PAIR_EXIT KILN_PAIR_OPERANDS);               \
  else if (kPairs == 3 && kRowPass)                                                               \
    __asm__ volatile(KILN_PAIR_COPY_ENTRY copy KILN_PAIR_COPY_END "1:\n\t" KILN_PAIR_ONE(         \
        pre, clamp) KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE_LAST(pre, clamp)                      \
                         KILN_PAIR_NEXT_ROW KILN_PAIR_EXIT KILN_PAIR_OPERANDS);                   \
  else if (kPairs == 3)                                                                           \
    __asm__ volatile(KILN_PAIR_COPY_ENTRY KILN_PAIR_COPY_ROWS copy KILN_PAIR_COPY_END             \
                     "1:\n\t" KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(pre, clamp) KILN_PAIR_ONE(  \
                         pre, clamp) KILN_PAIR_NEXT KILN_PAIR_EXIT KILN_PAIR_OPERANDS);           \
  else                                                                                            \
    __asm__ volatile(KILN_PAIR_COPY_ENTRY KILN_PAIR_COPY_ROWS copy KILN_PAIR_COPY_END             \
                     "1:\n\t" KILN_PAIR_ONE(pre, clamp)                                           \
                         KILN_PAIR_NEXT KILN_PAIR_EXIT KILN_PAIR_OPERANDS);

// The asm loop's meaning of PairChannel::end with kRowPass (pair_channel).
const bool kPairRowsInAsm = true;

template <bool kFullRange, bool kPreShift, int kPairs, bool kRowPass>
inline __attribute__((always_inline)) void pair_rows(PairChannel& k, const PairTaps& w,
                                                     const int16_t* r, int8_t* dst) {
  const int16_t* r0 = r;
  const int16_t* r1 = r + k.pitch_bytes / 2;
  const int16_t* r2 = r + k.pitch_bytes;
  int32_t left, right, a, b;
  const PairChannel* block = &k;  // then the negated channel count
  if (kFullRange && !kPreShift) {
    KILN_PAIR_LOOP("", "", "")
  } else if (kFullRange) {
    KILN_PAIR_LOOP(KILN_PAIR_PRE, "", KILN_PAIR_COPY_PRE)
  } else if (!kPreShift) {
    KILN_PAIR_LOOP("", KILN_PAIR_CLAMP, KILN_PAIR_COPY_CLAMP)
  } else {
    KILN_PAIR_LOOP(KILN_PAIR_PRE, KILN_PAIR_CLAMP, KILN_PAIR_COPY_PRE KILN_PAIR_COPY_CLAMP)
  }
}

// The doubled loop by hand, for a row pitch of kPitchBytes known when compiling: one row pointer
// reaches all three tap rows at fixed offsets, which frees the registers for the bias (no load
// per pair) and for the doubled step's SMMLAR result (the accumulator's sign is read after it):
// per output pair six input loads, three PKHBT, twelve multiplies, two loads of M and C (none
// with kCh) and eight instructions of requantization. Full int8 range only. `inc` and `back` as in
// KILN_PAIR_ROW; the other rows' words lie kPitchBytes and twice that further.
#define KILN_PAIRD_ROW(row, taps, third_left, third_right, inc) \
  "ldr %[a], [%[r0], #" row "*%c[p]-" inc                       \
  "]\n\t"                                                       \
  "ldr %[b], [%[r0], #" row "*%c[p]+4-" inc                     \
  "]\n\t"                                                       \
  "smlad %[left], %[a], %[" taps                                \
  "], %[left]\n\t"                                              \
  "pkhbt %[a], %[b], %[a]\n\t"                                  \
  "smladx %[right], %[a], %[" taps "], %[right]\n\t" third_left "\n\t" third_right "\n\t"
// `m` and `c` are the registers that hold M and C (loaded from the stack copy for every pair by
// `mc_load`, or once per channel), `y` the SMMLAR result's; `store` one of the stores.
#define KILN_PAIRD_ONE_AT(inc, back, mc_load, m, c, y, store)                 \
  "ldr %[a], [%[r0]], #" inc                                                  \
  "\n\t"                                                                      \
  "ldr %[b], [%[r0], #" back                                                  \
  "]\n\t"                                                                     \
  "pkhbt %[right], %[b], %[a]\n\t"                                            \
  "smladx %[right], %[right], %[row0], %[bias]\n\t"                           \
  "smlad %[left], %[a], %[row0], %[bias]\n\t"                                 \
  "smlabb %[left], %[b], %[col2], %[left]\n\t"                                \
  "smlatb %[right], %[b], %[col2], %[right]\n\t" KILN_PAIRD_ROW(              \
      "1", "row1", "smlabt %[left], %[b], %[col2], %[left]",                  \
      "smlatt %[right], %[b], %[col2], %[right]", inc)                        \
      KILN_PAIRD_ROW("2", "row2", "smlabt %[left], %[b], %[last], %[left]",   \
                     "smlatt %[right], %[b], %[last], %[right]", inc) mc_load \
      "smmlar %[" y "], %[left], %[" m "], %[" c                              \
      "]\n\t"                                                                 \
      "sub %[left], %[" y                                                     \
      "], %[left], lsr #31\n\t"                                               \
      "smmlar %[" y "], %[right], %[" m "], %[" c                             \
      "]\n\t"                                                                 \
      "sub %[right], %[" y                                                    \
      "], %[right], lsr #31\n\t"                                              \
      "asr %[left], %[left], %[last]\n\t"                                     \
      "asr %[right], %[right], %[last]\n\t"                                   \
      "ssat %[left], #8, %[left]\n\t"                                         \
      "ssat %[right], #8, %[right]\n\t" store
// With the channel count known when compiling (kCh): each store moves the pointer on by a
// post-index, so that nc holds M instead, t holds C and a takes the SMMLAR results: no loads in
// the requantization.
#define KILN_PAIRD_STORE_CH             \
  "strb %[left], [%[dst]], #%c[ch]\n\t" \
  "strb %[right], [%[dst]], #%c[ch]\n\t"
#define KILN_PAIRD_MC_LOAD "ldr %[a], [sp, #4]\n\tldr %[b], [sp, #8]\n\t"
#define KILN_PAIRD_ONE \
  KILN_PAIRD_ONE_AT("4", "0", KILN_PAIRD_MC_LOAD, "a", "b", "t", KILN_PAIR_STORE)
#define KILN_PAIRD_ONE_LAST \
  KILN_PAIRD_ONE_AT("8", "-4", KILN_PAIRD_MC_LOAD, "a", "b", "t", KILN_PAIR_STORE)
#define KILN_PAIRD_ONE_CH KILN_PAIRD_ONE_AT("4", "0", "", "nc", "t", "a", KILN_PAIRD_STORE_CH)
#define KILN_PAIRD_ONE_LAST_CH KILN_PAIRD_ONE_AT("8", "-4", "", "nc", "t", "a", KILN_PAIRD_STORE_CH)
#define KILN_PAIRD_NEXT       \
  "ldr %[b], [sp, #28]\n\t"   \
  "cmp %[r0], %[b]\n\t"       \
  "bne 1b\n\t"                \
  "adds %[r0], %[r0], #4\n\t" \
  "ldr %[a], [sp, #32]\n\t"   \
  "add %[b], %[b], %[a]\n\t"  \
  "str %[b], [sp, #28]\n\t"   \
  "ldr %[a], [sp, #36]\n\t"   \
  "cmp %[b], %[a]\n\t"        \
  "bne 1b\n\t"
#define KILN_PAIRD_HEAD(copy) \
  KILN_PAIR_COPY_ENTRY copy KILN_PAIR_COPY_END "ldr %[bias], [sp]\n\t1:\n\t"
#define KILN_PAIRD_HEAD_CH(copy) \
  KILN_PAIR_COPY_ENTRY copy      \
      "ldr %[bias], [sp]\n\tldr %[nc], [sp, #4]\n\tldr %[t], [sp, #8]\n\t1:\n\t"
#define KILN_PAIRD_OPERANDS                                                                 \
  : [r0] "+r"(r0), [dst] "+r"(dst), [left] "=&r"(left), [right] "=&r"(right), [a] "=&r"(a),    \
    [b] "=&r"(b), [nc] "+r"(block), [t] "=&r"(t), [bias] "=&r"(bias)                            \
  : [row0] "r"(w.row0), [row1] "r"(w.row1), [row2] "r"(w.row2), [col2] "r"(w.col2),            \
    [last] "r"(w.last), [p] "i"(kPitchBytes), [ch] "i"(kCh)                 \
  : "cc", "memory"
// The three loop shapes (6 pairs with or without kRowPass, 3 with it) from the pieces.
#define KILN_PAIRD_LOOPS(head, one, one_last)                                                    \
  if (kPairs == 6 && kRowPass)                                                                   \
    __asm__ volatile(head(                                                                       \
        "") one one one one one one_last KILN_PAIR_NEXT_ROW KILN_PAIR_EXIT KILN_PAIRD_OPERANDS); \
  else if (kPairs == 6)                                                                          \
    __asm__ volatile(                                                                            \
        head(KILN_PAIR_COPY_ROWS)                                                                \
            one one one one one one KILN_PAIRD_NEXT KILN_PAIR_EXIT KILN_PAIRD_OPERANDS);         \
  else                                                                                           \
    __asm__ volatile(head("")                                                                    \
                         one one one_last KILN_PAIR_NEXT_ROW KILN_PAIR_EXIT KILN_PAIRD_OPERANDS);

// The loops of kPairs pairs per pass as in pair_rows (6 with or without kRowPass, 3 with it);
// kCh > 0: the channel count (at most 255).
template <int kPitchBytes, int kPairs, bool kRowPass, int kCh>
inline __attribute__((always_inline)) void pair_rows_doubled(PairChannel& k, const PairTaps& w,
                                                             const int16_t* r, int8_t* dst) {
  const int16_t* r0 = r;
  int32_t left, right, a, b, t, bias;
  const PairChannel* block = &k;  // then the negated channel count, or M with kCh
  if (kCh > 0) {
    KILN_PAIRD_LOOPS(KILN_PAIRD_HEAD_CH, KILN_PAIRD_ONE_CH, KILN_PAIRD_ONE_LAST_CH)
  } else {
    KILN_PAIRD_LOOPS(KILN_PAIRD_HEAD, KILN_PAIRD_ONE, KILN_PAIRD_ONE_LAST)
  }
}
#undef KILN_PAIRD_ROW
#undef KILN_PAIRD_ONE_AT
#undef KILN_PAIRD_ONE
#undef KILN_PAIRD_ONE_LAST
#undef KILN_PAIRD_NEXT
#undef KILN_PAIRD_HEAD
#undef KILN_PAIRD_OPERANDS
#undef KILN_PAIRD_STORE_CH
#undef KILN_PAIRD_MC_LOAD
#undef KILN_PAIRD_ONE_CH
#undef KILN_PAIRD_ONE_LAST_CH
#undef KILN_PAIRD_HEAD_CH
#undef KILN_PAIRD_LOOPS
#undef KILN_PAIR_ONE
#undef KILN_PAIR_ONE_LAST
#undef KILN_PAIR_WINDOW_AT
#undef KILN_PAIR_LOOP
#undef KILN_PAIR_STORE
#undef KILN_PAIR_ROW
#undef KILN_PAIR_WINDOW
#undef KILN_PAIR_PRE
#undef KILN_PAIR_REQUANT
#undef KILN_PAIR_CLAMP
#undef KILN_PAIR_NEXT
#undef KILN_PAIR_NEXT_ROW
#undef KILN_PAIR_OPERANDS
#undef KILN_PAIR_COPY_ENTRY
#undef KILN_PAIR_COPY_ROWS
#undef KILN_PAIR_COPY_PRE
#undef KILN_PAIR_COPY_CLAMP
#undef KILN_PAIR_COPY_END
#undef KILN_PAIR_EXIT
#else
const bool kPairRowsInAsm = false;

template <bool kFullRange, bool kPreShift, int kPairs, bool kRowPass>
inline void pair_rows(PairChannel& k, const PairTaps& w, const int16_t* r, int8_t* dst) {
  pair_rows_portable<kFullRange, kPreShift>(k, w, r, dst);
}

template <int kPitchBytes, int kPairs, bool kRowPass, int kCh>
inline void pair_rows_doubled(PairChannel& k, const PairTaps& w, const int16_t* r, int8_t* dst) {
  pair_rows_doubled_portable(k, w, r, dst);
}
#endif

// The channel's fields of k and its taps w, for the channel whose first tap is at f (each tap
// times `scale`: 2 for a doubled entry), with entry t and its plane at `plane`.
__attribute__((always_inline)) inline void pair_setup(PairChannel& k, const int8_t* f,
                                                      const RequantChannel& t, int32_t scale,
                                                      const int16_t* plane, bool row_pass,
                                                      PairTaps& w) {
  const int32_t channels = k.channels;
  w.row0 = simd32::pack_low_halves(scale * f[0], scale * f[channels]);
  w.row1 = simd32::pack_low_halves(scale * f[3 * channels], scale * f[4 * channels]);
  w.row2 = simd32::pack_low_halves(scale * f[6 * channels], scale * f[7 * channels]);
  w.col2 = simd32::pack_low_halves(scale * f[2 * channels], scale * f[5 * channels]);
  w.last = simd32::pack_low_halves(t.post_shift, scale * f[8 * channels]);
  if (kPairRowsInAsm) {
    k.requant = &t;
  } else {
    k.bias = t.bias;
    k.multiplier2 = t.multiplier2;
    k.rounding = t.rounding;
    k.post_shift = t.post_shift;
    k.pre_shift = t.pre_shift;
  }
  k.row_end = plane + k.row_entries;
  // Where row_end stops, or with a row pass where the row pointer does (asm loop only; the
  // portable loop keeps the former).
  k.end = (row_pass && kPairRowsInAsm ? plane : k.row_end) + k.plane_entries;
}

// Every output of one channel from its widened plane: `f` is its first tap, `t` its
// requantization, dst its output pixel 0; k holds the call's fields (pair_step to hi,
// row_entries, plane_entries), the channel's are set here.
template <bool kFullRange, bool kPreShift, int kPairs, bool kRowPass>
__attribute__((noinline)) void pair_channel(PairChannel& k, const int8_t* f,
                                            const RequantChannel& t, const int16_t* plane,
                                            int8_t* dst) {
  PairTaps w;
  pair_setup(k, f, t, 1, plane, kRowPass, w);
  pair_rows<kFullRange, kPreShift, kPairs, kRowPass>(k, w, plane, dst);
}

// The same for `count` neighbouring channels whose planes lie `plane_step` entries apart. One
// call per channel quad, the loop inlined here: its registers are saved once per quad.
template <bool kFullRange, bool kPreShift, int kPairs, bool kRowPass>
__attribute__((noinline)) void pair_channels(PairChannel& k, const int8_t* f,
                                             const RequantChannel* t, const int16_t* plane,
                                             int32_t plane_step, int8_t* dst, int32_t count) {
  for (int32_t i = 0; i < count; ++i, ++f, ++t, plane += plane_step, ++dst)
    pair_channel<kFullRange, kPreShift, kPairs, kRowPass>(k, f, *t, plane, dst);
}

// pair_channel for a channel with a doubled entry `d` (doubled_entry): the taps doubled
// (at most 256 in size, still a halfword), rows of kPitchBytes bytes, kCh channels (0: any).
template <int kPitchBytes, int kPairs, bool kRowPass, int kCh>
__attribute__((noinline)) void pair_channel_doubled(PairChannel& k, const int8_t* f,
                                                    const RequantChannel& d, const int16_t* plane,
                                                    int8_t* dst) {
  PairTaps w;
  pair_setup(k, f, d, 2, plane, kRowPass, w);
  pair_rows_doubled<kPitchBytes, kPairs, kRowPass, kCh>(k, w, plane, dst);
}

// pair_channels for the full int8 range and rows of kPitchBytes: each channel whose entry allows
// it takes the doubled loop, the others the table's step.
template <int kPitchBytes, int kPairs, bool kRowPass, int kCh>
__attribute__((noinline)) void pair_channels_doubled(PairChannel& k, const int8_t* f,
                                                     const RequantChannel* t, const int16_t* plane,
                                                     int32_t plane_step, int8_t* dst,
                                                     int32_t count) {
  for (int32_t i = 0; i < count; ++i, ++f, ++t, plane += plane_step, ++dst) {
    RequantChannel d;
    if (doubled_entry(*t, &d))
      pair_channel_doubled<kPitchBytes, kPairs, kRowPass, kCh>(k, f, d, plane, dst);
    else if (t->pre_shift != 0)
      pair_channel<true, true, kPairs, kRowPass>(k, f, *t, plane, dst);
    else
      pair_channel<true, false, kPairs, kRowPass>(k, f, *t, plane, dst);
  }
}

// The call's fields of the pair loop's block.
PairChannel pair_block(const DepthwiseJob& j, const PairLayout& l) {
  PairChannel k;
  k.bias = k.multiplier2 = k.rounding = k.post_shift = k.pre_shift = 0;
  k.row_end = k.end = 0;
  k.requant = 0;
  k.pair_step = 2 * j.in.c;
  k.channels = j.in.c;
  k.pitch_bytes = 2 * l.pitch;
  k.lo = j.clamp.lo;
  k.hi = j.clamp.hi;
  k.row_entries = j.out.w;
  k.plane_entries = j.out.h * l.pitch;
  return k;
}

typedef void (*PairChannelFn)(PairChannel&, const int8_t*, const RequantChannel*, const int16_t*,
                              int32_t, int8_t*, int32_t);

template <int kPairs, bool kRowPass>
PairChannelFn pick_pair_channel_for(bool full_range, bool pre_shift) {
  if (full_range)
    return pre_shift ? &pair_channels<true, true, kPairs, kRowPass>
                     : &pair_channels<true, false, kPairs, kRowPass>;
  return pre_shift ? &pair_channels<false, true, kPairs, kRowPass>
                   : &pair_channels<false, false, kPairs, kRowPass>;
}

// The channel routine for this activation range, requantization table and row length (three
// or six pairs per pass where the pairs of a row come in threes or sixes, a row per pass for rows
// of 6 or 12).
PairChannelFn pick_pair_channel(const DepthwiseJob& j) {
  const bool full_range = j.clamp.lo == -128 && j.clamp.hi == 127;
  if (full_range) {
    // The doubled loops, for the row lengths of VWW's pair layers (the pitch is OW + 2 entries).
    // VWW's channel counts at those lengths known when compiling as well.
    const int32_t channels = j.in.c;
    if (j.out.w == 6)
      return channels == 128 ? &pair_channels_doubled<16, 3, true, 128>
                             : &pair_channels_doubled<16, 3, true, 0>;
    if (j.out.w == 12)
      return channels == 64 ? &pair_channels_doubled<28, 6, true, 64>
                            : &pair_channels_doubled<28, 6, true, 0>;
    if (j.out.w == 24)
      return channels == 32 ? &pair_channels_doubled<52, 6, false, 32>
                            : &pair_channels_doubled<52, 6, false, 0>;
    if (j.out.w == 48)
      return channels == 8 ? &pair_channels_doubled<100, 6, false, 8>
                           : &pair_channels_doubled<100, 6, false, 0>;
  }
  const bool pre_shift = requant_table_pre_shifts(j.table, j.out.c);
  if (j.out.w == 6) return pick_pair_channel_for<3, true>(full_range, pre_shift);
  if (j.out.w == 12) return pick_pair_channel_for<6, true>(full_range, pre_shift);
  if ((j.out.w / 2) % 6 == 0) return pick_pair_channel_for<6, false>(full_range, pre_shift);
  if ((j.out.w / 2) % 3 == 0) return pick_pair_channel_for<3, false>(full_range, pre_shift);
  return pick_pair_channel_for<1, false>(full_range, pre_shift);
}

// Zeroes the entries of the planes outside the input, which stay zero for every channel (or
// band). Where pair_fill's words span whole padded rows (pad_w 0 or 1), only the rows outside
// the input need it, and with bands not even those (pair_fill zeroes them in each band); else
// every entry.
const size_t kPairZeroAllBytes = 1024;

void pair_zero_planes(const DepthwiseJob& j, const PairLayout& l, int16_t* planes) {
  const int32_t pad_w = j.win.pad_w;
  const int32_t first = pad_w & 1;  // as in pair_fill
  const int32_t last_x = l.pitch - pad_w < j.in.w ? l.pitch - pad_w : j.in.w;
  const int32_t written = last_x > first ? 2 * ((last_x - first + 1) / 2 + first) : 0;
  const size_t row_bytes = 2 * static_cast<size_t>(l.pitch);
  const size_t all_bytes = static_cast<size_t>(l.group) * l.rows * row_bytes;
  // (Small planes: one memset costs less than eight short ones.)
  if (l.group != 4 || pad_w != first || written != l.pitch || all_bytes <= kPairZeroAllBytes) {
    memset(planes, 0, all_bytes);
    return;
  }
  if (l.band < j.out.h) return;
  const int32_t plane = l.rows * l.pitch;
  const int32_t top = j.win.pad_h < l.rows ? j.win.pad_h : l.rows;
  const int32_t bottom = top + j.in.h < l.rows ? top + j.in.h : l.rows;
  for (int32_t k = 0; k < 4; ++k) {
    int16_t* p = planes + k * plane;
    memset(p, 0, static_cast<size_t>(top) * row_bytes);
    memset(p + bottom * l.pitch, 0, static_cast<size_t>(l.rows - bottom) * row_bytes);
  }
}

// The pair path for the channel quads [0, quads) of one batch; `planes` holds the four zeroed
// planes. With bands (l.band < OH), a quad's output rows go l.band at a time: the two padded
// rows the next band shares with this one move to the top of the planes (their input rows may
// be overwritten by now), the others are widened from the input, still intact there
// (pair_bands_in_order).
void quads_pair(const DepthwiseJob& j, const PairLayout& l, const int8_t* batch, int8_t* out_batch,
                int16_t* planes, int32_t quads) {
  const PairChannelFn fn = pick_pair_channel(j);
  const int32_t plane = l.rows * l.pitch;
  const int32_t out_row = j.out.w * j.in.c;
  PairChannel k = pair_block(j, l);
  if (l.band >= j.out.h) {
    const PairFillPlan fill = pair_fill_plan(j, l, 0, 0, l.rows);
    for (int32_t c = 0; c < quads; c += 4) {
      pair_fill_run(fill, batch + c, planes, j.in.c);
      fn(k, j.weights + c, j.table + c, planes, plane, out_batch + c, 4);
    }
    return;
  }
  for (int32_t c = 0; c < quads; c += 4) {
    for (int32_t y0 = 0; y0 < j.out.h; y0 += l.band) {
      const int32_t rows = j.out.h - y0 < l.band ? j.out.h - y0 : l.band;
      int32_t from = y0;
      if (y0 > 0) {
        // Two rows from band rows on: no overlap (band >= kMinPairBand).
        for (int32_t i = 0; i < 4; ++i)
          memcpy(planes + i * plane, planes + i * plane + l.band * l.pitch,
                 4 * static_cast<size_t>(l.pitch));
        from = y0 + 2;
      }
      pair_fill(j, l, batch, c, planes, y0, from, y0 + rows + 2);
      k.plane_entries = rows * l.pitch;
      fn(k, j.weights + c, j.table + c, planes, plane, out_batch + y0 * out_row + c, 4);
    }
  }
}

// One row of the input channel into the plane: `first` (0 or 1) lone pixel, `quads` groups of
// four pixels into two word-aligned words each, `rest` (0 to 3) lone pixels; pixels `channels`
// bytes apart from `in` on, entries from d on.
inline void fill_row_portable(const int8_t* in, int32_t channels, int32_t offsets, int32_t first,
                              int32_t quads, int32_t rest, int16_t* d) {
  const int32_t offset = simd32::half0(offsets);
  if (first) {
    *d++ = static_cast<int16_t>(*in + offset);
    in += channels;
  }
  for (int32_t i = 0; i < quads; ++i, in += 4 * channels, d += 4) {
    const int32_t v0 = in[0], v1 = in[channels], v2 = in[2 * channels], v3 = in[3 * channels];
    simd32::store4(d, simd32::sadd16(simd32::pack_low_halves(v0, v1), offsets));
    simd32::store4(d + 2, simd32::sadd16(simd32::pack_low_halves(v2, v3), offsets));
  }
  for (int32_t i = 0; i < rest; ++i, in += channels) d[i] = static_cast<int16_t>(*in + offset);
}

#if KILN_SIMD32_DSP && defined(__OPTIMIZE__)
// The same by hand: GCC spreads the four byte loads of a group out (they pipeline only back to
// back) and spills around the row. Two pointers a pixel apart reach a group's four bytes, one
// STRD stores its two words; a lone pixel adds the offsets word (its low half is the offset).
inline void fill_row(const int8_t* in, int32_t channels, int32_t offsets, int32_t first,
                     int32_t quads, int32_t rest, int16_t* d) {
  const int8_t* second;
  int32_t v0, v1, v2, v3;
  __asm__ volatile(
      "cmp %[first], #0\n\t"
      "beq 2f\n\t"
      "ldrsb %[v0], [%[a]]\n\t"
      "add %[a], %[a], %[ch]\n\t"
      "add %[v0], %[v0], %[off]\n\t"
      "strh %[v0], [%[d]], #2\n\t"
      "2:\n\t"
      "add %[b], %[a], %[ch]\n\t"
      "cmp %[n], #0\n\t"
      "beq 4f\n\t"
      "3:\n\t"
      "ldrsb %[v0], [%[a]]\n\t"
      "ldrsb %[v1], [%[b]]\n\t"
      "ldrsb %[v2], [%[a], %[ch], lsl #1]\n\t"
      "ldrsb %[v3], [%[b], %[ch], lsl #1]\n\t"
      "add %[a], %[a], %[ch], lsl #2\n\t"
      "add %[b], %[b], %[ch], lsl #2\n\t"
      "pkhbt %[v0], %[v0], %[v1], lsl #16\n\t"
      "pkhbt %[v2], %[v2], %[v3], lsl #16\n\t"
      "sadd16 %[v0], %[v0], %[off]\n\t"
      "sadd16 %[v2], %[v2], %[off]\n\t"
      "subs %[n], %[n], #1\n\t"
      "strd %[v0], %[v2], [%[d]], #8\n\t"
      "bne 3b\n\t"
      "4:\n\t"
      "cmp %[rest], #0\n\t"
      "beq 6f\n\t"
      "5:\n\t"
      "ldrsb %[v0], [%[a]]\n\t"
      "add %[a], %[a], %[ch]\n\t"
      "add %[v0], %[v0], %[off]\n\t"
      "strh %[v0], [%[d]], #2\n\t"
      "subs %[rest], %[rest], #1\n\t"
      "bne 5b\n\t"
      "6:\n\t"
      : [a] "+r"(in), [b] "=&r"(second), [d] "+r"(d), [n] "+r"(quads), [rest] "+r"(rest),
        [v0] "=&r"(v0), [v1] "=&r"(v1), [v2] "=&r"(v2), [v3] "=&r"(v3)
      : [ch] "r"(channels), [off] "r"(offsets), [first] "r"(first)
      : "cc", "memory");
}
#else
inline void fill_row(const int8_t* in, int32_t channels, int32_t offsets, int32_t first,
                     int32_t quads, int32_t rest, int16_t* d) {
  fill_row_portable(in, channels, offsets, first, quads, rest, d);
}
#endif

// Channel ch of the input into the plane, as pair_fill does for a quad: four pixels at a time
// where their entries start on a word (fill_row), single entries at the ends of a row.
__attribute__((noinline)) void pair_fill_channel(const DepthwiseJob& j, const PairLayout& l,
                                                 const int8_t* batch, int32_t ch, int16_t* plane) {
  const int32_t channels = j.in.c;
  const int32_t offsets = simd32::pack_halves(j.input_offset, j.input_offset);
  const int32_t last_y = l.rows - j.win.pad_h < j.in.h ? l.rows - j.win.pad_h : j.in.h;
  const int32_t last_x = l.pitch - j.win.pad_w < j.in.w ? l.pitch - j.win.pad_w : j.in.w;
  if (last_x <= 0) return;
  const int32_t first = j.win.pad_w & 1;  // pixel 0 alone if its entry is odd
  const int32_t quads = (last_x - first) / 4;
  const int32_t rest = last_x - first - 4 * quads;
  const int32_t in_row = j.in.w * channels;
  const int8_t* in = batch + ch;
  int16_t* d = plane + j.win.pad_h * l.pitch + j.win.pad_w;
  for (int32_t y = 0; y < last_y; ++y, in += in_row, d += l.pitch)
    fill_row(in, channels, offsets, first, quads, rest, d);
}

// The pair path one channel at a time, for maps whose four planes do not fit in the scratch:
// the channel's input is widened whole before its outputs overwrite it. `plane` is zeroed.
void channels_pair(const DepthwiseJob& j, const PairLayout& l, const int8_t* batch,
                   int8_t* out_batch, int16_t* plane) {
  const PairChannelFn fn = pick_pair_channel(j);
  PairChannel k = pair_block(j, l);
  for (int32_t c = 0; c < j.in.c; ++c) {
    pair_fill_channel(j, l, batch, c, plane);
    fn(k, j.weights + c, j.table + c, plane, 0, out_batch + c, 1);
  }
}

// True if the byte ranges share a byte; compared as integers, the pointers may come from
// unrelated objects.
bool ranges_overlap(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  const uintptr_t a_lo = reinterpret_cast<uintptr_t>(a);
  const uintptr_t b_lo = reinterpret_cast<uintptr_t>(b);
  return a_lo < b_lo + b_bytes && b_lo < a_lo + a_bytes;
}

bool make_job(const DepthwiseConv2DParams& params, const int32_t* output_multiplier,
              const int32_t* output_shift, const Shape4& input_shape, const Shape4& filter_shape,
              const int8_t* filter, const int32_t* bias, const Shape4& output_shape, void* scratch,
              DepthwiseJob* job) {
  RequantChannel* table = static_cast<RequantChannel*>(scratch);
  if (!requant_table_build(bias, output_multiplier, output_shift, 1, output_shape.c,
                           params.output_offset, table))
    return false;
  job->in = input_shape;
  job->filter = filter_shape;
  job->out = output_shape;
  job->win = params.window;
  job->input_offset = params.input_offset;
  job->weights = filter;
  job->table = table;
  job->clamp.lo = params.act_min;
  job->clamp.hi = params.act_max;
  return true;
}

// 3x3 filters whose widened lines fit in the scratch take the channel-planar path
// (depthwise_planar.h), with the requantization table at the start of the scratch; false if it
// does not apply. Kept out of line so that the quad kernel's code stays as it is.
__attribute__((noinline)) bool planar_in_place(const DepthwiseConv2DParams& params,
                                               const int32_t* output_multiplier,
                                               const int32_t* output_shift,
                                               const Shape4& input_shape,
                                               const Shape4& filter_shape, const int8_t* filter,
                                               const int32_t* bias, const Shape4& output_shape,
                                               int8_t* data, void* scratch) {
  const size_t table_bytes = requant_table_bytes(output_shape.c);
  const DepthwisePlanarPlan plan = depthwise_planar_plan(
      params, input_shape, filter_shape, output_shape,
      depthwise_conv2d_int8_in_place_fast_scratch_bytes(output_shape) - table_bytes);
  if (plan.group == 0) return false;
  RequantChannel* table = static_cast<RequantChannel*>(scratch);
  if (!requant_table_build(bias, output_multiplier, output_shift, 1, output_shape.c,
                           params.output_offset, table))
    return false;
  depthwise_planar_in_place(plan, params, input_shape, filter, table, output_shape, data,
                            static_cast<int8_t*>(scratch) + table_bytes);
  return true;
}

}  // namespace

size_t depthwise_conv2d_int8_fast_scratch_bytes(const Shape4& output_shape) {
  if (!shape4_valid(output_shape)) return 0;
  return requant_table_bytes(output_shape.c);
}

Status depthwise_conv2d_int8_fast(const DepthwiseConv2DParams& params,
                                  const int32_t* output_multiplier, const int32_t* output_shift,
                                  const Shape4& input_shape, const int8_t* input,
                                  const Shape4& filter_shape, const int8_t* filter,
                                  const int32_t* bias, const Shape4& output_shape, int8_t* output,
                                  void* scratch) {
  if (!output_multiplier || !output_shift || !input || !filter || !output) return kBadArgument;
  if (!depthwise_args_valid(params, output_shift, input_shape, filter_shape, output_shape))
    return kBadArgument;
  DepthwiseJob job;
  if (!fast_applicable(params, scratch) ||
      !make_job(params, output_multiplier, output_shift, input_shape, filter_shape, filter, bias,
                output_shape, scratch, &job))
    return depthwise_conv2d_int8(params, output_multiplier, output_shift, input_shape, input,
                                 filter_shape, filter, bias, output_shape, output);
  const int32_t channels = input_shape.c;
  const int32_t quads = channels & ~3;
  const int32_t batch_size = input_shape.h * input_shape.w * channels;
  int8_t* out = output;  // NHWC: pixels in memory order
  for (int32_t n = 0; n < output_shape.n; ++n) {
    const int8_t* batch = input + n * batch_size;
    for (int32_t y = 0; y < output_shape.h; ++y)
      for (int32_t x = 0; x < output_shape.w; ++x) {
        for (int32_t c = 0; c < quads; c += 4) quad_at(job, batch, y, x, c, out + c);
        for (int32_t c = quads; c < channels; ++c) out[c] = single_at(job, batch, y, x, c);
        out += channels;
      }
  }
  return kOk;
}

size_t depthwise_conv2d_int8_in_place_fast_scratch_bytes(const Shape4& output_shape) {
  if (!shape4_valid(output_shape)) return 0;
  // The channel-planar path's lines, the padded path's rows (three rows of a 3x3 filter with
  // strides up to 2, or the whole padded plane of small maps the planar path leaves; with less
  // it fills its rows in more chunks) or, for the other layers, four output channel planes.
  const size_t planes =
      4 * static_cast<size_t>(output_shape.h) * static_cast<size_t>(output_shape.w);
  const size_t planar = depthwise_planar_scratch_bound(output_shape);
  size_t ring = 3 * 4 * static_cast<size_t>(padded_row_words(output_shape.w, 2));
  if (static_cast<int64_t>(output_shape.h) * output_shape.w <= kWholePlanePixels && planar == 0)
    ring = 4 * static_cast<size_t>(padded_plane_rows(output_shape.h, 2)) *
           static_cast<size_t>(padded_row_words(output_shape.w, 2));
  size_t most = planar > planes ? planar : planes;
  most = ring > most ? ring : most;
  return requant_table_bytes(output_shape.c) + most;
}

Status depthwise_conv2d_int8_in_place_fast(const DepthwiseConv2DParams& params,
                                           const int32_t* output_multiplier,
                                           const int32_t* output_shift, const Shape4& input_shape,
                                           const Shape4& filter_shape, const int8_t* filter,
                                           const int32_t* bias, const Shape4& output_shape,
                                           int8_t* data, void* scratch) {
  // The reference variant checks the placement; its scratch (one plane) fits in ours.
  const size_t table_bytes = requant_table_bytes(output_shape.c);
  int8_t* planes = scratch ? static_cast<int8_t*>(scratch) + table_bytes : 0;
  const bool valid_in_place =
      output_multiplier && output_shift && filter && data && scratch &&
      depthwise_args_valid(params, output_shift, input_shape, filter_shape, output_shape,
                           /*check_shifts=*/false) &&
      params.depth_multiplier == 1 && input_shape.c == output_shape.c &&
      static_cast<int64_t>(output_shape.h) * output_shape.w <=
          static_cast<int64_t>(input_shape.h) * input_shape.w &&
      !ranges_overlap(scratch, depthwise_conv2d_int8_in_place_fast_scratch_bytes(output_shape),
                      data, static_cast<size_t>(shape4_size(input_shape)));
  const PairLayout pairs =
      pair_layout(params.window, filter_shape, input_shape, output_shape, table_bytes);
  if (valid_in_place && fast_applicable(params, scratch) && pairs.group == 0 &&
      planar_in_place(params, output_multiplier, output_shift, input_shape, filter_shape, filter,
                      bias, output_shape, data, scratch))
    return kOk;
  DepthwiseJob job;
  if (!valid_in_place || !fast_applicable(params, scratch) ||
      !make_job(params, output_multiplier, output_shift, input_shape, filter_shape, filter, bias,
                output_shape, scratch, &job))
    return depthwise_conv2d_int8_in_place(params, output_multiplier, output_shift, input_shape,
                                          filter_shape, filter, bias, output_shape, data,
                                          planes ? planes : static_cast<int8_t*>(scratch));
  const int32_t channels = input_shape.c;
  const int32_t quads = channels & ~3;
  const int32_t plane = output_shape.h * output_shape.w;
  const int32_t input_batch = input_shape.h * input_shape.w * channels;
  const int32_t output_batch = plane * channels;
  const int32_t taps = filter_shape.h * filter_shape.w;
  int32_t wide[2 * kMaxWideTaps];
  const PaddedLayout layout =
      padded_layout(params.window, filter_shape, input_shape, output_shape,
                    depthwise_conv2d_int8_in_place_fast_scratch_bytes(output_shape) - table_bytes);
  // The row routine of the quads that do not take the padded path.
  const QuadRowFn wide_rows =
      layout.rows == 0 && quads > 0 && taps <= kMaxWideTaps ? pick_quad_row(job) : 0;
  int32_t* const padded = reinterpret_cast<int32_t*>(planes);
  const bool full_range = params.act_min == -128 && params.act_max == 127;
  for (int32_t n = 0; n < output_shape.n; ++n) {
    const int8_t* batch = data + n * input_batch;
    int8_t* out_batch = data + n * output_batch;
    if (layout.rows > 0 && pairs.group == 0) {
      // The padding words, the same for every quad (the channels beyond the last quad use the
      // memory for their output planes).
      const int32_t pad = padded_pad_word(params.input_offset);
      for (int32_t i = 0; i < layout.rows * layout.words; ++i) padded[i] = pad;
    }
    int32_t c = 0;
    if (pairs.group > 0) {
      int16_t* const pair_planes = reinterpret_cast<int16_t*>(planes);
      pair_zero_planes(job, pairs, pair_planes);
      if (pairs.group == 1) {
        channels_pair(job, pairs, batch, out_batch, pair_planes);
        continue;
      }
      quads_pair(job, pairs, batch, out_batch, pair_planes, quads);
      c = quads;
    } else if (layout.rows > 0 && layout.chunk >= output_shape.h) {
      quads_padded_plane(job, layout, full_range, batch, out_batch, padded, quads);
      c = quads;
    }
    for (; c < channels; c += 4) {
      const bool quad = c < quads;
      if (quad && layout.rows > 0) {
        PaddedQuad q;
        padded_quad_build(
            filter, channels, c, job.table, params.input_offset, params.act_min, params.act_max,
            full_range && output_shape.h * output_shape.w >= kPaddedDoubledPixels, &q);
        quad_padded(job, layout, full_range, q, c, batch, out_batch, padded);
        continue;
      }
      // Pass 1: channels c..c+3 (or c alone) of every output pixel, reading only those channels.
      if (quad && wide_rows) {
        widen_quad_taps(filter, channels, taps, c, wide);
        const QuadContext k = {params.window.dilation_w * channels,
                               params.window.dilation_h * input_shape.w * channels,
                               simd32::pack_halves(params.input_offset, params.input_offset),
                               filter_shape.w,
                               wide,
                               job.table + c,
                               params.act_min,
                               params.act_max};
        for (int32_t y = 0; y < output_shape.h; ++y)
          wide_rows(job, k, batch, y, c, planes + y * output_shape.w * 4);
      } else {
        int8_t* dst = planes;
        for (int32_t y = 0; y < output_shape.h; ++y)
          for (int32_t x = 0; x < output_shape.w; ++x, dst += 4) {
            if (quad)
              quad_at(job, batch, y, x, c, dst);
            else
              for (int32_t k = 0; c + k < channels; ++k)
                dst[k] = single_at(job, batch, y, x, c + k);
          }
      }
      // Pass 2: over the same channels of the input, which nothing reads any more.
      if (quad) {
        for (int32_t q = 0; q < plane; ++q)
          simd32::store4(out_batch + q * channels + c, simd32::load4(planes + q * 4));
      } else {
        for (int32_t q = 0; q < plane; ++q)
          for (int32_t k = 0; c + k < channels; ++k)
            out_batch[q * channels + c + k] = planes[q * 4 + k];
      }
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
