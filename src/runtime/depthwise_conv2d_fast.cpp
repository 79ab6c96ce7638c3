#include "runtime/depthwise_conv2d_fast.h"

#include "runtime/conv_common.h"
#include "runtime/depthwise_conv2d_in_place.h"
#include "runtime/depthwise_planar.h"
#include "runtime/requant_fast.h"

namespace kiln {
namespace rt {

namespace {

// The checks of the reference kernels, so that the fast path rejects exactly what they reject.
bool depthwise_args_valid(const DepthwiseConv2DParams& params, const int32_t* output_shift,
                          const Shape4& input_shape, const Shape4& filter_shape,
                          const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return false;
  if (params.depth_multiplier < 1 || input_shape.n != output_shape.n || filter_shape.n != 1 ||
      filter_shape.c != output_shape.c ||
      static_cast<int64_t>(input_shape.c) * params.depth_multiplier != output_shape.c)
    return false;
  if (!window2d_valid(params.window, input_shape, filter_shape.h, filter_shape.w, output_shape))
    return false;
  if (!int8_offset_valid(params.input_offset) || params.act_min > params.act_max) return false;
  return requant_shifts_valid(output_shift, output_shape.c);
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
  // The channel-planar path's lines or, for the other layers, four output channel planes.
  const size_t planes =
      4 * static_cast<size_t>(output_shape.h) * static_cast<size_t>(output_shape.w);
  const size_t planar = depthwise_planar_scratch_bound(output_shape);
  return requant_table_bytes(output_shape.c) + (planar > planes ? planar : planes);
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
      depthwise_args_valid(params, output_shift, input_shape, filter_shape, output_shape) &&
      params.depth_multiplier == 1 && input_shape.c == output_shape.c &&
      static_cast<int64_t>(output_shape.h) * output_shape.w <=
          static_cast<int64_t>(input_shape.h) * input_shape.w &&
      !ranges_overlap(scratch, depthwise_conv2d_int8_in_place_fast_scratch_bytes(output_shape),
                      data, static_cast<size_t>(shape4_size(input_shape)));
  if (valid_in_place && fast_applicable(params, scratch) &&
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
  const QuadRowFn wide_rows = taps <= kMaxWideTaps ? pick_quad_row(job) : 0;
  for (int32_t n = 0; n < output_shape.n; ++n) {
    const int8_t* batch = data + n * input_batch;
    int8_t* out_batch = data + n * output_batch;
    for (int32_t c = 0; c < channels; c += 4) {
      const bool quad = c < quads;
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
