#include "exec/host_simd/depthwise_conv2d_int8.h"

#include "exec/host_simd/host_simd.h"
#include "exec/host_simd/int8_output_stage.h"
#include "exec/host_simd/planning.h"

namespace kiln::exec::host_simd {

namespace {

// Lane i of a 16-channel chunk's first and second vector after unpacklo/unpackhi of two 16-lane
// int16 vectors: each 128-bit half interleaves its own four lowest (low) or highest (high) lanes.
int32_t unpacked_low_channel(int32_t i) {
  return i < 4 ? i : i + 4;
}
int32_t unpacked_high_channel(int32_t i) {
  return i < 4 ? i + 4 : i + 8;
}

}  // namespace

std::unique_ptr<DepthwiseConv2DInt8> DepthwiseConv2DInt8::create(
    const rt::DepthwiseConv2DParams& params, const int32_t* output_multiplier,
    const int32_t* output_shift, const rt::Shape4& input_shape, const rt::Shape4& filter_shape,
    const int8_t* filter, const int32_t* bias, const rt::Shape4& output_shape) {
  if (!avx2_available() || !output_multiplier || !output_shift || !filter) return nullptr;
  if (!rt::shape4_valid(input_shape) || !rt::shape4_valid(filter_shape) ||
      !rt::shape4_valid(output_shape))
    return nullptr;
  const int32_t multiplier = params.depth_multiplier;
  if (multiplier < 1 || input_shape.n != output_shape.n || filter_shape.n != 1 ||
      filter_shape.c != output_shape.c ||
      static_cast<int64_t>(input_shape.c) * multiplier != output_shape.c)
    return nullptr;
  const rt::Window2D& w = params.window;
  if (!rt::window2d_valid(w, input_shape, filter_shape.h, filter_shape.w, output_shape))
    return nullptr;
  if (!rt::int8_offset_valid(params.input_offset)) return nullptr;
  if (!int8_clamp_supported(params.act_min, params.act_max)) return nullptr;

  if (input_shape.c == 1) {
    // Filter [1, KH, KW, M] read as M convolution filters [M, KH, KW, 1].
    const int32_t taps = filter_shape.h * filter_shape.w;
    std::vector<int8_t> conv_filter(static_cast<size_t>(taps) * multiplier);
    for (int32_t t = 0; t < taps; ++t)
      for (int32_t m = 0; m < multiplier; ++m)
        conv_filter[static_cast<size_t>(m) * taps + t] =
            filter[static_cast<int64_t>(t) * multiplier + m];
    rt::Conv2DParams conv{};
    conv.window = w;
    conv.input_offset = params.input_offset;
    conv.output_offset = params.output_offset;
    conv.act_min = params.act_min;
    conv.act_max = params.act_max;
    const rt::Shape4 conv_filter_shape = {multiplier, filter_shape.h, filter_shape.w, 1};
    std::unique_ptr<Conv2DInt8> as_conv =
        Conv2DInt8::create(conv, output_multiplier, output_shift, input_shape, conv_filter_shape,
                           conv_filter.data(), bias, output_shape);
    if (!as_conv) return nullptr;
    std::unique_ptr<DepthwiseConv2DInt8> plan(new DepthwiseConv2DInt8());
    plan->single_channel_ = std::move(as_conv);
    return plan;
  }

  const int64_t padded_h = padded_extent(output_shape.h, w.stride_h, filter_shape.h, w.dilation_h);
  const int64_t padded_w = padded_extent(output_shape.w, w.stride_w, filter_shape.w, w.dilation_w);
  const int32_t channels = output_shape.c;
  const int64_t padded_c = (static_cast<int64_t>(channels) + 7) / 8 * 8;
  if (padded_h < 1 || padded_w < 1 || padded_h * padded_w * padded_c > kMaxScratchValues)
    return nullptr;

  std::unique_ptr<DepthwiseConv2DInt8> plan(new DepthwiseConv2DInt8());
  if (!build_requant_blocks(channels, output_multiplier, output_shift, 1, bias, &plan->requant_))
    return nullptr;

  // Taps in pairs; an odd last tap is paired with itself and weight 0.
  const int32_t taps = filter_shape.h * filter_shape.w;
  const int32_t pairs = (taps + 1) / 2;
  auto tap_offset = [&](int32_t t) {
    const int64_t ky = t / filter_shape.w, kx = t % filter_shape.w;
    return static_cast<int32_t>((ky * w.dilation_h * padded_w + kx * w.dilation_w) * padded_c);
  };
  for (int32_t q = 0; q < pairs; ++q) {
    plan->tap_offsets_.push_back(tap_offset(2 * q));
    plan->tap_offsets_.push_back(tap_offset(2 * q + 1 < taps ? 2 * q + 1 : 2 * q));
  }
  // Weight of tap t for output channel c, 0 past the real taps and channels.
  auto weight = [&](int32_t t, int64_t c) -> int32_t {
    if (t >= taps || c >= channels) return 0;
    return filter[static_cast<int64_t>(t) * channels + c];
  };
  auto pair_word = [&](int32_t q, int64_t c) {
    return int16_pair(weight(2 * q, c), weight(2 * q + 1, c));
  };
  std::vector<int32_t>& packed = plan->packed_filter_;
  packed.reserve(static_cast<size_t>(padded_c * pairs));
  int64_t chunk = 0;
  for (; chunk + 16 <= padded_c; chunk += 16)
    for (int32_t q = 0; q < pairs; ++q) {
      for (int32_t i = 0; i < 8; ++i)
        packed.push_back(pair_word(q, chunk + unpacked_low_channel(i)));
      for (int32_t i = 0; i < 8; ++i)
        packed.push_back(pair_word(q, chunk + unpacked_high_channel(i)));
    }
  if (chunk < padded_c)
    for (int32_t q = 0; q < pairs; ++q)
      for (int32_t i = 0; i < 8; ++i) packed.push_back(pair_word(q, chunk + i));

  DepthwiseConv2DInt8View& v = plan->view_;
  v.batches = input_shape.n;
  v.input_h = input_shape.h;
  v.input_w = input_shape.w;
  v.input_c = input_shape.c;
  v.depth_multiplier = multiplier;
  v.output_h = output_shape.h;
  v.output_w = output_shape.w;
  v.output_c = channels;
  v.stride_h = w.stride_h;
  v.stride_w = w.stride_w;
  v.pad_h = w.pad_h;
  v.pad_w = w.pad_w;
  v.padded_h = static_cast<int32_t>(padded_h);
  v.padded_w = static_cast<int32_t>(padded_w);
  v.padded_c = static_cast<int32_t>(padded_c);
  v.input_offset = params.input_offset;
  v.tap_pairs = pairs;
  v.tap_offsets = plan->tap_offsets_.data();
  v.packed_filter = packed.data();
  // Zero-initialized: the border and the lanes past the output channels are never written.
  plan->padded_.assign(static_cast<size_t>(padded_h * padded_w * padded_c), 0);
  v.padded = plan->padded_.data();
  v.output = {plan->requant_.data(), params.output_offset, params.act_min, params.act_max};
  return plan;
}

void DepthwiseConv2DInt8::run(const int8_t* input, int8_t* output) {
  if (single_channel_) {
    single_channel_->run(input, output);
    return;
  }
  depthwise_conv2d_int8_avx2(view_, input, output);
}

}  // namespace kiln::exec::host_simd
