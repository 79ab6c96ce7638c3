#include "runtime/average_pool2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "runtime/conv_test_util.h"

namespace kiln {
namespace {

using rt::Shape4;

rt::Pool2DParams pool_params(int32_t filter, int32_t stride, int32_t pad, int32_t act_min = -128,
                             int32_t act_max = 127) {
  return rt::Pool2DParams{{stride, stride, 1, 1, pad, pad}, filter, filter, act_min, act_max};
}

TEST(AveragePool2DInt8, RoundsHalfAwayFromZero) {
  // 1x2 windows over one row: (1+2)/2 = 1.5 -> 2, (-1-2)/2 = -1.5 -> -2, (2+2)/2 = 2,
  // (-3+0)/2 = -1.5 -> -2, (4+1)/2 = 2.5 -> 3.
  const std::vector<int8_t> input = {1, 2, -1, -2, 2, 2, -3, 0, 4, 1};
  rt::Pool2DParams params = pool_params(1, 2, 0);
  params.filter_w = 2;
  std::vector<int8_t> output(5);
  ASSERT_EQ(
      rt::average_pool2d_int8(params, {1, 1, 10, 1}, input.data(), {1, 1, 5, 1}, output.data()),
      rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{2, -2, 2, -2, 3}));
}

TEST(AveragePool2DInt8, SamePaddingAveragesOnlyCoveredPositions) {
  // 3x3 input 1..9, 3x3 window, SAME (pad 1): the corner window covers {1,2,4,5} -> 12/4 = 3,
  // the top edge {1..6} -> 21/6 = 3.5 -> 4, the centre 45/9 = 5. Clamped to [-128, 6].
  std::vector<int8_t> input(9);
  for (int i = 0; i < 9; ++i) input[static_cast<size_t>(i)] = static_cast<int8_t>(i + 1);
  std::vector<int8_t> output(9);
  ASSERT_EQ(rt::average_pool2d_int8(pool_params(3, 1, 1, -128, 6), {1, 3, 3, 1}, input.data(),
                                    {1, 3, 3, 1}, output.data()),
            rt::kOk);
  // Rows: {1,2,4,5}=3, {1..6}=3.5->4, {2,3,5,6}=4; {1,2,4,5,7,8}=4.5->5, 5, {2,3,5,6,8,9}=5.5->6;
  // {4,5,7,8}=6, {4..9}=6.5->7->6, {5,6,8,9}=7->6.
  EXPECT_EQ(output, (std::vector<int8_t>{3, 4, 4, 5, 5, 6, 6, 6, 6}));
}

TEST(AveragePool2DInt8, MatchesRoundedMeanPerChannel) {
  const Shape4 in{2, 7, 6, 3}, out{2, 4, 3, 3};  // 3x3 window, stride 2, SAME (pad 1, 0)
  const auto input = testing::random_int8(testing::elements(in), 61);
  rt::Pool2DParams params{{2, 2, 1, 1, 1, 0}, 3, 3, -100, 100};
  std::vector<int8_t> output(testing::elements(out));
  ASSERT_EQ(rt::average_pool2d_int8(params, in, input.data(), out, output.data()), rt::kOk);
  size_t i = 0;
  for (int n = 0; n < out.n; ++n)
    for (int y = 0; y < out.h; ++y)
      for (int x = 0; x < out.w; ++x)
        for (int c = 0; c < out.c; ++c, ++i) {
          int sum = 0, count = 0;
          for (int iy = y * 2 - 1; iy < y * 2 - 1 + 3; ++iy)
            for (int ix = x * 2; ix < x * 2 + 3; ++ix)
              if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
                sum += input[static_cast<size_t>(((n * in.h + iy) * in.w + ix) * in.c + c)];
                ++count;
              }
          // round() rounds halves away from zero, the reference's rule.
          double mean = std::round(static_cast<double>(sum) / count);
          mean = mean < -100 ? -100 : (mean > 100 ? 100 : mean);
          ASSERT_EQ(output[i], static_cast<int8_t>(mean)) << "element " << i;
        }
}

TEST(AveragePool2DInt8, RejectsBadArguments) {
  const std::vector<int8_t> input(9);
  std::vector<int8_t> output(9);
  // Channels differ; dilation is not a pooling concept; an output row whose window misses the
  // input entirely.
  EXPECT_EQ(rt::average_pool2d_int8(pool_params(3, 1, 1), {1, 3, 3, 1}, input.data(), {1, 3, 1, 3},
                                    output.data()),
            rt::kBadArgument);
  rt::Pool2DParams dilated = pool_params(3, 1, 1);
  dilated.window.dilation_h = 2;
  EXPECT_EQ(
      rt::average_pool2d_int8(dilated, {1, 3, 3, 1}, input.data(), {1, 3, 3, 1}, output.data()),
      rt::kBadArgument);
  EXPECT_EQ(rt::average_pool2d_int8(pool_params(1, 1, 0), {1, 3, 3, 1}, input.data(), {1, 3, 4, 1},
                                    output.data()),
            rt::kBadArgument);
}

TEST(AveragePool2DFloat, HandCheckedWithPaddingAndClamp) {
  const std::vector<float> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> output(9);
  const rt::Pool2DFloatParams params{{1, 1, 1, 1, 1, 1}, 3, 3, 0.0f, 6.0f};
  ASSERT_EQ(
      rt::average_pool2d_float(params, {1, 3, 3, 1}, input.data(), {1, 3, 3, 1}, output.data()),
      rt::kOk);
  EXPECT_EQ(output, (std::vector<float>{3.0f, 3.5f, 4.0f, 4.5f, 5.0f, 5.5f, 6.0f, 6.0f, 6.0f}));
}

}  // namespace
}  // namespace kiln
