#include "runtime/conv2d_fast.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "conv_test_util.h"
#include "runtime/conv2d.h"
#include "runtime/conv2d_pointwise_in_place.h"

namespace kiln::rt {
namespace {

using testing::elements;
using testing::random_int32;
using testing::random_int8;

// One random int8 convolution: shapes, window and quantization parameters.
struct RandomConv {
  Conv2DParams params{};
  Shape4 input{}, filter{}, output{};
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias, multiplier, shift;
  bool has_bias = true;

  // `depth_one`: one input channel and window rows of whole groups of four, as the packed
  // kernel's plane path (conv2d_int8_fast_packed_scratch_bytes) takes them, mostly.
  explicit RandomConv(uint32_t seed, bool pointwise = false, bool depth_one = false) {
    std::mt19937 gen(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    Window2D& w = params.window;
    input = {pick(1, 2), pick(1, 9), pick(1, 9), pick(1, 12)};
    filter = {pick(1, 11), pointwise ? 1 : pick(1, 4), pointwise ? 1 : pick(1, 4), input.c};
    w.stride_h = pointwise ? 1 : pick(1, 3);
    w.stride_w = pointwise ? 1 : pick(1, 3);
    w.dilation_h = pick(1, 2);
    w.dilation_w = pick(1, 2);
    if (depth_one) {
      input = {pick(0, 9) == 0 ? 2 : 1, pick(1, 40), pick(1, 40), 1};
      filter = {pick(1, 11), pick(1, 10), 4 * pick(1, 3), 1};
      if (pick(0, 9) == 0) filter.w = pick(1, 7);  // rows that are not whole groups
      w.dilation_h = pick(0, 9) == 0 ? 2 : 1;
      w.dilation_w = 1;
    }
    const int span_h = (filter.h - 1) * w.dilation_h, span_w = (filter.w - 1) * w.dilation_w;
    w.pad_h = pointwise ? 0 : pick(0, span_h);
    w.pad_w = pointwise ? 0 : pick(0, span_w);
    // Make the input big enough for at least one output position.
    input.h = std::max(input.h, span_h + 1 - w.pad_h);
    input.w = std::max(input.w, span_w + 1 - w.pad_w);
    const int extra_h = pick(0, w.pad_h), extra_w = pick(0, w.pad_w);  // trailing padding
    output = {input.n, (input.h + w.pad_h + extra_h - span_h - 1) / w.stride_h + 1,
              (input.w + w.pad_w + extra_w - span_w - 1) / w.stride_w + 1, filter.n};
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

  std::vector<int8_t> reference() const {
    std::vector<int8_t> out(elements(output));
    EXPECT_EQ(conv2d_int8(params, multiplier.data(), shift.data(), input, input_data.data(), filter,
                          filter_data.data(), has_bias ? bias.data() : nullptr, output, out.data()),
              kOk);
    return out;
  }

  std::vector<int8_t> fast() const {
    std::vector<int32_t> scratch(conv2d_int8_fast_scratch_bytes(input, filter, output) / 4 + 1);
    std::vector<int8_t> out(elements(output));
    EXPECT_EQ(conv2d_int8_fast(params, multiplier.data(), shift.data(), input, input_data.data(),
                               filter, filter_data.data(), has_bias ? bias.data() : nullptr, output,
                               out.data(), scratch.data()),
              kOk);
    return out;
  }

  std::vector<int32_t> packed_filter() const {
    std::vector<int32_t> packed(conv2d_int8_fast_packed_filter_words(filter));
    EXPECT_FALSE(packed.empty());
    EXPECT_EQ(conv2d_int8_fast_pack_filter(filter, filter_data.data(), packed.data()), kOk);
    return packed;
  }

  std::vector<int8_t> fast_packed() const {
    const std::vector<int32_t> packed = packed_filter();
    std::vector<int32_t> scratch(conv2d_int8_fast_packed_scratch_bytes(input, filter, output) / 4 +
                                 1);
    std::vector<int8_t> out(elements(output));
    EXPECT_EQ(
        conv2d_int8_fast_packed(params, multiplier.data(), shift.data(), input, input_data.data(),
                                filter, packed.data(), has_bias ? bias.data() : nullptr, output,
                                out.data(), scratch.data()),
        kOk);
    return out;
  }
};

TEST(Conv2DFast, MatchesTheReferenceOnRandomLayers) {
  for (uint32_t seed = 0; seed < 400; ++seed) {
    const RandomConv conv(seed * 17);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, MatchesTheReferenceOnRandomDepthOneLayers) {
  int planes = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    const RandomConv conv(seed * 13 + 7, /*pointwise=*/false, /*depth_one=*/true);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
    planes += conv2d_int8_fast_packed_scratch_bytes(conv.input, conv.filter, conv.output) >
              conv2d_int8_fast_scratch_bytes(conv.input, conv.filter, conv.output);
  }
  EXPECT_GT(planes, 200);  // most of them qualify for the plane
}

TEST(Conv2DFast, MatchesTheReferenceOnRandomPointwiseLayers) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    const RandomConv conv(seed * 31 + 5, /*pointwise=*/true);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, PackedFilterLayout) {
  // Three rows of depth 5: two groups of four, the second padded with zero weights; the odd
  // third row pairs with a zero row. Per group and row pair the words are (a0, a2), (b0, b2),
  // (a1, a3), (b1, b3), a word of two 16-bit lanes holding lo in bits 0-15 and hi in 16-31.
  const Shape4 filter = {3, 1, 1, 5};
  const int8_t rows[] = {1,   -2, 3,  -4,  5,    //
                         6,   7,  -8, 9,   -10,  //
                         -11, 12, 13, -14, 15};
  auto lanes = [](int32_t lo, int32_t hi) {
    return static_cast<int32_t>(static_cast<uint32_t>(lo) & 0xFFFFu) +
           static_cast<int32_t>(static_cast<uint32_t>(hi) << 16);
  };
  const std::vector<int32_t> expected = {lanes(1, 3),
                                         lanes(6, -8),
                                         lanes(-2, -4),
                                         lanes(7, 9),  // rows 0, 1: values 0-3
                                         lanes(5, 0),
                                         lanes(-10, 0),
                                         0,
                                         0,  // value 4 and padding
                                         lanes(-11, 13),
                                         0,
                                         lanes(12, -14),
                                         0,  // row 2 and zeros
                                         lanes(15, 0),
                                         0,
                                         0,
                                         0};
  ASSERT_EQ(conv2d_int8_fast_packed_filter_words(filter), expected.size());
  std::vector<int32_t> packed(expected.size(), 99);
  ASSERT_EQ(conv2d_int8_fast_pack_filter(filter, rows, packed.data()), kOk);
  EXPECT_EQ(packed, expected);
  EXPECT_EQ(conv2d_int8_fast_pack_filter(filter, nullptr, packed.data()), kBadArgument);
}

TEST(Conv2DFast, MatchesTheReferenceOnRandomDeepAndWideLayers) {
  // Deeper columns and more filter rows than above: many groups (odd and even counts, depths
  // with 0-3 padded values), odd row counts and pixel counts that leave 1 or 2 pixels of the
  // last pass of three, with and without padding, strides and dilations.
  for (uint32_t seed = 0; seed < 150; ++seed) {
    RandomConv conv(seed * 7 + 3, /*pointwise=*/seed % 2 == 0);
    std::mt19937 gen(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    const int channels = pick(1, 70), rows = pick(1, 21);
    conv.input.c = conv.filter.c = channels;
    conv.filter.n = conv.output.c = rows;
    conv.input_data = random_int8(elements(conv.input), seed + 11);
    conv.filter_data = random_int8(elements(conv.filter), seed + 12);
    conv.bias = random_int32(static_cast<size_t>(rows), seed + 13, -400000, 400000);
    conv.multiplier = random_int32(static_cast<size_t>(rows), seed + 14, 1 << 30, INT32_MAX);
    conv.shift = random_int32(static_cast<size_t>(rows), seed + 15, -31, -1);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, MatchesTheReferenceOnRandomShallowLayers) {
  // The first layers of image models: 3x3 windows over three channels (strides 1-2, any
  // padding, maps from 3 to 25 pixels a side, so that passes meet every edge), and pointwise
  // layers of 1-8 whole groups of four channels; even and odd output channel counts.
  for (uint32_t seed = 0; seed < 120; ++seed) {
    const bool rgb = seed % 2 == 0;
    RandomConv conv(seed * 13 + 7, /*pointwise=*/!rgb);
    std::mt19937 gen(seed + 1000);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    const int rows = pick(1, 20), channels = rgb ? 3 : 4 * pick(1, 8);
    Window2D& w = conv.params.window;
    conv.input = {pick(1, 2), pick(3, 25), pick(3, 25), channels};
    conv.filter = {rows, rgb ? 3 : 1, rgb ? 3 : 1, channels};
    if (rgb) {
      w = {pick(1, 2), pick(1, 2), 1, 1, pick(0, 2), pick(0, 2)};
      const int extra_h = pick(0, 2 - w.pad_h), extra_w = pick(0, 2 - w.pad_w);
      conv.output = {conv.input.n, (conv.input.h + w.pad_h + extra_h - 3) / w.stride_h + 1,
                     (conv.input.w + w.pad_w + extra_w - 3) / w.stride_w + 1, rows};
    } else {
      w = {1, 1, 1, 1, 0, 0};
      conv.output = {conv.input.n, conv.input.h, conv.input.w, rows};
    }
    conv.input_data = random_int8(elements(conv.input), seed + 21);
    conv.filter_data = random_int8(elements(conv.filter), seed + 22);
    conv.bias = random_int32(static_cast<size_t>(rows), seed + 23, -40000, 40000);
    conv.multiplier = random_int32(static_cast<size_t>(rows), seed + 24, 1 << 30, INT32_MAX);
    conv.shift = random_int32(static_cast<size_t>(rows), seed + 25, -22, -1);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, FirstLayerShapes) {
  // The im2col layers of the keyword and person models at reduced size: one channel with a
  // 10x4 window and stride 2 under SAME padding, and three channels with a 3x3 window.
  struct Case {
    Shape4 input, filter;
    Window2D window;
    Shape4 output;
  };
  const Case cases[] = {
      {{1, 13, 10, 1}, {8, 10, 4, 1}, {2, 2, 1, 1, 4, 1}, {1, 7, 5, 8}},
      {{1, 12, 12, 3}, {8, 3, 3, 3}, {2, 2, 1, 1, 0, 0}, {1, 6, 6, 8}},
      {{1, 11, 9, 3}, {5, 3, 3, 3}, {2, 2, 1, 1, 1, 1}, {1, 6, 5, 5}},
  };
  uint32_t seed = 50;
  for (const Case& c : cases) {
    RandomConv conv(seed++);
    conv.input = c.input;
    conv.filter = c.filter;
    conv.output = c.output;
    conv.params.window = c.window;
    conv.input_data = random_int8(elements(conv.input), seed + 1);
    conv.filter_data = random_int8(elements(conv.filter), seed + 2);
    conv.bias = random_int32(static_cast<size_t>(c.filter.n), seed + 3, -40000, 40000);
    conv.multiplier = random_int32(static_cast<size_t>(c.filter.n), seed + 4, 1 << 30, INT32_MAX);
    conv.shift = random_int32(static_cast<size_t>(c.filter.n), seed + 5, -31, -1);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

// A random layer with the given filter window and input depth, and per-channel requantization
// where every fourth channel has a zero multiplier (a pruned channel).
RandomConv layer_with(uint32_t seed, int filter_h, int filter_w, int depth, bool allow_padding) {
  RandomConv conv(seed);
  std::mt19937 gen(seed + 99);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  Window2D& w = conv.params.window;
  w.stride_h = pick(1, 2);
  w.stride_w = pick(1, 2);
  w.dilation_h = pick(0, 3) == 0 ? 2 : 1;
  w.dilation_w = 1;
  const int span_h = (filter_h - 1) * w.dilation_h, span_w = filter_w - 1;
  w.pad_h = allow_padding ? pick(0, span_h) : 0;
  w.pad_w = allow_padding ? pick(0, span_w) : 0;
  conv.input = {pick(1, 2), pick(span_h + 1, span_h + 9), pick(span_w + 1, span_w + 12), depth};
  conv.filter = {pick(1, 12), filter_h, filter_w, depth};
  const int extra_h = allow_padding ? pick(0, w.pad_h) : 0;
  const int extra_w = allow_padding ? pick(0, w.pad_w) : 0;
  conv.output = {conv.input.n, (conv.input.h + w.pad_h + extra_h - span_h - 1) / w.stride_h + 1,
                 (conv.input.w + w.pad_w + extra_w - span_w - 1) / w.stride_w + 1, conv.filter.n};
  const size_t rows = static_cast<size_t>(conv.filter.n);
  conv.input_data = random_int8(elements(conv.input), seed + 1);
  conv.filter_data = random_int8(elements(conv.filter), seed + 2);
  conv.bias = random_int32(rows, seed + 3, -300000, 300000);
  conv.multiplier = random_int32(rows, seed + 4, 1 << 30, INT32_MAX);
  conv.shift = random_int32(rows, seed + 5, -24, -1);
  for (size_t c = 0; c < rows; c += 4) {
    conv.multiplier[c] = 0;
    conv.shift[c] = 0;
  }
  return conv;
}

TEST(Conv2DFast, ThreeByThreeWindowsOfThreeChannels) {
  // The first layer of the person model, whose columns are gathered from nine words per pixel
  // (groups straddling rows assembled by shifts) inside the input and through a padded copy at
  // its edges, with and without padding, strides 1-2 and row dilation; the input vectors are
  // exactly sized, so a word read past the input shows under the address sanitizer. The odd
  // seeds draw other row lengths (filter widths 1-5 of 2-6 channels), among them short rows of
  // up to 12 bytes that are not whole groups (the general gathering path).
  for (uint32_t seed = 0; seed < 160; ++seed) {
    const bool rgb = seed % 2 == 0;
    const int filter_w = rgb ? 3 : 1 + static_cast<int>(seed % 5);
    const int depth = rgb ? 3 : 2 + static_cast<int>(seed % 7) % 5;
    RandomConv conv = layer_with(seed * 11 + 7, 3, filter_w, depth, seed % 3 != 0);
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, SmallDepthLayers) {
  // Input depths 1..40 (whole groups and 1-3 values over), as 1x1 layers with stride 1 (the
  // consecutive-pixel columns) or 2, and as 2x2 windows with padding.
  for (int depth = 1; depth <= 40; ++depth) {
    for (int kind = 0; kind < 3; ++kind) {
      const uint32_t seed = static_cast<uint32_t>(depth * 3 + kind) * 13 + 1;
      RandomConv conv =
          kind == 2 ? layer_with(seed, 2, 2, depth, true) : layer_with(seed, 1, 1, depth, false);
      if (kind == 0) {
        conv.params.window.stride_h = conv.params.window.stride_w = 1;
        conv.params.window.dilation_h = 1;
        conv.output.h = conv.input.h;
        conv.output.w = conv.input.w;
      }
      const std::vector<int8_t> expected = conv.reference();
      ASSERT_EQ(conv.fast(), expected) << "depth " << depth << " kind " << kind;
      ASSERT_EQ(conv.fast_packed(), expected) << "depth " << depth << " kind " << kind;
    }
  }
}

TEST(Conv2DFast, PackedRejectsGroupedFilters) {
  RandomConv grouped(4);
  grouped.input = {1, 5, 5, 6};
  grouped.filter = {4, 3, 3, 3};
  grouped.output = {1, 3, 3, 4};
  grouped.params.window = {1, 1, 1, 1, 0, 0};
  grouped.input_data = random_int8(elements(grouped.input), 9);
  grouped.filter_data = random_int8(elements(grouped.filter), 10);
  grouped.bias.resize(4);
  grouped.multiplier.resize(4);
  grouped.shift.resize(4);
  const std::vector<int32_t> packed = grouped.packed_filter();
  std::vector<int32_t> scratch(64 * 1024);
  std::vector<int8_t> out(elements(grouped.output));
  EXPECT_EQ(conv2d_int8_fast_packed(grouped.params, grouped.multiplier.data(), grouped.shift.data(),
                                    grouped.input, grouped.input_data.data(), grouped.filter,
                                    packed.data(), grouped.bias.data(), grouped.output, out.data(),
                                    scratch.data()),
            kBadArgument);
}

TEST(Conv2DFast, PointwiseOutputMayOverwriteItsInput) {
  // The placement conv2d_pointwise_int8_in_place accepts: the output starts `lead` bytes before
  // the input (both end together when the layer widens the pixels).
  for (uint32_t seed = 0; seed < 100; ++seed) {
    RandomConv conv(seed * 13 + 1, /*pointwise=*/true);
    // Every third layer has a left shift, which the table does not cover: the reference output
    // step then runs in the same, placement-safe loops.
    if (seed % 3 == 0) conv.shift[0] = 1;
    const std::vector<int8_t> expected = conv.reference();
    const int64_t lead = conv2d_pointwise_in_place_lead(conv.input, conv.output);
    const size_t in_bytes = elements(conv.input), out_bytes = elements(conv.output);
    std::vector<int8_t> arena(static_cast<size_t>(lead) + std::max(in_bytes, out_bytes));
    int8_t* out = arena.data();
    int8_t* in = arena.data() + lead;
    std::memcpy(in, conv.input_data.data(), in_bytes);
    std::vector<int32_t> scratch(
        conv2d_int8_fast_packed_scratch_bytes(conv.input, conv.filter, conv.output) / 4 + 1);
    ASSERT_EQ(conv2d_int8_fast(conv.params, conv.multiplier.data(), conv.shift.data(), conv.input,
                               in, conv.filter, conv.filter_data.data(),
                               conv.has_bias ? conv.bias.data() : nullptr, conv.output, out,
                               scratch.data()),
              kOk);
    ASSERT_EQ(std::vector<int8_t>(out, out + out_bytes), expected) << "seed " << seed;
    // The packed variant, in the same placement.
    std::memcpy(in, conv.input_data.data(), in_bytes);
    const std::vector<int32_t> packed = conv.packed_filter();
    ASSERT_EQ(conv2d_int8_fast_packed(conv.params, conv.multiplier.data(), conv.shift.data(),
                                      conv.input, in, conv.filter, packed.data(),
                                      conv.has_bias ? conv.bias.data() : nullptr, conv.output, out,
                                      scratch.data()),
              kOk);
    ASSERT_EQ(std::vector<int8_t>(out, out + out_bytes), expected) << "packed, seed " << seed;
  }
}

TEST(Conv2DFast, OutOfRangeRequantizationAndGroupsRunTheReference) {
  RandomConv deep(3);
  deep.shift[0] = 2;  // a left shift: beyond the table's range
  EXPECT_EQ(deep.fast(), deep.reference());

  RandomConv grouped(4);
  grouped.input = {1, 5, 5, 6};
  grouped.filter = {4, 3, 3, 3};  // two groups of three channels
  grouped.output = {1, 3, 3, 4};
  grouped.params.window = {1, 1, 1, 1, 0, 0};
  grouped.input_data = random_int8(elements(grouped.input), 9);
  grouped.filter_data = random_int8(elements(grouped.filter), 10);
  grouped.bias.resize(4);
  grouped.multiplier.resize(4);
  grouped.shift.resize(4);
  EXPECT_EQ(grouped.fast(), grouped.reference());
}

TEST(Conv2DFast, ZeroMultiplierChannelsMatchTheReference) {
  // A zero multiplier (a zero scale, as pruned channels of the person model have, with shift 0)
  // makes the reference's result the zero point whatever the sum; the kernel keeps the table
  // path for it. Mixed with right shifts beyond 22, which need the table's pre-shift.
  for (uint32_t seed = 0; seed < 60; ++seed) {
    RandomConv conv(seed * 5 + 2, /*pointwise=*/seed % 2 == 1);
    for (size_t c = 0; c < conv.multiplier.size(); ++c) {
      if (c % 3 == 0) {
        conv.multiplier[c] = 0;
        conv.shift[c] = static_cast<int32_t>(c % 2);
      } else {
        conv.shift[c] = c % 3 == 1 ? -25 : -3;
      }
    }
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, DeepPointwiseLayersWithPrunedChannels) {
  // Pointwise layers of more than eight groups (the doubled output step) with channels pruned as
  // in the person-detection model: all-zero weights, as whole row pairs (whose multiply the
  // packed kernel skips) or single rows, mostly with biases near 2^30 and right shifts of 23-31,
  // or a zero multiplier; some channels with large shifts and weights; now and then a channel
  // that fits neither doubled form (a bias near 2^30 with weights), so that the kernel goes back
  // to the table it built first. Pixel counts leave 0, 1 or 2 pixels after the passes of three.
  for (uint32_t seed = 0; seed < 160; ++seed) {
    RandomConv conv(seed * 13 + 7, /*pointwise=*/true);
    std::mt19937 gen(seed + 1000);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    const int channels = 4 * pick(9, 20), rows = 2 * pick(1, 12);
    conv.input.c = conv.filter.c = channels;
    conv.filter.n = conv.output.c = rows;
    conv.input_data = random_int8(elements(conv.input), seed + 21);
    conv.filter_data = random_int8(elements(conv.filter), seed + 22);
    conv.bias = random_int32(static_cast<size_t>(rows), seed + 23, -400000, 400000);
    conv.multiplier = random_int32(static_cast<size_t>(rows), seed + 24, 1 << 30, INT32_MAX);
    conv.shift = random_int32(static_cast<size_t>(rows), seed + 25, -12, -5);
    conv.params.act_min = -128;  // the table path's full range (others take the C++ steps)
    conv.params.act_max = 127;
    conv.has_bias = true;
    const bool stubborn = seed % 5 == 4;  // one channel that fits neither doubled form
    for (int r = 0; r < rows; ++r) {
      int8_t* weights = conv.filter_data.data() + static_cast<size_t>(r) * channels;
      const int kind = pick(0, 5);
      const bool pair = kind == 0 && r % 2 == 0 && r + 1 < rows && pick(0, 2) > 0;
      for (int k = r; k <= (pair ? r + 1 : r); ++k) {
        if (kind == 0 || kind == 1)
          std::fill(weights + (k - r) * channels, weights + (k - r + 1) * channels, int8_t{0});
        if (kind == 0) {
          conv.bias[k] = (1 << 30) + pick(-300, 300);
          conv.shift[k] = -pick(23, 31);
        } else if (kind == 1) {
          conv.multiplier[k] = 0;
          conv.shift[k] = 0;
        } else if (kind == 2) {
          conv.shift[k] = -pick(23, 31);
        }
      }
      if (pair) ++r;
    }
    if (stubborn) {
      // x = acc / 2 (multiplier 0.5) sits on the rounding boundary 129 * 2^22 of a shift of 23
      // at acc = bias, so its output (64 or 65) depends on the sum, and |bias| > 2^30.
      const int r = pick(0, rows - 1);
      conv.params.output_offset = 0;
      conv.bias[r] = 129 << 23;
      conv.multiplier[r] = 1 << 30;
      conv.shift[r] = -23;
      std::fill(conv.filter_data.begin() + static_cast<size_t>(r) * channels,
                conv.filter_data.begin() + static_cast<size_t>(r + 1) * channels, int8_t{100});
    }
    const std::vector<int8_t> expected = conv.reference();
    ASSERT_EQ(conv.fast_packed(), expected) << "seed " << seed;
    ASSERT_EQ(conv.fast(), expected) << "seed " << seed;
  }
}

TEST(Conv2DFast, HandCheckedPrunedRowPair) {
  // A pointwise layer of 36 channels (nine groups) whose two filter rows are all zero: every
  // output is the zero point plus the bias alone requantized. Channel 0: 2^30 * 0.5 = 2^29, and
  // 2^29 / 2^25 = 16, so -128 + 16 = -112. Channel 1: 3 * 2^28 * 0.75 = 9 * 2^26, and
  // 9 * 2^26 / 2^27 = 4.5, rounded half away from zero to 5: -123. Four pixels: one pass of three
  // and one pixel after it.
  const Conv2DParams params = {{1, 1, 1, 1, 0, 0}, 128, -128, -128, 127};
  const Shape4 in = {1, 1, 4, 36}, filter = {2, 1, 1, 36}, out = {1, 1, 4, 2};
  const std::vector<int8_t> input = random_int8(elements(in), 5);
  const std::vector<int8_t> weights(elements(filter), 0);
  const int32_t bias[] = {1 << 30, 3 << 28};
  const int32_t multiplier[] = {1 << 30, (1 << 30) + (1 << 29)}, shift[] = {-25, -27};
  std::vector<int32_t> packed(conv2d_int8_fast_packed_filter_words(filter));
  ASSERT_EQ(conv2d_int8_fast_pack_filter(filter, weights.data(), packed.data()), kOk);
  std::vector<int32_t> scratch(conv2d_int8_fast_packed_scratch_bytes(in, filter, out) / 4 + 1);
  std::vector<int8_t> result(elements(out), 0);
  ASSERT_EQ(conv2d_int8_fast_packed(params, multiplier, shift, in, input.data(), filter,
                                    packed.data(), bias, out, result.data(), scratch.data()),
            kOk);
  EXPECT_EQ(result, (std::vector<int8_t>{-112, -123, -112, -123, -112, -123, -112, -123}));
}

TEST(Conv2DFast, HandCheckedSingleOutput) {
  // One 2x2 window over a 2x2x1 input: sum (x + 1) * w + bias = 2*1 + 3*2 + 4*(-1) + 5*3 + 10
  // = 29. The multiplier 2^30 halves with rounding (14.5 -> 15), shift -1 halves again rounding
  // half away from zero (7.5 -> 8): TFLite's double rounding, not round(29 / 4) = 7. Plus the
  // zero point 2.
  const Conv2DParams params = {{1, 1, 1, 1, 0, 0}, 1, 2, -128, 127};
  const Shape4 in = {1, 2, 2, 1}, filter = {1, 2, 2, 1}, out = {1, 1, 1, 1};
  const int8_t input[] = {1, 2, 3, 4};
  const int8_t weights[] = {1, 2, -1, 3};
  const int32_t bias[] = {10}, multiplier[] = {1 << 30}, shift[] = {-1};
  int32_t scratch[64];
  ASSERT_LE(conv2d_int8_fast_scratch_bytes(in, filter, out), sizeof(scratch));
  int8_t result = 0;
  ASSERT_EQ(conv2d_int8_fast(params, multiplier, shift, in, input, filter, weights, bias, out,
                             &result, scratch),
            kOk);
  EXPECT_EQ(result, 10);
}

}  // namespace
}  // namespace kiln::rt
