#include "runtime/pool2d_fast.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

#include "runtime/average_pool2d.h"
#include "runtime/conv_test_util.h"
#include "runtime/max_pool2d.h"

namespace kiln {
namespace {

using rt::Shape4;

// A random pooling layer: TFLite-style output size for SAME or VALID padding.
struct RandomPool {
  rt::Pool2DParams params{};
  Shape4 in{}, out{};
  std::vector<int8_t> input;

  RandomPool(uint32_t seed, int max_filter) {
    std::mt19937 gen(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    params.filter_h = pick(1, max_filter);
    params.filter_w = pick(1, max_filter);
    const int stride_h = pick(1, 3), stride_w = pick(1, 3);
    in = {pick(1, 2), pick(1, 12), pick(1, 12), pick(1, 21)};
    const bool same = pick(0, 1) == 1;
    auto extent = [&](int size, int filter, int stride, int* pad) {
      if (same) {
        const int o = (size + stride - 1) / stride;
        *pad = std::max(0, ((o - 1) * stride + filter - size) / 2);
        return o;
      }
      *pad = 0;
      return size >= filter ? (size - filter) / stride + 1 : 0;
    };
    int pad_h = 0, pad_w = 0;
    const int oh = extent(in.h, params.filter_h, stride_h, &pad_h);
    const int ow = extent(in.w, params.filter_w, stride_w, &pad_w);
    params.window = {stride_h, stride_w, 1, 1, pad_h, pad_w};
    out = {in.n, std::max(oh, 1), std::max(ow, 1), in.c};
    if (oh < 1 || ow < 1) {  // a VALID window larger than the input: shrink it to fit
      params.filter_h = std::min(params.filter_h, in.h);
      params.filter_w = std::min(params.filter_w, in.w);
      params.window.pad_h = params.window.pad_w = 0;
      out.h = (in.h - params.filter_h) / stride_h + 1;
      out.w = (in.w - params.filter_w) / stride_w + 1;
    }
    params.act_min = pick(0, 2) == 0 ? pick(-128, 20) : -128;
    params.act_max = pick(0, 2) == 0 ? pick(params.act_min, 127) : 127;
    input = testing::random_int8(testing::elements(in), seed + 1);
  }
};

TEST(Pool2DInt8Fast, AverageMatchesTheReferenceOnRandomLayers) {
  int ran = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    const RandomPool p(seed * 31, 6);
    std::vector<int8_t> want(testing::elements(p.out), 1), got(testing::elements(p.out), 2);
    const rt::Status a =
        rt::average_pool2d_int8(p.params, p.in, p.input.data(), p.out, want.data());
    const rt::Status b =
        rt::average_pool2d_int8_fast(p.params, p.in, p.input.data(), p.out, got.data());
    ASSERT_EQ(a, b) << "seed " << seed;
    if (a == rt::kOk) {
      ASSERT_EQ(got, want) << "seed " << seed;
      ++ran;
    }
  }
  EXPECT_GT(ran, 350);  // the generator makes valid layers
}

TEST(Pool2DInt8Fast, MaxMatchesTheReferenceOnRandomLayers) {
  int ran = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    const RandomPool p(seed * 37, 6);
    std::vector<int8_t> want(testing::elements(p.out), 1), got(testing::elements(p.out), 2);
    const rt::Status a = rt::max_pool2d_int8(p.params, p.in, p.input.data(), p.out, want.data());
    const rt::Status b =
        rt::max_pool2d_int8_fast(p.params, p.in, p.input.data(), p.out, got.data());
    ASSERT_EQ(a, b) << "seed " << seed;
    if (a == rt::kOk) {
      ASSERT_EQ(got, want) << "seed " << seed;
      ++ran;
    }
  }
  EXPECT_GT(ran, 350);  // the generator makes valid layers
}

TEST(Pool2DInt8Fast, AverageAtTheLaneLimitsAndBeyond) {
  // All -128 or all 127 over 16x16 = 256 taps: the 16-bit lane sums reach -32768 and 32512
  // exactly. 17x16 taps are past the lane range: the reference kernel runs. KWS's 25x5 window
  // over 64 channels is the golden case.
  for (const int8_t value : {int8_t{-128}, int8_t{127}}) {
    for (const auto& [fh, fw, c] :
         std::vector<std::tuple<int, int, int>>{{16, 16, 8}, {17, 16, 6}, {25, 5, 64}}) {
      const Shape4 in{1, fh, fw, c}, out{1, 1, 1, c};
      const std::vector<int8_t> input(testing::elements(in), value);
      const rt::Pool2DParams params{{1, 1, 1, 1, 0, 0}, fh, fw, -128, 127};
      std::vector<int8_t> want(static_cast<size_t>(c)), got(static_cast<size_t>(c), 0);
      ASSERT_EQ(rt::average_pool2d_int8(params, in, input.data(), out, want.data()), rt::kOk);
      ASSERT_EQ(rt::average_pool2d_int8_fast(params, in, input.data(), out, got.data()), rt::kOk);
      EXPECT_EQ(got, want) << fh << "x" << fw;
      EXPECT_EQ(got[0], value);
    }
  }
  // Random values over the largest lane window.
  const Shape4 in{1, 16, 16, 7}, out{1, 1, 1, 7};
  const auto input = testing::random_int8(testing::elements(in), 5);
  const rt::Pool2DParams params{{1, 1, 1, 1, 0, 0}, 16, 16, -100, 90};
  std::vector<int8_t> want(7), got(7);
  ASSERT_EQ(rt::average_pool2d_int8(params, in, input.data(), out, want.data()), rt::kOk);
  ASSERT_EQ(rt::average_pool2d_int8_fast(params, in, input.data(), out, got.data()), rt::kOk);
  EXPECT_EQ(got, want);
}

TEST(Pool2DInt8Fast, RejectsWhatTheReferenceRejects) {
  const std::vector<int8_t> input(16);
  std::vector<int8_t> output(4);
  const rt::Pool2DParams params{{2, 2, 1, 1, 0, 0}, 2, 2, -128, 127};
  EXPECT_EQ(
      rt::average_pool2d_int8_fast(params, {1, 4, 4, 1}, nullptr, {1, 2, 2, 1}, output.data()),
      rt::kBadArgument);
  EXPECT_EQ(
      rt::max_pool2d_int8_fast(params, {1, 4, 4, 1}, input.data(), {1, 2, 2, 2}, output.data()),
      rt::kBadArgument);
  rt::Pool2DParams wide = params;
  wide.act_max = 300;
  EXPECT_EQ(rt::max_pool2d_int8_fast(wide, {1, 4, 4, 1}, input.data(), {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
}

}  // namespace
}  // namespace kiln
