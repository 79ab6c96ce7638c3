// The AVX2 host kernels (src/exec/host_simd) against the portable device kernels, byte for
// byte: random shapes, strides, paddings, dilations, depth multipliers, offsets, clamps and
// per-channel requantization, including the extreme shifts and multipliers the portable output
// step accepts. Skipped on CPUs without AVX2.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "exec/host_simd/conv2d_int8.h"
#include "exec/host_simd/depthwise_conv2d_int8.h"
#include "exec/host_simd/fully_connected_int8.h"
#include "exec/host_simd/host_simd.h"
#include "golden_data.h"
#include "runtime/conv2d.h"
#include "runtime/depthwise_conv2d.h"
#include "runtime/fully_connected.h"
#include "tflite/reader.h"

namespace kiln {
namespace {

namespace simd = exec::host_simd;

#define SKIP_WITHOUT_AVX2()                                                      \
  do {                                                                           \
    if (!simd::avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU or build"; \
  } while (0)

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}

  int32_t uniform(int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(engine_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(engine_); }
  std::vector<int8_t> int8s(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(uniform(-128, 127));
    return v;
  }

 private:
  std::mt19937 engine_;
};

// Per-channel requantization. Mostly what models produce (multiplier in [2^30, 2^31), moderate
// right shifts), sometimes anything the portable output step accepts: shifts in [-31, 30] and
// multipliers down to 0, so wrap-around, the rounding of every shift and saturation all occur.
struct Requant {
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;
};

Requant random_requant(Random& rng, int32_t channels, bool extreme) {
  Requant r;
  for (int32_t c = 0; c < channels; ++c) {
    if (extreme && rng.chance(0.5)) {
      const int32_t kind = rng.uniform(0, 3);
      r.multiplier.push_back(kind == 0   ? 0
                             : kind == 1 ? INT32_MAX
                             : kind == 2 ? rng.uniform(1, 1000)
                                         : rng.uniform(0, INT32_MAX));
      r.shift.push_back(rng.uniform(-31, 30));
    } else {
      r.multiplier.push_back(rng.uniform(1 << 30, INT32_MAX));
      r.shift.push_back(rng.uniform(-14, 0));
    }
  }
  return r;
}

std::vector<int32_t> random_bias(Random& rng, int32_t channels, bool extreme) {
  std::vector<int32_t> bias(static_cast<size_t>(channels));
  for (auto& b : bias) b = extreme ? rng.uniform(INT32_MIN, INT32_MAX) : rng.uniform(-40000, 40000);
  return bias;
}

// A fused-activation clamp: the full int8 range, ReLU-like, or any sub-range.
void random_clamp(Random& rng, int32_t* act_min, int32_t* act_max) {
  switch (rng.uniform(0, 2)) {
    case 0:
      *act_min = -128;
      *act_max = 127;
      break;
    case 1:
      *act_min = rng.uniform(-128, 0);
      *act_max = 127;
      break;
    default:
      *act_min = rng.uniform(-128, 127);
      *act_max = rng.uniform(*act_min, 127);
      break;
  }
}

// One spatial axis of a random window: TFLite SAME or VALID padding, or any padding the portable
// kernels accept (up to the window's reach) with any output size.
struct Axis {
  int32_t input, filter, stride, dilation, pad, output;
};

std::optional<Axis> random_axis(Random& rng, int32_t max_input, int32_t max_filter) {
  Axis a;
  a.input = rng.uniform(1, max_input);
  a.filter = rng.uniform(1, max_filter);
  a.stride = rng.uniform(1, 3);
  a.dilation = rng.chance(0.7) ? 1 : rng.uniform(2, 3);
  const int32_t span = (a.filter - 1) * a.dilation;
  switch (rng.uniform(0, 2)) {
    case 0: {  // SAME
      a.output = (a.input + a.stride - 1) / a.stride;
      const int32_t total = std::max(0, (a.output - 1) * a.stride + span + 1 - a.input);
      a.pad = total / 2;
      break;
    }
    case 1:  // VALID
      if (a.input < span + 1) return std::nullopt;
      a.output = (a.input - span - 1) / a.stride + 1;
      a.pad = 0;
      break;
    default:  // free geometry: windows may reach past the input entirely
      a.pad = rng.uniform(0, span);
      a.output = rng.uniform(1, max_input);
      break;
  }
  return a;
}

std::string describe_window(const Axis& h, const Axis& w) {
  return fmt::format("in {}x{} filter {}x{} stride {}x{} dilation {}x{} pad {}x{} out {}x{}",
                     h.input, w.input, h.filter, w.filter, h.stride, w.stride, h.dilation,
                     w.dilation, h.pad, w.pad, h.output, w.output);
}

rt::Window2D window_of(const Axis& h, const Axis& w) {
  rt::Window2D win{};
  win.stride_h = h.stride;
  win.stride_w = w.stride;
  win.dilation_h = h.dilation;
  win.dilation_w = w.dilation;
  win.pad_h = h.pad;
  win.pad_w = w.pad;
  return win;
}

// ---- CONV_2D ----

struct ConvCase {
  rt::Conv2DParams params{};
  rt::Shape4 input{}, filter{}, output{};
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias;  // empty: no bias
  Requant requant;
  std::string text;
};

void check_conv(const ConvCase& c) {
  const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
  std::vector<int8_t> expected(static_cast<size_t>(rt::shape4_size(c.output)));
  ASSERT_EQ(rt::conv2d_int8(c.params, c.requant.multiplier.data(), c.requant.shift.data(), c.input,
                            c.input_data.data(), c.filter, c.filter_data.data(), bias, c.output,
                            expected.data()),
            rt::kOk)
      << c.text;
  auto plan =
      simd::Conv2DInt8::create(c.params, c.requant.multiplier.data(), c.requant.shift.data(),
                               c.input, c.filter, c.filter_data.data(), bias, c.output);
  ASSERT_NE(plan, nullptr) << c.text;
  std::vector<int8_t> actual(expected.size(), 0x55);
  plan->run(c.input_data.data(), actual.data());
  ASSERT_EQ(actual, expected) << c.text;
  // A second run on the same plan (scratch reused) gives the same bytes.
  std::fill(actual.begin(), actual.end(), 0x55);
  plan->run(c.input_data.data(), actual.data());
  ASSERT_EQ(actual, expected) << c.text << " (second run)";
}

ConvCase conv_case(Random& rng, const Axis& h, const Axis& w, int32_t batches, int32_t in_c,
                   int32_t out_c, bool extreme) {
  ConvCase c;
  c.input = {batches, h.input, w.input, in_c};
  c.filter = {out_c, h.filter, w.filter, in_c};
  c.output = {batches, h.output, w.output, out_c};
  c.params.window = window_of(h, w);
  c.params.input_offset = rng.uniform(-127, 128);
  c.params.output_offset = rng.uniform(-128, 127);
  random_clamp(rng, &c.params.act_min, &c.params.act_max);
  c.input_data = rng.int8s(static_cast<size_t>(rt::shape4_size(c.input)));
  c.filter_data = rng.int8s(static_cast<size_t>(rt::shape4_size(c.filter)));
  if (rng.chance(0.8)) c.bias = random_bias(rng, out_c, extreme);
  c.requant = random_requant(rng, out_c, extreme);
  c.text = fmt::format(
      "conv batches {} {} channels {}->{} input_offset {} output_offset {} clamp "
      "[{}, {}] bias {}",
      batches, describe_window(h, w), in_c, out_c, c.params.input_offset, c.params.output_offset,
      c.params.act_min, c.params.act_max, c.bias.empty() ? "no" : "yes");
  return c;
}

TEST(HostSimdConv2D, MatchesPortableOnRandomShapes) {
  SKIP_WITHOUT_AVX2();
  Random rng(20261128);
  int checked = 0;
  while (checked < 400) {
    const auto h = random_axis(rng, 12, 5);
    const auto w = random_axis(rng, 12, 5);
    if (!h || !w) continue;
    const ConvCase c = conv_case(rng, *h, *w, rng.uniform(1, 2), rng.uniform(1, 20),
                                 rng.uniform(1, 40), rng.chance(0.3));
    ASSERT_NO_FATAL_FAILURE(check_conv(c));
    ++checked;
  }
}

TEST(HostSimdConv2D, PointwiseRowsInPlaceAndGathered) {
  SKIP_WITHOUT_AVX2();
  Random rng(7);
  // 1x1 filters: even channel counts are read in place, odd ones are gathered.
  for (int32_t in_c : {1, 2, 3, 8, 15, 16, 64, 65}) {
    for (int32_t stride : {1, 2}) {
      const Axis h{9, 1, stride, 1, 0, (9 - 1) / stride + 1};
      const Axis w{7, 1, stride, 1, 0, (7 - 1) / stride + 1};
      ASSERT_NO_FATAL_FAILURE(
          check_conv(conv_case(rng, h, w, 2, in_c, rng.uniform(1, 70), rng.chance(0.5))));
    }
  }
}

TEST(HostSimdConv2D, WindowsSpanningSeveralTiles) {
  SKIP_WITHOUT_AVX2();
  Random rng(11);
  // 3 x 301 values per window row (odd) are gathered into im2col rows; such deep windows leave
  // room for few rows per tile, so the positions span several tiles, the last one partial.
  // With 300 channels the window rows are read in place instead.
  const Axis h{13, 3, 1, 1, 1, 13};
  const Axis w{11, 3, 1, 1, 1, 11};
  ASSERT_NO_FATAL_FAILURE(check_conv(conv_case(rng, h, w, 2, 301, 8, true)));
  ASSERT_NO_FATAL_FAILURE(check_conv(conv_case(rng, h, w, 1, 300, 19, false)));
}

TEST(HostSimdConv2D, GoldenModelShapes) {
  SKIP_WITHOUT_AVX2();
  Random rng(3);
  // KWS DS-CNN's first layer (10x4 window over one channel, stride 2) and its 1x1 layers, VWW's
  // first layer (3x3 over 3 channels, stride 2) and magic wand's 3x3 layers.
  const Axis kws_h{49, 10, 2, 1, 4, 25}, kws_w{10, 4, 2, 1, 1, 5};
  ASSERT_NO_FATAL_FAILURE(check_conv(conv_case(rng, kws_h, kws_w, 1, 1, 64, false)));
  const Axis pw_h{25, 1, 1, 1, 0, 25}, pw_w{5, 1, 1, 1, 0, 5};
  ASSERT_NO_FATAL_FAILURE(check_conv(conv_case(rng, pw_h, pw_w, 1, 64, 64, false)));
  const Axis vww{96, 3, 2, 1, 0, 48};
  ASSERT_NO_FATAL_FAILURE(check_conv(conv_case(rng, vww, vww, 1, 3, 8, false)));
  const Axis wand{16, 3, 2, 1, 0, 8};
  ASSERT_NO_FATAL_FAILURE(check_conv(conv_case(rng, wand, wand, 1, 16, 32, false)));
}

TEST(HostSimdConv2D, DeclinesWhatItDoesNotReproduce) {
  SKIP_WITHOUT_AVX2();
  Random rng(5);
  const Axis a{6, 3, 1, 1, 1, 6};
  ConvCase c = conv_case(rng, a, a, 1, 4, 4, false);
  auto create = [&](const ConvCase& k) {
    return simd::Conv2DInt8::create(k.params, k.requant.multiplier.data(), k.requant.shift.data(),
                                    k.input, k.filter, k.filter_data.data(), nullptr, k.output);
  };
  EXPECT_NE(create(c), nullptr);
  ConvCase grouped = c;  // 2 groups of 2 input channels
  grouped.filter.c = 2;
  EXPECT_EQ(create(grouped), nullptr);
  ConvCase wide_clamp = c;  // a clamp beyond int8 truncates in the portable kernel
  wide_clamp.params.act_max = 200;
  EXPECT_EQ(create(wide_clamp), nullptr);
  ConvCase saturating = c;  // INT32_MIN x INT32_MIN saturates in the doubling multiply
  saturating.requant.multiplier[1] = INT32_MIN;
  EXPECT_EQ(create(saturating), nullptr);
  ConvCase bad_shift = c;
  bad_shift.requant.shift[2] = 31;
  EXPECT_EQ(create(bad_shift), nullptr);
  ConvCase bad_offset = c;
  bad_offset.params.input_offset = 129;
  EXPECT_EQ(create(bad_offset), nullptr);
}

// ---- DEPTHWISE_CONV_2D ----

struct DepthwiseCase {
  rt::DepthwiseConv2DParams params{};
  rt::Shape4 input{}, filter{}, output{};
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias;
  Requant requant;
  std::string text;
};

void check_depthwise(const DepthwiseCase& c) {
  const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
  std::vector<int8_t> expected(static_cast<size_t>(rt::shape4_size(c.output)));
  ASSERT_EQ(rt::depthwise_conv2d_int8(c.params, c.requant.multiplier.data(), c.requant.shift.data(),
                                      c.input, c.input_data.data(), c.filter, c.filter_data.data(),
                                      bias, c.output, expected.data()),
            rt::kOk)
      << c.text;
  auto plan = simd::DepthwiseConv2DInt8::create(c.params, c.requant.multiplier.data(),
                                                c.requant.shift.data(), c.input, c.filter,
                                                c.filter_data.data(), bias, c.output);
  ASSERT_NE(plan, nullptr) << c.text;
  std::vector<int8_t> actual(expected.size(), 0x55);
  plan->run(c.input_data.data(), actual.data());
  ASSERT_EQ(actual, expected) << c.text;
  std::fill(actual.begin(), actual.end(), 0x55);
  plan->run(c.input_data.data(), actual.data());
  ASSERT_EQ(actual, expected) << c.text << " (second run)";
}

DepthwiseCase depthwise_case(Random& rng, const Axis& h, const Axis& w, int32_t batches,
                             int32_t in_c, int32_t multiplier, bool extreme) {
  DepthwiseCase c;
  const int32_t out_c = in_c * multiplier;
  c.input = {batches, h.input, w.input, in_c};
  c.filter = {1, h.filter, w.filter, out_c};
  c.output = {batches, h.output, w.output, out_c};
  c.params.window = window_of(h, w);
  c.params.depth_multiplier = multiplier;
  c.params.input_offset = rng.uniform(-127, 128);
  c.params.output_offset = rng.uniform(-128, 127);
  random_clamp(rng, &c.params.act_min, &c.params.act_max);
  c.input_data = rng.int8s(static_cast<size_t>(rt::shape4_size(c.input)));
  c.filter_data = rng.int8s(static_cast<size_t>(rt::shape4_size(c.filter)));
  if (rng.chance(0.8)) c.bias = random_bias(rng, out_c, extreme);
  c.requant = random_requant(rng, out_c, extreme);
  c.text = fmt::format(
      "depthwise batches {} {} channels {} x{} input_offset {} output_offset {} "
      "clamp [{}, {}] bias {}",
      batches, describe_window(h, w), in_c, multiplier, c.params.input_offset,
      c.params.output_offset, c.params.act_min, c.params.act_max, c.bias.empty() ? "no" : "yes");
  return c;
}

TEST(HostSimdDepthwiseConv2D, MatchesPortableOnRandomShapes) {
  SKIP_WITHOUT_AVX2();
  Random rng(1128);
  int checked = 0;
  while (checked < 400) {
    const auto h = random_axis(rng, 12, 5);
    const auto w = random_axis(rng, 12, 5);
    if (!h || !w) continue;
    const int32_t multiplier = rng.chance(0.5) ? 1 : rng.uniform(2, 5);
    const DepthwiseCase c = depthwise_case(rng, *h, *w, rng.uniform(1, 2), rng.uniform(1, 40),
                                           multiplier, rng.chance(0.3));
    ASSERT_NO_FATAL_FAILURE(check_depthwise(c));
    ++checked;
  }
}

TEST(HostSimdDepthwiseConv2D, ChannelChunksOf16And8) {
  SKIP_WITHOUT_AVX2();
  Random rng(13);
  // Channel counts around the 16- and 8-lane chunks, with odd and even tap counts.
  for (int32_t channels : {1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64, 128}) {
    for (int32_t filter : {2, 3}) {
      const Axis h{10, filter, 1, 1, filter / 2, 10};
      const Axis w{9, filter, 2, 1, filter / 2, 5};
      ASSERT_NO_FATAL_FAILURE(
          check_depthwise(depthwise_case(rng, h, w, 1, channels, 1, rng.chance(0.5))));
    }
  }
}

TEST(HostSimdDepthwiseConv2D, GoldenModelShapes) {
  SKIP_WITHOUT_AVX2();
  Random rng(17);
  // micro_speech: one input channel, depth multiplier 8, a 10x8 window with stride 2; VWW and
  // KWS: 3x3 windows over 8 to 256 channels, stride 1 and 2.
  const Axis speech_h{49, 10, 2, 1, 4, 25}, speech_w{40, 8, 2, 1, 3, 20};
  ASSERT_NO_FATAL_FAILURE(check_depthwise(depthwise_case(rng, speech_h, speech_w, 1, 1, 8, false)));
  const Axis vww{48, 3, 1, 1, 1, 48};
  ASSERT_NO_FATAL_FAILURE(check_depthwise(depthwise_case(rng, vww, vww, 1, 8, 1, false)));
  const Axis vww2{48, 3, 2, 1, 0, 24};
  ASSERT_NO_FATAL_FAILURE(check_depthwise(depthwise_case(rng, vww2, vww2, 1, 16, 1, false)));
  const Axis deep{3, 3, 1, 1, 1, 3};
  ASSERT_NO_FATAL_FAILURE(check_depthwise(depthwise_case(rng, deep, deep, 1, 256, 1, false)));
}

// ---- FULLY_CONNECTED ----

struct FullyConnectedCase {
  rt::FullyConnectedParams params{};
  rt::FullyConnectedDims dims{};
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias;
  Requant requant;
  std::string text;
};

void check_fully_connected(const FullyConnectedCase& c) {
  const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
  std::vector<int8_t> expected(static_cast<size_t>(c.dims.batches) * c.dims.output_depth);
  ASSERT_EQ(rt::fully_connected_int8(c.params, c.dims, c.requant.multiplier.data(),
                                     c.requant.shift.data(), c.input_data.data(),
                                     c.filter_data.data(), bias, expected.data()),
            rt::kOk)
      << c.text;
  auto plan = simd::FullyConnectedInt8::create(c.params, c.dims, c.requant.multiplier.data(),
                                               c.requant.shift.data(), c.filter_data.data(), bias);
  ASSERT_NE(plan, nullptr) << c.text;
  std::vector<int8_t> actual(expected.size(), 0x55);
  plan->run(c.input_data.data(), actual.data());
  ASSERT_EQ(actual, expected) << c.text;
  std::fill(actual.begin(), actual.end(), 0x55);
  plan->run(c.input_data.data(), actual.data());
  ASSERT_EQ(actual, expected) << c.text << " (second run)";
}

FullyConnectedCase fully_connected_case(Random& rng, int32_t batches, int32_t input_depth,
                                        int32_t output_depth, bool per_channel, bool extreme) {
  FullyConnectedCase c;
  c.dims = {batches, input_depth, output_depth};
  c.params.per_channel = per_channel;
  c.params.input_offset = rng.uniform(-127, 128);
  // Per-channel filters are symmetric; per-tensor ones may have a zero point.
  c.params.filter_offset = per_channel ? 0 : rng.uniform(-127, 128);
  c.params.output_offset = rng.uniform(-128, 127);
  random_clamp(rng, &c.params.act_min, &c.params.act_max);
  c.input_data = rng.int8s(static_cast<size_t>(batches) * input_depth);
  c.filter_data = rng.int8s(static_cast<size_t>(output_depth) * input_depth);
  if (rng.chance(0.8)) c.bias = random_bias(rng, output_depth, extreme);
  c.requant = random_requant(rng, per_channel ? output_depth : 1, extreme);
  c.text = fmt::format(
      "fully connected {}x{} -> {} {} input_offset {} filter_offset {} "
      "output_offset {} clamp [{}, {}] bias {}",
      batches, input_depth, output_depth, per_channel ? "per-channel" : "per-tensor",
      c.params.input_offset, c.params.filter_offset, c.params.output_offset, c.params.act_min,
      c.params.act_max, c.bias.empty() ? "no" : "yes");
  return c;
}

TEST(HostSimdFullyConnected, MatchesPortableOnRandomShapes) {
  SKIP_WITHOUT_AVX2();
  Random rng(640);
  for (int i = 0; i < 400; ++i) {
    // Some batch counts beyond the 64 rows widened per product.
    const int32_t batches = rng.chance(0.8) ? rng.uniform(1, 6) : rng.uniform(60, 140);
    const FullyConnectedCase c = fully_connected_case(
        rng, batches, rng.uniform(1, 300), rng.uniform(1, 40), rng.chance(0.5), rng.chance(0.3));
    ASSERT_NO_FATAL_FAILURE(check_fully_connected(c));
  }
}

TEST(HostSimdFullyConnected, SmallLayersOnTheDirectPath) {
  SKIP_WITHOUT_AVX2();
  Random rng(642);
  // Input depths up to simd::kSmallFullyConnectedDepth take the direct path (input offset
  // folded into the bias, pairs broadcast from a register, blocks stored two at a time): every
  // depth, channel counts around the 16-channel stores, both quantizations, several rows.
  for (int i = 0; i < 600; ++i) {
    const int32_t depth = 1 + i % simd::kSmallFullyConnectedDepth;
    const int32_t channels = rng.chance(0.3) ? 16 * rng.uniform(1, 3) : rng.uniform(1, 40);
    const FullyConnectedCase c = fully_connected_case(rng, rng.uniform(1, 5), depth, channels,
                                                      rng.chance(0.5), rng.chance(0.3));
    ASSERT_NO_FATAL_FAILURE(check_fully_connected(c));
  }
  // hello_world's layers: 1 -> 16 -> 16 -> 1, and the depth just past the direct path.
  const int32_t shapes[][2] = {{1, 16}, {16, 16}, {16, 1}, {17, 16}};
  for (const auto& shape : shapes)
    for (int i = 0; i < 20; ++i)
      ASSERT_NO_FATAL_FAILURE(check_fully_connected(
          fully_connected_case(rng, 1, shape[0], shape[1], rng.chance(0.5), rng.chance(0.3))));
}

TEST(HostSimdFullyConnected, OutputStageOverTheWholeInt32Range) {
  SKIP_WITHOUT_AVX2();
  Random rng(31);
  // With one input value the accumulator is bias + a small product, so random biases put
  // every requantization step (all shifts, tiny and huge multipliers, wrap-around of the left
  // shift and of the zero point) under test across the int32 range.
  for (int i = 0; i < 300; ++i) {
    FullyConnectedCase c = fully_connected_case(rng, rng.uniform(1, 5), rng.uniform(1, 3),
                                                rng.uniform(1, 40), true, /*extreme=*/true);
    if (c.bias.empty()) c.bias = random_bias(rng, c.dims.output_depth, true);
    ASSERT_NO_FATAL_FAILURE(check_fully_connected(c));
  }
}

// Chains of small layers (FullyConnectedChainInt8): the rows between layers stay in
// registers, and a first layer with one input value is a table. The chain's output must equal
// running the portable kernel layer by layer.
TEST(HostSimdFullyConnected, ChainsMatchLayerByLayer) {
  SKIP_WITHOUT_AVX2();
  Random rng(643);
  for (int i = 0; i < 400; ++i) {
    const int32_t layers = rng.uniform(2, 5);
    // Every first depth, with depth 1 (the table) often.
    int32_t depth = rng.chance(0.3) ? 1 : rng.uniform(1, simd::kSmallFullyConnectedDepth);
    const int32_t input_depth = depth;
    std::vector<FullyConnectedCase> cases;
    std::vector<std::unique_ptr<simd::FullyConnectedInt8>> plans;
    std::string text;
    for (int32_t l = 0; l < layers; ++l) {
      const int32_t channels = rng.chance(0.3) ? rng.uniform(0, 1) * 8 + 8 : rng.uniform(1, 16);
      cases.push_back(
          fully_connected_case(rng, 1, depth, channels, rng.chance(0.5), rng.chance(0.2)));
      const FullyConnectedCase& c = cases.back();
      plans.push_back(simd::FullyConnectedInt8::create(
          c.params, c.dims, c.requant.multiplier.data(), c.requant.shift.data(),
          c.filter_data.data(), c.bias.empty() ? nullptr : c.bias.data()));
      ASSERT_NE(plans.back(), nullptr) << c.text;
      ASSERT_TRUE(plans.back()->chainable()) << c.text;
      text += c.text + "; ";
      depth = channels;
    }
    // Portable, layer by layer, from the first case's random input.
    std::vector<int8_t> row = cases[0].input_data;
    for (const FullyConnectedCase& c : cases) {
      std::vector<int8_t> next(static_cast<size_t>(c.dims.output_depth));
      ASSERT_EQ(rt::fully_connected_int8(c.params, c.dims, c.requant.multiplier.data(),
                                         c.requant.shift.data(), row.data(), c.filter_data.data(),
                                         c.bias.empty() ? nullptr : c.bias.data(), next.data()),
                rt::kOk);
      row = std::move(next);
    }
    auto chain = simd::FullyConnectedChainInt8::create(std::move(plans));
    ASSERT_NE(chain, nullptr) << text;
    std::vector<int8_t> actual(row.size() + 16, 0x55);
    chain->run(cases[0].input_data.data(), actual.data());
    EXPECT_EQ(std::vector<int8_t>(actual.begin(), actual.begin() + row.size()), row)
        << "input depth " << input_depth << ": " << text;
    // Nothing past the last layer's channels is written.
    EXPECT_TRUE(std::all_of(actual.begin() + row.size(), actual.end(), [](int8_t b) {
      return b == 0x55;
    })) << text;
  }
}

TEST(HostSimdFullyConnected, ChainsDeclineWhatTheyDoNotCover) {
  SKIP_WITHOUT_AVX2();
  Random rng(644);
  auto plan = [&](int32_t batches, int32_t depth, int32_t channels) {
    const FullyConnectedCase c = fully_connected_case(rng, batches, depth, channels, true, false);
    return simd::FullyConnectedInt8::create(c.params, c.dims, c.requant.multiplier.data(),
                                            c.requant.shift.data(), c.filter_data.data(),
                                            c.bias.empty() ? nullptr : c.bias.data());
  };
  EXPECT_FALSE(plan(2, 8, 8)->chainable());   // two rows
  EXPECT_FALSE(plan(1, 8, 17)->chainable());  // more than 16 channels
  EXPECT_FALSE(plan(1, 17, 8)->chainable());  // beyond the direct path
  auto layers = [&](int32_t first_channels, int32_t second_depth) {
    std::vector<std::unique_ptr<simd::FullyConnectedInt8>> v;
    v.push_back(plan(1, 4, first_channels));
    v.push_back(plan(1, second_depth, 3));
    return v;
  };
  EXPECT_EQ(simd::FullyConnectedChainInt8::create(layers(6, 5)), nullptr);  // depths differ
  EXPECT_NE(simd::FullyConnectedChainInt8::create(layers(6, 6)), nullptr);
  std::vector<std::unique_ptr<simd::FullyConnectedInt8>> one;
  one.push_back(plan(1, 4, 4));
  EXPECT_EQ(simd::FullyConnectedChainInt8::create(std::move(one)), nullptr);  // not a chain
}

// ---- dispatch and the executor ----

TEST(HostSimdDispatch, EnvironmentVariableForcesThePortableKernels) {
  {
    simd::ScopedSetting off("0");
    EXPECT_FALSE(simd::enabled());
  }
  {
    simd::ScopedSetting unset(nullptr);
    EXPECT_EQ(simd::enabled(), simd::avx2_available());
  }
  {
    simd::ScopedSetting on("1");
    EXPECT_EQ(simd::enabled(), simd::avx2_available());
    EXPECT_EQ(simd::vnni_enabled(), simd::avx_vnni_available());
  }
  {
    simd::ScopedSetting avx2_only("avx2");
    EXPECT_EQ(simd::enabled(), simd::avx2_available());
    EXPECT_FALSE(simd::vnni_enabled());
  }
  {
    simd::ScopedSetting off("0");
    EXPECT_FALSE(simd::vnni_enabled());
  }
}

// Every golden vector through an executor with the AVX2 kernels and one with the portable
// kernels: both must give the reference bytes (the golden test checks the default dispatch;
// this pins both variants explicitly).
TEST(HostSimdExecutor, GoldenModelsMatchWithAndWithoutSimd) {
  SKIP_WITHOUT_AVX2();
  const auto models = testing::golden_models();
  if (models.empty()) GTEST_SKIP() << "shared golden models not found";
  for (const std::string& name : models) {
    const ir::Model model =
        tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
    for (const char* setting : {"0", "1"}) {
      simd::ScopedSetting scoped(setting);
      exec::Executor executor(model);
      const int vectors = testing::vector_count(name);
      for (int k = 0; k < vectors; ++k) {
        executor.reset();
        for (size_t i = 0; i < executor.num_inputs(); ++i)
          executor.set_input(i, testing::read_bytes(testing::vector_file(name, "input", k, i,
                                                                         executor.num_inputs())));
        executor.invoke();
        for (size_t i = 0; i < executor.num_outputs(); ++i) {
          const auto expected = testing::read_bytes(
              testing::vector_file(name, "output", k, i, executor.num_outputs()));
          const auto actual = executor.output(i);
          EXPECT_TRUE(std::equal(actual.begin(), actual.end(), expected.begin(), expected.end()))
              << name << " vector " << k << " output " << i << " with KILN_HOST_SIMD=" << setting;
        }
      }
    }
  }
}

}  // namespace
}  // namespace kiln
