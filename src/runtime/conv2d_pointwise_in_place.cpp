#include "runtime/conv2d_pointwise_in_place.h"

#include <string.h>

namespace kiln {
namespace rt {

namespace {

bool pointwise_shapes_valid(const Window2D& window, const Shape4& input_shape,
                            const Shape4& filter_shape, const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(filter_shape) || !shape4_valid(output_shape))
    return false;
  if (filter_shape.h != 1 || filter_shape.w != 1 || filter_shape.n != output_shape.c ||
      filter_shape.c != input_shape.c)
    return false;
  if (input_shape.n != output_shape.n || input_shape.h != output_shape.h ||
      input_shape.w != output_shape.w)
    return false;
  // Dilation does not matter for a 1x1 window; stride and padding would move pixels.
  return window.stride_h == 1 && window.stride_w == 1 && window.pad_h == 0 && window.pad_w == 0 &&
         window.dilation_h >= 1 && window.dilation_w >= 1;
}

// Addresses as integers: the pointers may come from unrelated objects.
uintptr_t address(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

bool ranges_overlap(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  return address(a) < address(b) + b_bytes && address(b) < address(a) + a_bytes;
}

}  // namespace

int64_t conv2d_pointwise_in_place_lead(const Shape4& input_shape, const Shape4& output_shape) {
  if (!shape4_valid(input_shape) || !shape4_valid(output_shape)) return 0;
  const int64_t pixels = static_cast<int64_t>(input_shape.n) * input_shape.h * input_shape.w;
  const int64_t growth = static_cast<int64_t>(output_shape.c) - input_shape.c;
  return growth > 0 ? pixels * growth : 0;
}

size_t conv2d_pointwise_int8_in_place_scratch_bytes(const Shape4& output_shape) {
  if (!shape4_valid(output_shape)) return 0;
  return static_cast<size_t>(output_shape.c);
}

Status conv2d_pointwise_int8_in_place(const Conv2DParams& params, const int32_t* output_multiplier,
                                      const int32_t* output_shift, const Shape4& input_shape,
                                      const int8_t* input, const Shape4& filter_shape,
                                      const int8_t* filter, const int32_t* bias,
                                      const Shape4& output_shape, int8_t* output, int8_t* scratch) {
  if (!output_multiplier || !output_shift || !input || !filter || !output || !scratch)
    return kBadArgument;
  if (!pointwise_shapes_valid(params.window, input_shape, filter_shape, output_shape))
    return kBadArgument;
  if (!int8_offset_valid(params.input_offset) || params.act_min > params.act_max)
    return kBadArgument;
  if (!requant_shifts_valid(output_shift, output_shape.c)) return kBadArgument;
  const size_t input_bytes = static_cast<size_t>(shape4_size(input_shape));
  const size_t output_bytes = static_cast<size_t>(shape4_size(output_shape));
  const size_t pixel_bytes = conv2d_pointwise_int8_in_place_scratch_bytes(output_shape);
  if (ranges_overlap(scratch, pixel_bytes, input, input_bytes) ||
      ranges_overlap(scratch, pixel_bytes, output, output_bytes))
    return kBadArgument;
  if (ranges_overlap(input, input_bytes, output, output_bytes)) {
    // Overlapping: the output must start early enough (see the header).
    const uint64_t lead =
        static_cast<uint64_t>(conv2d_pointwise_in_place_lead(input_shape, output_shape));
    if (address(output) > address(input) || address(input) - address(output) < lead)
      return kBadArgument;
  }

  // The same output step as conv2d_int8; the sums are exact, so results are identical.
  const Int8OutputStep step = {bias,
                               output_multiplier,
                               output_shift,
                               /*per-channel*/ 1,
                               params.output_offset,
                               params.act_min,
                               params.act_max};
  const int32_t depth_in = input_shape.c;
  const int32_t depth_out = output_shape.c;
  const int32_t pixels = input_shape.n * input_shape.h * input_shape.w;
  for (int32_t p = 0; p < pixels; ++p) {
    const int8_t* in_px = input + p * depth_in;
    for (int32_t out_c = 0; out_c < depth_out; ++out_c) {
      const int8_t* filter_c = filter + out_c * depth_in;
      int64_t acc = 0;
      for (int32_t i = 0; i < depth_in; ++i) acc += filter_c[i] * (in_px[i] + params.input_offset);
      scratch[out_c] = step(acc, out_c);
    }
    // Pixel p is fully read; its output may now land on it (and on earlier pixels).
    memcpy(output + p * depth_out, scratch, static_cast<size_t>(depth_out));
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
