#include "runtime/max_pool2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "runtime/conv_test_util.h"

namespace kiln {
namespace {

using rt::Shape4;

TEST(MaxPool2DInt8, HandCheckedValidStride2) {
  // 4x4 input, 2x2 windows, stride 2: the maximum of each quadrant, then clamped to [-128, 50].
  const std::vector<int8_t> input = {1,   5,  -3, 2,  //
                                     4,   -1, 7,  0,  //
                                     -8,  -9, 60, 3,  //
                                     -10, -7, 2,  1};
  const rt::Pool2DParams params{{2, 2, 1, 1, 0, 0}, 2, 2, -128, 50};
  std::vector<int8_t> output(4);
  ASSERT_EQ(rt::max_pool2d_int8(params, {1, 4, 4, 1}, input.data(), {1, 2, 2, 1}, output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{5, 7, -7, 50}));
}

TEST(MaxPool2DInt8, PaddingIsIgnoredNotZero) {
  // All-negative input with SAME padding: a zero-valued pad would win every border window.
  const std::vector<int8_t> input = {-5, -6, -7, -8};
  const rt::Pool2DParams params{{1, 1, 1, 1, 0, 0}, 2, 2, -128, 127};
  std::vector<int8_t> output(4);
  ASSERT_EQ(rt::max_pool2d_int8(params, {1, 2, 2, 1}, input.data(), {1, 2, 2, 1}, output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{-5, -6, -7, -8}));
}

TEST(MaxPool2DInt8, MatchesWindowMaximumPerChannel) {
  const Shape4 in{1, 9, 8, 4}, out{1, 3, 3, 4};  // 3x3 window, stride 3, SAME (pad 0, 0)
  const auto input = testing::random_int8(testing::elements(in), 71);
  const rt::Pool2DParams params{{3, 3, 1, 1, 0, 0}, 3, 3, -20, 127};
  std::vector<int8_t> output(testing::elements(out));
  ASSERT_EQ(rt::max_pool2d_int8(params, in, input.data(), out, output.data()), rt::kOk);
  size_t i = 0;
  for (int y = 0; y < out.h; ++y)
    for (int x = 0; x < out.w; ++x)
      for (int c = 0; c < out.c; ++c, ++i) {
        int best = -128;
        for (int iy = y * 3; iy < std::min(y * 3 + 3, in.h); ++iy)
          for (int ix = x * 3; ix < std::min(x * 3 + 3, in.w); ++ix)
            best = std::max(
                best, static_cast<int>(input[static_cast<size_t>((iy * in.w + ix) * in.c + c)]));
        ASSERT_EQ(output[i], std::max(best, -20)) << "element " << i;
      }
}

TEST(MaxPool2DInt8, RejectsActivationRangeOutsideInt8) {
  const std::vector<int8_t> input(4);
  std::vector<int8_t> output(1);
  const rt::Pool2DParams params{{1, 1, 1, 1, 0, 0}, 2, 2, -129, 127};
  EXPECT_EQ(rt::max_pool2d_int8(params, {1, 2, 2, 1}, input.data(), {1, 1, 1, 1}, output.data()),
            rt::kBadArgument);
}

TEST(MaxPool2DFloat, SkipsNaNAndClamps) {
  // The reference keeps the running maximum unless a value is strictly greater, so NaN never
  // replaces it; the result is then clamped to [-2.5, 1].
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> input = {nan, -3.0f, -2.0f, nan, 0.25f, 9.0f, nan, nan};
  const rt::Pool2DFloatParams params{{1, 2, 1, 1, 0, 0}, 1, 2, -2.5f, 1.0f};
  std::vector<float> output(4);
  ASSERT_EQ(rt::max_pool2d_float(params, {1, 1, 8, 1}, input.data(), {1, 1, 4, 1}, output.data()),
            rt::kOk);
  // Windows {nan,-3} -> -3 -> -2.5; {-2,nan} -> -2; {0.25, 9} -> 9 -> 1; {nan, nan} -> the
  // lowest float -> -2.5.
  EXPECT_EQ(output, (std::vector<float>{-2.5f, -2.0f, 1.0f, -2.5f}));
}

}  // namespace
}  // namespace kiln
