#include "runtime/depthwise_conv2d_fast.h"

#include "runtime/conv_common.h"
#include "runtime/depthwise_conv2d_in_place.h"
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
  return requant_table_bytes(output_shape.c) +
         4 * static_cast<size_t>(output_shape.h) * static_cast<size_t>(output_shape.w);
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
  for (int32_t n = 0; n < output_shape.n; ++n) {
    const int8_t* batch = data + n * input_batch;
    int8_t* out_batch = data + n * output_batch;
    for (int32_t c = 0; c < channels; c += 4) {
      const bool quad = c < quads;
      // Pass 1: channels c..c+3 (or c alone) of every output pixel, reading only those channels.
      int8_t* dst = planes;
      for (int32_t y = 0; y < output_shape.h; ++y)
        for (int32_t x = 0; x < output_shape.w; ++x, dst += 4) {
          if (quad)
            quad_at(job, batch, y, x, c, dst);
          else
            for (int32_t k = 0; c + k < channels; ++k) dst[k] = single_at(job, batch, y, x, c + k);
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
