#include "runtime/depthwise_conv2d_fast.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "conv_test_util.h"
#include "runtime/conv2d_fast.h"
#include "runtime/depthwise_conv2d.h"
#include "runtime/depthwise_planar.h"
#include "runtime/requant_fast.h"

namespace kiln::rt {
namespace {

using testing::elements;
using testing::random_int32;
using testing::random_int8;

struct RandomDepthwise {
  DepthwiseConv2DParams params{};
  Shape4 input{}, filter{}, output{};
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias, multiplier, shift;
  bool has_bias = true;

  // filter_size > 0 fixes a square filter, channels > 0 the input depth.
  explicit RandomDepthwise(uint32_t seed, int32_t depth_multiplier = 1, int filter_size = 0,
                           int channels = 0) {
    std::mt19937 gen(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    Window2D& w = params.window;
    params.depth_multiplier = depth_multiplier;
    input = {pick(1, 2), pick(1, 9), pick(1, 9), pick(1, 14)};
    if (channels > 0) input.c = channels;
    filter = {1, pick(1, 4), pick(1, 4), input.c * depth_multiplier};
    if (filter_size > 0) filter.h = filter.w = filter_size;
    w.stride_h = pick(1, 2);
    w.stride_w = pick(1, 2);
    w.dilation_h = pick(1, 2);
    w.dilation_w = pick(1, 2);
    const int span_h = (filter.h - 1) * w.dilation_h, span_w = (filter.w - 1) * w.dilation_w;
    w.pad_h = pick(0, span_h);
    w.pad_w = pick(0, span_w);
    input.h = std::max(input.h, span_h + 1);
    input.w = std::max(input.w, span_w + 1);
    const int extra_h = pick(0, w.pad_h), extra_w = pick(0, w.pad_w);
    output = {input.n, (input.h + w.pad_h + extra_h - span_h - 1) / w.stride_h + 1,
              (input.w + w.pad_w + extra_w - span_w - 1) / w.stride_w + 1, filter.c};
    params.input_offset = pick(-127, 128);
    params.output_offset = pick(-128, 127);
    params.act_min = pick(0, 2) == 0 ? pick(-128, 0) : -128;
    params.act_max = pick(0, 2) == 0 ? pick(params.act_min, 127) : 127;
    input_data = random_int8(elements(input), seed + 1);
    filter_data = random_int8(elements(filter), seed + 2);
    bias = random_int32(static_cast<size_t>(output.c), seed + 3, -40000, 40000);
    has_bias = pick(0, 4) != 0;
    multiplier = random_int32(static_cast<size_t>(output.c), seed + 4, 1 << 30, INT32_MAX);
    shift = random_int32(static_cast<size_t>(output.c), seed + 5, -31, 1);
  }

  const int32_t* bias_or_null() const { return has_bias ? bias.data() : nullptr; }

  std::vector<int8_t> reference() const {
    std::vector<int8_t> out(elements(output));
    EXPECT_EQ(
        depthwise_conv2d_int8(params, multiplier.data(), shift.data(), input, input_data.data(),
                              filter, filter_data.data(), bias_or_null(), output, out.data()),
        kOk);
    return out;
  }

  std::vector<int8_t> fast() const {
    std::vector<int32_t> scratch(depthwise_conv2d_int8_fast_scratch_bytes(output) / 4 + 1);
    std::vector<int8_t> out(elements(output));
    EXPECT_EQ(depthwise_conv2d_int8_fast(params, multiplier.data(), shift.data(), input,
                                         input_data.data(), filter, filter_data.data(),
                                         bias_or_null(), output, out.data(), scratch.data()),
              kOk);
    return out;
  }

  // Runs the in-place variant on a copy of the input; returns the output it leaves behind.
  std::vector<int8_t> fast_in_place() const {
    std::vector<int32_t> scratch(depthwise_conv2d_int8_in_place_fast_scratch_bytes(output) / 4 + 1);
    std::vector<int8_t> data = input_data;
    EXPECT_EQ(depthwise_conv2d_int8_in_place_fast(params, multiplier.data(), shift.data(), input,
                                                  filter, filter_data.data(), bias_or_null(),
                                                  output, data.data(), scratch.data()),
              kOk);
    data.resize(elements(output));
    return data;
  }
};

TEST(DepthwiseConv2DFast, MatchesTheReferenceOnRandomLayers) {
  for (uint32_t seed = 0; seed < 400; ++seed) {
    const RandomDepthwise conv(seed * 19 + 3);
    ASSERT_EQ(conv.fast(), conv.reference()) << "seed " << seed;
  }
}

TEST(DepthwiseConv2DFast, InPlaceMatchesTheReferenceOnRandomLayers) {
  int checked = 0;
  for (uint32_t seed = 0; seed < 400; ++seed) {
    const RandomDepthwise conv(seed * 23 + 7);
    if (conv.output.h * conv.output.w > conv.input.h * conv.input.w) continue;  // not in place
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
    ++checked;
  }
  EXPECT_GT(checked, 300);
}

TEST(DepthwiseConv2DFast, InPlace3x3MatchesTheReference) {
  // 3x3 filters take the widened-tap row routines: whole windows unrolled, windows clipped to
  // two or three columns, and the general clipped window.
  int checked = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    const RandomDepthwise conv(seed * 29 + 11, 1, /*filter_size=*/3);
    if (conv.output.h * conv.output.w > conv.input.h * conv.input.w) continue;
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
    ++checked;
  }
  EXPECT_GT(checked, 150);
}

TEST(DepthwiseConv2DFast, InPlaceLargeFilterMatchesTheReference) {
  // 8x8 = 64 taps: more than the widened-tap buffer holds, so every tap is widened where used.
  int checked = 0;
  for (uint32_t seed = 0; seed < 40; ++seed) {
    const RandomDepthwise conv(seed * 37 + 2, 1, /*filter_size=*/8);
    if (conv.output.h * conv.output.w > conv.input.h * conv.input.w) continue;
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(DepthwiseConv2DFast, SingleInputChannelIsAConvolution) {
  // What the compiler relies on to run such layers with the convolution kernel: depthwise
  // filter {1, H, W, M} over one input channel equals the convolution filter {M, H, W, 1}.
  for (uint32_t seed = 0; seed < 200; ++seed) {
    const int32_t multiplier = static_cast<int32_t>(2 + seed % 8);
    const RandomDepthwise dw(seed * 41 + 3, multiplier, 0, /*channels=*/1);
    const Shape4 conv_filter = {multiplier, dw.filter.h, dw.filter.w, 1};
    const size_t taps = static_cast<size_t>(dw.filter.h * dw.filter.w);
    std::vector<int8_t> transposed(dw.filter_data.size());
    for (size_t m = 0; m < static_cast<size_t>(multiplier); ++m)
      for (size_t t = 0; t < taps; ++t)
        transposed[m * taps + t] = dw.filter_data[t * static_cast<size_t>(multiplier) + m];
    std::vector<int32_t> packed(conv2d_int8_fast_packed_filter_words(conv_filter));
    ASSERT_EQ(conv2d_int8_fast_pack_filter(conv_filter, transposed.data(), packed.data()), kOk);
    const Conv2DParams params = {dw.params.window, dw.params.input_offset, dw.params.output_offset,
                                 dw.params.act_min, dw.params.act_max};
    std::vector<int32_t> scratch(
        conv2d_int8_fast_packed_scratch_bytes(dw.input, conv_filter, dw.output) / 4 + 1);
    std::vector<int8_t> out(elements(dw.output));
    ASSERT_EQ(conv2d_int8_fast_packed(params, dw.multiplier.data(), dw.shift.data(), dw.input,
                                      dw.input_data.data(), conv_filter, packed.data(),
                                      dw.bias_or_null(), dw.output, out.data(), scratch.data()),
              kOk);
    ASSERT_EQ(out, dw.reference()) << "seed " << seed;
  }
}

TEST(DepthwiseConv2DFast, OtherMultipliersAndRequantizationRunTheReference) {
  const RandomDepthwise multiplied(5, /*depth_multiplier=*/3);
  EXPECT_EQ(multiplied.fast(), multiplied.reference());
  RandomDepthwise deep(6);
  deep.shift.back() = 1;
  EXPECT_EQ(deep.fast(), deep.reference());
}

// The in-place kernel checks the output shifts only by building its requantization table: a
// left shift (in range for the reference, not for the table) runs the reference kernel, a shift
// out of range is rejected as the reference rejects it, with the data left as it was.
TEST(DepthwiseConv2DFast, InPlaceShiftsOutsideTheTableRunOrFailAsTheReference) {
  RandomDepthwise conv(21, 1, /*filter_size=*/3, /*channels=*/8);
  conv.params.window = {1, 1, 1, 1, 1, 1};  // stride 1, dilation 1, SAME padding: the pair path
  conv.input = {1, 12, 12, 8};
  conv.output = conv.input;
  conv.input_data = random_int8(elements(conv.input), 22);
  conv.shift.assign(8, -9);
  conv.shift[5] = 3;
  EXPECT_EQ(conv.fast_in_place(), conv.reference());
  conv.shift[5] = -32;
  std::vector<int32_t> scratch(depthwise_conv2d_int8_in_place_fast_scratch_bytes(conv.output) / 4);
  std::vector<int8_t> data = conv.input_data;
  EXPECT_EQ(depthwise_conv2d_int8_in_place_fast(conv.params, conv.multiplier.data(),
                                                conv.shift.data(), conv.input, conv.filter,
                                                conv.filter_data.data(), conv.bias_or_null(),
                                                conv.output, data.data(), scratch.data()),
            kBadArgument);
  EXPECT_EQ(data, conv.input_data);
}

// A 3x3 layer with dilation 1 of the planar path's kind: random size (wide, or taller than wide
// with the width kept, which runs along columns), SAME, VALID or uneven padding, strides 1 or 2
// (stride 2 stays on the quad kernel), any channel count, and right shifts only, so that the
// fast requantization table applies.
// The largest window sums: every input at one extreme (with the offset that makes it largest)
// and every weight at an extreme of one sign per channel, alternating with the channel and seed.
void set_extreme_sums(RandomDepthwise& conv, bool low_input, uint32_t seed) {
  const int32_t c = conv.filter.c;
  conv.params.input_offset = low_input ? -127 : 128;
  for (int8_t& v : conv.input_data) v = low_input ? -128 : 127;
  for (size_t i = 0; i < conv.filter_data.size(); ++i)
    conv.filter_data[i] =
        (static_cast<int32_t>(i % c) + static_cast<int32_t>(seed)) % 2 ? int8_t{-128} : int8_t{127};
}

RandomDepthwise planar_layer(uint32_t seed) {
  RandomDepthwise conv(seed, 1, /*filter_size=*/3, /*channels=*/1 + static_cast<int>(seed % 19));
  std::mt19937 gen(seed + 100);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  Window2D& w = conv.params.window;
  w.dilation_h = w.dilation_w = 1;
  w.stride_h = pick(0, 3) == 0 ? 2 : 1;
  w.stride_w = pick(0, 3) == 0 ? 2 : 1;
  const bool tall = pick(0, 2) == 0;
  conv.input.h = tall ? pick(12, 40) : pick(3, 20);
  conv.input.w = tall ? pick(3, 11) : pick(10, 40);
  const bool same = pick(0, 1) == 0;
  auto out_size = [&](int in, int stride) {
    return same ? (in + stride - 1) / stride : (in - 3) / stride + 1;
  };
  auto pad = [&](int in, int out, int stride) {
    return same ? std::max(0, ((out - 1) * stride + 3 - in) / 2) : 0;
  };
  conv.output = {conv.input.n, out_size(conv.input.h, w.stride_h),
                 out_size(conv.input.w, w.stride_w), conv.input.c};
  w.pad_h = pad(conv.input.h, conv.output.h, w.stride_h);
  w.pad_w = pad(conv.input.w, conv.output.w, w.stride_w);
  if (pick(0, 3) == 0) {
    // Uneven explicit padding of up to two lines per side (stride 1 keeps the output no larger
    // than the input, so that it can run in place).
    w.stride_h = w.stride_w = 1;
    w.pad_h = pick(0, 2);
    w.pad_w = pick(0, 2);
    conv.output.h = conv.input.h + w.pad_h + pick(0, 2 - w.pad_h) - 2;
    conv.output.w = conv.input.w + w.pad_w + pick(0, 2 - w.pad_w) - 2;
  }
  conv.input_data = random_int8(elements(conv.input), seed + 1);
  conv.shift = random_int32(static_cast<size_t>(conv.output.c), seed + 5, -31, -1);
  return conv;
}

TEST(DepthwiseConv2DFast, InPlacePlanarMatchesTheReference) {
  int planar = 0, by_columns = 0, checked = 0;
  for (uint32_t seed = 0; seed < 500; ++seed) {
    const RandomDepthwise conv = planar_layer(seed * 31 + 5);
    if (conv.output.h * conv.output.w > conv.input.h * conv.input.w) continue;
    const size_t available = depthwise_conv2d_int8_in_place_fast_scratch_bytes(conv.output) -
                             requant_table_bytes(conv.output.c);
    const DepthwisePlanarPlan plan =
        depthwise_planar_plan(conv.params, conv.input, conv.filter, conv.output, available);
    if (plan.group > 0) {
      ++planar;
      EXPECT_EQ(plan.group, 4) << "seed " << seed;  // the scratch bound allows full groups
      by_columns += plan.by_columns;
      EXPECT_LE(plan.bytes, available);
    }
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
    ++checked;
  }
  EXPECT_GT(checked, 400);
  EXPECT_GT(planar, 100);
  EXPECT_GT(by_columns, 20);
}

// The planar path's doubled output step (taps and bias doubled, no pre-shift) is taken per group
// of channels only where every |accumulator| stays below 2^30: |bias| < 2^30 - 9 * 128 * 255.
// Biases on both sides of that limit (and far beyond it, as pruned channels have), with the
// largest sums the window can make (all weights -128 or 127, all inputs at an extreme), must
// give the reference's outputs whichever step each group takes.
TEST(DepthwiseConv2DFast, InPlacePlanarExactAroundTheDoubledStepLimit) {
  const int32_t limit = (1 << 30) - 9 * 128 * 255;
  const int32_t biases[] = {limit - 1,  limit,         limit + 1,  -(limit - 1), -limit,
                            -limit - 1, (1 << 30) + 5, -(1 << 30), 17,           -40000};
  int planar = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    RandomDepthwise conv = planar_layer(seed * 13 + 7);
    if (conv.output.h * conv.output.w > conv.input.h * conv.input.w) continue;
    std::mt19937 gen(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    conv.has_bias = true;
    for (int32_t& b : conv.bias) b = biases[pick(0, 9)];
    if (seed % 2 == 0) {
      set_extreme_sums(conv, pick(0, 1) == 0, seed);
    }
    const size_t available = depthwise_conv2d_int8_in_place_fast_scratch_bytes(conv.output) -
                             requant_table_bytes(conv.output.c);
    planar +=
        depthwise_planar_plan(conv.params, conv.input, conv.filter, conv.output, available).group >
        0;
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
  }
  EXPECT_GT(planar, 60);
}

// A 3x3 layer with dilation 1 of the padded quad path's kind (stride 2 in either direction, or
// lines too short for the planar path): small maps, whose whole padded plane fits in the
// scratch, and larger ones, which fill the padded rows in chunks; SAME, VALID or uneven
// padding; any channel count (the channels beyond the last quad take the other kernel) and one
// or two batches; right shifts of up to 31 (pre-shifted requantization included); full or
// narrowed activation ranges.
RandomDepthwise padded_layer(uint32_t seed) {
  RandomDepthwise conv(seed, 1, /*filter_size=*/3, /*channels=*/1 + static_cast<int>(seed % 23));
  std::mt19937 gen(seed + 200);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  Window2D& w = conv.params.window;
  w.dilation_h = w.dilation_w = 1;
  w.stride_h = pick(1, 2);
  w.stride_w = pick(1, 2);
  const bool large = pick(0, 2) == 0;
  conv.input.n = pick(1, 2);
  conv.input.h = large ? pick(20, 48) : pick(1, 13);
  conv.input.w = large ? pick(20, 48) : pick(1, 13);
  const int kind = pick(0, 2);  // SAME, VALID, uneven
  auto out_size = [&](int in, int stride) {
    return kind == 0 ? (in + stride - 1) / stride : (in - 3) / stride + 1;
  };
  auto pad = [&](int in, int out, int stride) {
    return kind == 0 ? std::max(0, ((out - 1) * stride + 3 - in) / 2) : 0;
  };
  conv.input.h = std::max(conv.input.h, kind == 1 ? 3 : 1);
  conv.input.w = std::max(conv.input.w, kind == 1 ? 3 : 1);
  conv.output = {conv.input.n, out_size(conv.input.h, w.stride_h),
                 out_size(conv.input.w, w.stride_w), conv.input.c};
  w.pad_h = pad(conv.input.h, conv.output.h, w.stride_h);
  w.pad_w = pad(conv.input.w, conv.output.w, w.stride_w);
  if (kind == 2) {
    // Up to two padding lines per side, the output no larger than the input.
    w.pad_h = pick(0, 2);
    w.pad_w = pick(0, 2);
    conv.input.h = std::max(conv.input.h, 3);
    conv.input.w = std::max(conv.input.w, 3);
    conv.output.h = (conv.input.h + w.pad_h + pick(0, 2 - w.pad_h) - 3) / w.stride_h + 1;
    conv.output.w = (conv.input.w + w.pad_w + pick(0, 2 - w.pad_w) - 3) / w.stride_w + 1;
  }
  conv.input_data = random_int8(elements(conv.input), seed + 1);
  conv.shift = random_int32(static_cast<size_t>(conv.output.c), seed + 5, -31, -1);
  return conv;
}

TEST(DepthwiseConv2DFast, InPlacePaddedMatchesTheReference) {
  int checked = 0, large = 0, stride2 = 0, ragged = 0, batches = 0, narrow = 0;
  for (uint32_t seed = 0; seed < 600; ++seed) {
    const RandomDepthwise conv = padded_layer(seed * 43 + 9);
    if (conv.output.h * conv.output.w > conv.input.h * conv.input.w) continue;  // not in place
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
    ++checked;
    large += conv.output.h * conv.output.w > 144;
    stride2 += conv.params.window.stride_h == 2 || conv.params.window.stride_w == 2;
    ragged += conv.input.c % 4 != 0;
    batches += conv.input.n > 1;
    narrow += conv.params.act_min > -128 || conv.params.act_max < 127;
  }
  EXPECT_GT(checked, 450);
  EXPECT_GT(large, 60);
  EXPECT_GT(stride2, 200);
  EXPECT_GT(ragged, 200);
  EXPECT_GT(batches, 150);
  EXPECT_GT(narrow, 50);
}

// A 3x3 layer with stride 1 and dilation 1 of the pair path's kind: small maps (up to 144
// outputs, rows of 6 to 14: even ones of at least 6 take the pair path a channel quad at a time,
// the others the padded quad path) and larger ones (rows of 16 to 40, which widen a channel quad
// in bands of output rows, or one channel at a time, when four planes do not fit in the
// scratch); SAME, VALID or uneven padding; any channel count and one or two batches; right
// shifts of up to 31; full or narrowed activation ranges.
RandomDepthwise pair_layer(uint32_t seed) {
  RandomDepthwise conv(seed, 1, /*filter_size=*/3, /*channels=*/1 + static_cast<int>(seed % 21));
  std::mt19937 gen(seed + 300);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  Window2D& w = conv.params.window;
  w.dilation_h = w.dilation_w = 1;
  w.stride_h = w.stride_w = 1;
  conv.input.n = pick(1, 2);
  conv.output.n = conv.input.n;
  const int kind = pick(0, 2);  // SAME, VALID, uneven
  if (pick(0, 2) == 0) {
    conv.output.w = pick(16, 40);
    conv.output.h = pick(6, 30);
  } else {
    conv.output.w = pick(6, 14);
    conv.output.h = pick(1, 144 / conv.output.w);
  }
  if (kind == 0) {
    conv.input.h = conv.output.h;
    conv.input.w = conv.output.w;
    w.pad_h = w.pad_w = 1;
  } else if (kind == 1) {
    conv.input.h = conv.output.h + 2;
    conv.input.w = conv.output.w + 2;
    w.pad_h = w.pad_w = 0;
  } else {
    // Up to two padding lines before, the rest after, the output no larger than the input.
    w.pad_h = pick(0, 2);
    w.pad_w = pick(0, 2);
    conv.input.h = conv.output.h + 2 - w.pad_h - pick(0, 2 - w.pad_h);
    conv.input.w = conv.output.w + 2 - w.pad_w - pick(0, 2 - w.pad_w);
    conv.input.h = std::max(conv.input.h, conv.output.h);
    conv.input.w = std::max(conv.input.w, conv.output.w);
  }
  conv.input_data = random_int8(elements(conv.input), seed + 1);
  conv.shift = random_int32(static_cast<size_t>(conv.output.c), seed + 5, -31, -1);
  return conv;
}

TEST(DepthwiseConv2DFast, InPlacePairsMatchTheReference) {
  int checked = 0, pairs = 0, single_planes = 0, ragged = 0, batches = 0, narrow = 0, padded = 0;
  int threes = 0, odd_starts = 0;  // rows of pairs in threes; widened rows starting mid-word
  int banded = 0;
  int border_rows = 0;  // whole quad planes over 1 KiB with pad_w <= 1: only border rows zeroed
  for (uint32_t seed = 0; seed < 600; ++seed) {
    const RandomDepthwise conv = pair_layer(seed * 47 + 11);
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
    ++checked;
    const Window2D& w = conv.params.window;
    if (conv.output.w % 2 == 0) {
      // The pair path: four planes of (OH + 2) x (OW + 2) 16-bit entries, or one.
      const size_t available = depthwise_conv2d_int8_in_place_fast_scratch_bytes(conv.output) -
                               requant_table_bytes(conv.output.c);
      const size_t plane = 2 * static_cast<size_t>(conv.output.h + 2) * (conv.output.w + 2);
      pairs += conv.input.c >= 4 && 4 * plane <= available;
      border_rows +=
          conv.input.c >= 4 && 4 * plane <= available && 4 * plane > 1024 && w.pad_w <= 1;
      // Quads in bands of at least 6 output rows where four whole planes do not fit, else one
      // channel at a time.
      const bool bands = conv.input.c >= 4 && 4 * plane > available && w.pad_h <= 2 &&
                         available / (8 * (conv.output.w + 2)) >= 8;
      banded += bands;
      single_planes += !bands && 4 * plane > available && plane <= available;
      if (conv.output.w >= 6 && plane <= available) {
        threes += (conv.output.w / 2) % 3 == 0;
        odd_starts += w.pad_w % 2 == 1;
      }
    }
    ragged += conv.input.c % 4 != 0;
    batches += conv.input.n > 1;
    narrow += conv.params.act_min > -128 || conv.params.act_max < 127;
    padded += w.pad_h > 0 || w.pad_w > 0;
  }
  EXPECT_EQ(checked, 600);
  EXPECT_GT(pairs, 100);
  EXPECT_GT(single_planes, 20);
  EXPECT_GT(banded, 20);
  EXPECT_GT(border_rows, 20);
  EXPECT_GT(threes, 50);
  EXPECT_GT(odd_starts, 100);
  EXPECT_GT(ragged, 200);
  EXPECT_GT(batches, 150);
  EXPECT_GT(narrow, 50);
  EXPECT_GT(padded, 250);
}

// The doubled loops take a channel (the padded path: a channel quad) whose |bias| + 9 * 128 *
// 256 stays below 2^30 and keep the table's step for the others. The pair path's (full int8
// range, rows of 6, 12, 24 or 48 outputs, stride 1) and the padded path's (full int8 range,
// stride 2 on maps of at least 64 outputs, whole planes or in chunks): biases just inside and
// outside that limit, beyond it, and ordinary ones, with the largest sums of either sign in half of
// the layers, and right shifts up to 31 (pre-shifted entries rewritten too).
TEST(DepthwiseConv2DFast, InPlaceExactAroundTheDoubledStepLimit) {
  const int32_t limit = (1 << 30) - 9 * 128 * 256;
  // Where twice the pair path's largest sums (nine products of 128 * 255) would leave int32.
  const int32_t overflow = (1 << 30) - 9 * 128 * 255;
  const int32_t biases[] = {limit - 1,     limit,      limit + 1,    -(limit - 1),
                            -limit,        -limit - 1, overflow + 1, -overflow - 1,
                            (1 << 30) + 5, -(1 << 30), 17,           -40000};
  const int32_t widths[] = {6, 12, 24, 48};
  int inside = 0, outside = 0, extreme = 0, stride2 = 0;
  for (uint32_t seed = 0; seed < 320; ++seed) {
    std::mt19937 gen(seed + 900);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    RandomDepthwise conv(seed * 29 + 3, 1, /*filter_size=*/3, /*channels=*/pick(1, 10));
    Window2D& w = conv.params.window;
    w.dilation_h = w.dilation_w = w.stride_h = w.stride_w = 1;
    w.pad_h = w.pad_w = 1;  // SAME
    conv.input.n = 1;
    if (seed % 2 == 0) {
      conv.input.w = widths[seed / 2 % 4];
      conv.input.h = pick(1, 8);
      conv.output = {1, conv.input.h, conv.input.w, conv.input.c};
    } else {
      // Stride 2, SAME (padding after only for even sizes), 8 to 12 outputs a side or (padded
      // rows filled in chunks) 15 to 24.
      w.stride_h = w.stride_w = 2;
      const bool large = pick(0, 3) == 0;
      conv.input.h = large ? pick(30, 48) : pick(15, 24);
      conv.input.w = large ? pick(30, 48) : pick(15, 24);
      conv.output = {1, (conv.input.h + 1) / 2, (conv.input.w + 1) / 2, conv.input.c};
      w.pad_h = ((conv.output.h - 1) * 2 + 3 - conv.input.h) / 2;
      w.pad_w = ((conv.output.w - 1) * 2 + 3 - conv.input.w) / 2;
      ++stride2;
    }
    conv.params.act_min = -128;
    conv.params.act_max = 127;
    conv.input_data = random_int8(elements(conv.input), seed + 1);
    conv.shift = random_int32(static_cast<size_t>(conv.output.c), seed + 5, -31, -1);
    conv.has_bias = true;
    // Stride 2 mostly one bias for every channel: the padded path doubles whole quads.
    const int32_t shared = seed % 2 == 1 && pick(0, 3) != 0 ? pick(0, 11) : -1;
    for (int32_t& b : conv.bias) {
      b = biases[shared >= 0 ? shared : pick(0, 11)];
      const int64_t size = b < 0 ? -static_cast<int64_t>(b) : b;
      (size < limit ? inside : outside) += 1;
    }
    if (seed % 4 < 2) {
      set_extreme_sums(conv, pick(0, 1) == 0, seed);
      ++extreme;
    }
    ASSERT_EQ(conv.fast_in_place(), conv.reference()) << "seed " << seed;
  }
  EXPECT_GT(inside, 400);
  EXPECT_GT(outside, 400);
  EXPECT_EQ(extreme, 160);
  EXPECT_EQ(stride2, 160);
}

TEST(DepthwiseConv2DFast, HandCheckedQuad) {
  // A 1x1 window over four channels: acc_c = (x_c + 1) * w_c + bias_c = 7, -6, -3, -5. The
  // multiplier 2^30 halves rounding half up (3.5 -> 4, -3, -1.5 -> -1, -2.5 -> -2), shift -1
  // halves again rounding half away from zero (2, -1.5 -> -2, -0.5 -> -1, -1); zero point -1.
  const DepthwiseConv2DParams params = {{1, 1, 1, 1, 0, 0}, 1, 1, -1, -128, 127};
  const Shape4 in = {1, 1, 1, 4}, filter = {1, 1, 1, 4}, out = {1, 1, 1, 4};
  const int8_t input[] = {1, -4, 4, 0};
  const int8_t weights[] = {3, 2, -1, 4};
  const int32_t bias[] = {1, 0, 2, -9};
  const int32_t multiplier[] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}, shift[] = {-1, -1, -1, -1};
  int32_t scratch[32];
  int8_t result[4] = {};
  ASSERT_EQ(depthwise_conv2d_int8_fast(params, multiplier, shift, in, input, filter, weights, bias,
                                       out, result, scratch),
            kOk);
  EXPECT_EQ(result[0], 2 - 1);
  EXPECT_EQ(result[1], -2 - 1);
  EXPECT_EQ(result[2], -1 - 1);
  EXPECT_EQ(result[3], -1 - 1);
}

}  // namespace
}  // namespace kiln::rt
