#include "runtime/depthwise_conv2d_in_place.h"

namespace kiln {
namespace rt {

namespace {

// Shapes the in-place scheme supports: a plain depthwise convolution with one filter per
// channel whose output plane is no larger than its input plane.
bool in_place_shapes_valid(const Window2D& window, int32_t depth_multiplier,
                           const Shape4& input_shape, const Shape4& filter_shape,
                           const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return false;
  if (depth_multiplier != 1 || filter_shape.n != 1) return false;
  if (input_shape.n != output_shape.n || input_shape.c != output_shape.c ||
      filter_shape.c != output_shape.c)
    return false;
  if (static_cast<int64_t>(output_shape.h) * output_shape.w >
      static_cast<int64_t>(input_shape.h) * input_shape.w)
    return false;
  return window2d_valid(window, input_shape, filter_shape.h, filter_shape.w, output_shape);
}

// True if the byte ranges [a, a + a_bytes) and [b, b + b_bytes) share a byte. Compared as
// integers: the pointers may come from unrelated objects.
bool ranges_overlap(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  const uintptr_t a_lo = reinterpret_cast<uintptr_t>(a);
  const uintptr_t b_lo = reinterpret_cast<uintptr_t>(b);
  return a_lo < b_lo + b_bytes && b_lo < a_lo + a_bytes;
}

}  // namespace

size_t depthwise_conv2d_int8_in_place_scratch_bytes(const Shape4& output_shape) {
  if (!shape4_valid(output_shape)) return 0;
  return static_cast<size_t>(output_shape.h) * static_cast<size_t>(output_shape.w);
}

Status depthwise_conv2d_int8_in_place(const DepthwiseConv2DParams& params,
                                      const int32_t* output_multiplier, const int32_t* output_shift,
                                      const Shape4& input_shape, const Shape4& filter_shape,
                                      const int8_t* filter, const int32_t* bias,
                                      const Shape4& output_shape, int8_t* data, int8_t* scratch) {
  if (!output_multiplier || !output_shift || !filter || !data || !scratch) return kBadArgument;
  if (!in_place_shapes_valid(params.window, params.depth_multiplier, input_shape, filter_shape,
                             output_shape))
    return kBadArgument;
  if (!int8_offset_valid(params.input_offset) || params.act_min > params.act_max)
    return kBadArgument;
  if (!requant_shifts_valid(output_shift, output_shape.c)) return kBadArgument;
  const size_t plane = depthwise_conv2d_int8_in_place_scratch_bytes(output_shape);
  // The input is the larger of the two tensors (OH*OW <= H*W, same N and C).
  if (ranges_overlap(scratch, plane, data, static_cast<size_t>(shape4_size(input_shape))))
    return kBadArgument;

  // The same output step as depthwise_conv2d_int8, so results are identical: the sums are
  // exact, so only the set of products matters, not the order in which they are added.
  const Int8OutputStep step = {bias,
                               output_multiplier,
                               output_shift,
                               /*per-channel*/ 1,
                               params.output_offset,
                               params.act_min,
                               params.act_max};
  const Window2D& win = params.window;
  const int32_t channels = input_shape.c;
  const int32_t input_row = input_shape.w * channels;
  const int32_t filter_row = filter_shape.w * channels;
  const int32_t input_batch_size = input_shape.h * input_row;
  const int32_t output_batch_size = output_shape.h * output_shape.w * channels;
  const int32_t plane_size = static_cast<int32_t>(plane);
  for (int32_t batch = 0; batch < output_shape.n; ++batch) {
    const int8_t* input_batch = data + batch * input_batch_size;
    int8_t* output_batch = data + batch * output_batch_size;
    for (int32_t c = 0; c < channels; ++c) {
      // Pass 1: the whole output plane of channel c into the scratch; reads channel c only.
      int8_t* out = scratch;
      for (int32_t out_y = 0; out_y < output_shape.h; ++out_y) {
        const int32_t in_y_origin = out_y * win.stride_h - win.pad_h;
        for (int32_t out_x = 0; out_x < output_shape.w; ++out_x) {
          const int32_t in_x_origin = out_x * win.stride_w - win.pad_w;
          int64_t acc = 0;
          for (int32_t ky = 0; ky < filter_shape.h; ++ky) {
            const int32_t in_y = in_y_origin + ky * win.dilation_h;
            if (in_y < 0 || in_y >= input_shape.h) continue;  // zero padding adds nothing
            for (int32_t kx = 0; kx < filter_shape.w; ++kx) {
              const int32_t in_x = in_x_origin + kx * win.dilation_w;
              if (in_x < 0 || in_x >= input_shape.w) continue;
              const int32_t in_value = input_batch[in_y * input_row + in_x * channels + c];
              const int32_t filter_value = filter[ky * filter_row + kx * channels + c];
              acc += filter_value * (in_value + params.input_offset);
            }
          }
          *out++ = step(acc, c);
        }
      }
      // Pass 2: channel c of the output, over channel c of the (now unneeded) input.
      for (int32_t q = 0; q < plane_size; ++q) output_batch[q * channels + c] = scratch[q];
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
