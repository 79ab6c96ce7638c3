// The in-place depthwise kernel must give exactly what depthwise_conv2d_int8 gives on separate
// buffers, for any shape the in-place scheme accepts.
#include "runtime/depthwise_conv2d_in_place.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "runtime/conv_test_util.h"
#include "runtime/depthwise_conv2d.h"

namespace kiln {
namespace {

using rt::Shape4;
using testing::elements;

// A random depthwise layer with TFLite's SAME or VALID padding.
struct RandomLayer {
  rt::DepthwiseConv2DParams params;
  Shape4 input, filter, output;
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias, multiplier, shift;
};

bool make_layer(std::mt19937& rng, RandomLayer& l) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int n = pick(1, 2), h = pick(1, 9), w = pick(1, 9), c = pick(1, 7);
  const int kh = pick(1, 4), kw = pick(1, 4), stride = pick(1, 3), dilation = pick(1, 2);
  const bool same = pick(0, 1) == 1;
  const int eff_h = (kh - 1) * dilation + 1, eff_w = (kw - 1) * dilation + 1;
  int oh, ow, pad_h, pad_w;
  if (same) {
    oh = (h + stride - 1) / stride;
    ow = (w + stride - 1) / stride;
    pad_h = std::max((oh - 1) * stride + eff_h - h, 0) / 2;
    pad_w = std::max((ow - 1) * stride + eff_w - w, 0) / 2;
  } else {
    if (h < eff_h || w < eff_w) return false;
    oh = (h - eff_h) / stride + 1;
    ow = (w - eff_w) / stride + 1;
    pad_h = pad_w = 0;
  }
  l.input = {n, h, w, c};
  l.filter = {1, kh, kw, c};
  l.output = {n, oh, ow, c};
  const int32_t input_zp = pick(-128, 127), output_zp = pick(-128, 127);
  const int32_t act_min = pick(-128, -20), act_max = pick(20, 127);
  l.params = {{stride, stride, dilation, dilation, pad_h, pad_w},
              1,
              -input_zp,
              output_zp,
              act_min,
              act_max};
  const uint32_t seed = static_cast<uint32_t>(rng());
  l.input_data = testing::random_int8(elements(l.input), seed);
  l.filter_data = testing::random_int8(elements(l.filter), seed + 1);
  l.bias = testing::random_int32(static_cast<size_t>(c), seed + 2, -5000, 5000);
  l.multiplier = testing::random_int32(static_cast<size_t>(c), seed + 3, 1 << 30, INT32_MAX);
  l.shift = testing::random_int32(static_cast<size_t>(c), seed + 4, -12, 0);
  return true;
}

TEST(DepthwiseConv2DInt8InPlace, MatchesSeparateBuffersOnRandomLayers) {
  std::mt19937 rng(20240611);
  int checked = 0;
  while (checked < 400) {
    RandomLayer l;
    if (!make_layer(rng, l)) continue;
    const bool with_bias = (checked % 3) != 0;
    const int32_t* bias = with_bias ? l.bias.data() : nullptr;
    std::vector<int8_t> expected(elements(l.output));
    ASSERT_EQ(rt::depthwise_conv2d_int8(l.params, l.multiplier.data(), l.shift.data(), l.input,
                                        l.input_data.data(), l.filter, l.filter_data.data(), bias,
                                        l.output, expected.data()),
              rt::kOk);

    std::vector<int8_t> data = l.input_data;  // becomes the output
    std::vector<int8_t> scratch(rt::depthwise_conv2d_int8_in_place_scratch_bytes(l.output));
    ASSERT_EQ(scratch.size(), static_cast<size_t>(l.output.h) * l.output.w);
    ASSERT_EQ(rt::depthwise_conv2d_int8_in_place(l.params, l.multiplier.data(), l.shift.data(),
                                                 l.input, l.filter, l.filter_data.data(), bias,
                                                 l.output, data.data(), scratch.data()),
              rt::kOk);
    data.resize(expected.size());
    ASSERT_EQ(data, expected) << "input " << l.input.n << "x" << l.input.h << "x" << l.input.w
                              << "x" << l.input.c << " filter " << l.filter.h << "x" << l.filter.w
                              << " stride " << l.params.window.stride_h;
    ++checked;
  }
}

TEST(DepthwiseConv2DInt8InPlace, RejectsWhatItCannotDoInPlace) {
  std::mt19937 rng(7);
  RandomLayer l;
  while (!make_layer(rng, l)) {
  }
  std::vector<int8_t> data = l.input_data;
  std::vector<int8_t> scratch(rt::depthwise_conv2d_int8_in_place_scratch_bytes(l.output));
  auto run = [&](const rt::DepthwiseConv2DParams& p, const Shape4& filter, const Shape4& output,
                 int8_t* scratch_ptr) {
    return rt::depthwise_conv2d_int8_in_place(p, l.multiplier.data(), l.shift.data(), l.input,
                                              filter, l.filter_data.data(), nullptr, output,
                                              data.data(), scratch_ptr);
  };
  EXPECT_EQ(run(l.params, l.filter, l.output, scratch.data()), rt::kOk);
  // Several filters per channel: output channel c no longer reads input channel c only.
  rt::DepthwiseConv2DParams two = l.params;
  two.depth_multiplier = 2;
  Shape4 wide_output = l.output, wide_filter = l.filter;
  wide_output.c *= 2;
  wide_filter.c *= 2;
  EXPECT_EQ(run(two, wide_filter, wide_output, scratch.data()), rt::kBadArgument);
  // A scratch inside the tensor would be overwritten while still needed.
  EXPECT_EQ(run(l.params, l.filter, l.output, data.data()), rt::kBadArgument);
  EXPECT_EQ(run(l.params, l.filter, l.output, nullptr), rt::kBadArgument);
  // An output plane larger than the input plane.
  Shape4 tall = l.output;
  tall.h = l.input.h * l.input.w + 1;
  EXPECT_EQ(run(l.params, l.filter, tall, scratch.data()), rt::kBadArgument);
}

}  // namespace
}  // namespace kiln
