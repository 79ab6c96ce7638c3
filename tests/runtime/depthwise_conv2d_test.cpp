#include "runtime/depthwise_conv2d.h"

#include <gtest/gtest.h>

#include <vector>

#include "runtime/conv_test_util.h"

namespace kiln {
namespace {

using rt::Shape4;
using testing::elements;

constexpr int32_t kHalf = 1 << 30;  // with shift 0: multiplier 0.5; with shift 1: 1.0

rt::Window2D window(int32_t stride, int32_t dilation, int32_t pad_h, int32_t pad_w) {
  return rt::Window2D{stride, stride, dilation, dilation, pad_h, pad_w};
}

TEST(DepthwiseConv2DInt8, HandCheckedDepthMultiplier2) {
  // Two input channels, a = 1..4 and b = 10, 20, 30, 40 (2x2); depth multiplier 2 gives output
  // channels a*f0, a*f1, b*f2, b*f3 with 2x2 filters summing everything:
  //   f0 = all 1 -> 10, f1 = [1 0; 0 -1] -> -3, f2 = all 1 -> 100, f3 = [0 1; 1 0] -> 50.
  // Multiplier 1.0, input zero point 0, output zero point 0, clamp to [-128, 60].
  const std::vector<int8_t> input = {1, 10, 2, 20, 3, 30, 4, 40};
  // Filter [1, 2, 2, 4]: per tap the 4 output channels.
  const std::vector<int8_t> filter = {1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, -1, 1, 0};
  const int32_t multiplier[] = {kHalf, kHalf, kHalf, kHalf}, shift[] = {1, 1, 1, 1};
  std::vector<int8_t> output(4);
  const rt::DepthwiseConv2DParams params{window(1, 1, 0, 0), 2, 0, 0, -128, 60};
  ASSERT_EQ(
      rt::depthwise_conv2d_int8(params, multiplier, shift, {1, 2, 2, 2}, input.data(), {1, 2, 2, 4},
                                filter.data(), nullptr, {1, 1, 1, 4}, output.data()),
      rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{10, -3, 60, 50}));
}

struct DepthwiseCase {
  const char* name;
  Shape4 input;
  int32_t kernel_h, kernel_w, depth_multiplier;
  int32_t stride, dilation, pad_h, pad_w;
  Shape4 output;
};

// out[n, y, x, c * m + j] = sum over taps of (in[n, .., .., c] - zp) * filter[0, ky, kx, c*m+j],
// with real zero outside the image.
template <typename Input>
std::vector<int64_t> naive_depthwise_acc(const DepthwiseCase& c, const std::vector<Input>& in,
                                         int32_t input_zp, const std::vector<int8_t>& filter) {
  std::vector<int64_t> acc(elements(c.output));
  const rt::Window2D w = window(c.stride, c.dilation, c.pad_h, c.pad_w);
  for (int n = 0; n < c.output.n; ++n)
    for (int y = 0; y < c.output.h; ++y)
      for (int x = 0; x < c.output.w; ++x)
        for (int oc = 0; oc < c.output.c; ++oc) {
          const int ic = oc / c.depth_multiplier;
          int64_t sum = 0;
          for (int ky = 0; ky < c.kernel_h; ++ky)
            for (int kx = 0; kx < c.kernel_w; ++kx) {
              const int iy = y * w.stride_h + ky * w.dilation_h - w.pad_h;
              const int ix = x * w.stride_w + kx * w.dilation_w - w.pad_w;
              if (iy < 0 || iy >= c.input.h || ix < 0 || ix >= c.input.w) continue;
              const int64_t real_in =
                  in[static_cast<size_t>(((n * c.input.h + iy) * c.input.w + ix) * c.input.c +
                                         ic)] -
                  input_zp;
              sum +=
                  real_in * filter[static_cast<size_t>((ky * c.kernel_w + kx) * c.output.c + oc)];
            }
          acc[static_cast<size_t>(((n * c.output.h + y) * c.output.w + x) * c.output.c + oc)] = sum;
        }
  return acc;
}

class DepthwiseInt8Naive : public ::testing::TestWithParam<DepthwiseCase> {};

TEST_P(DepthwiseInt8Naive, MatchesDefinitionWithPerChannelRequantization) {
  const DepthwiseCase& c = GetParam();
  const Shape4 filter_shape{1, c.kernel_h, c.kernel_w, c.output.c};
  const auto input = testing::random_int8(elements(c.input), 21);
  const auto filter = testing::random_int8(elements(filter_shape), 22, -127, 127);
  const auto bias = testing::random_int32(static_cast<size_t>(c.output.c), 23, -3000, 3000);
  const auto multiplier =
      testing::random_int32(static_cast<size_t>(c.output.c), 24, 1 << 30, INT32_MAX);
  const auto shift = testing::random_int32(static_cast<size_t>(c.output.c), 25, -10, -6);
  const int32_t input_zp = 12, output_zp = -5, act_min = -128, act_max = 100;
  const rt::DepthwiseConv2DParams params{window(c.stride, c.dilation, c.pad_h, c.pad_w),
                                         c.depth_multiplier,
                                         -input_zp,
                                         output_zp,
                                         act_min,
                                         act_max};
  const auto acc = naive_depthwise_acc(c, input, input_zp, filter);
  for (const bool with_bias : {false, true}) {
    std::vector<int8_t> output(elements(c.output));
    ASSERT_EQ(rt::depthwise_conv2d_int8(params, multiplier.data(), shift.data(), c.input,
                                        input.data(), filter_shape, filter.data(),
                                        with_bias ? bias.data() : nullptr, c.output, output.data()),
              rt::kOk);
    for (size_t i = 0; i < output.size(); ++i) {
      const size_t o = i % static_cast<size_t>(c.output.c);
      const int64_t total = acc[i] + (with_bias ? bias[o] : 0);
      ASSERT_EQ(output[i],
                testing::int8_output(total, multiplier[o], shift[o], output_zp, act_min, act_max))
          << "element " << i << (with_bias ? " with bias" : " without bias");
    }
  }
}

const DepthwiseCase kDepthwiseCases[] = {
    {"valid_3x3", {1, 5, 5, 3}, 3, 3, 1, 1, 1, 0, 0, {1, 3, 3, 3}},
    {"same_3x3_multiplier2", {1, 5, 4, 3}, 3, 3, 2, 1, 1, 1, 1, {1, 5, 4, 6}},
    {"same_stride2", {1, 7, 6, 4}, 3, 3, 1, 2, 1, 1, 0, {1, 4, 3, 4}},
    {"dilation2_multiplier3", {2, 6, 6, 2}, 2, 3, 3, 1, 2, 1, 2, {2, 6, 6, 6}},
    {"micro_speech_like", {1, 49, 40, 1}, 10, 8, 8, 2, 1, 4, 3, {1, 25, 20, 8}},
};

INSTANTIATE_TEST_SUITE_P(Shapes, DepthwiseInt8Naive, ::testing::ValuesIn(kDepthwiseCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(DepthwiseInt8Naive, Int16x8MatchesDefinition) {
  const DepthwiseCase& c = GetParam();
  const Shape4 filter_shape{1, c.kernel_h, c.kernel_w, c.output.c};
  const size_t channels = static_cast<size_t>(c.output.c);
  const auto input = testing::random_int16(elements(c.input), 26);
  const auto filter = testing::random_int8(elements(filter_shape), 27, -127, 127);
  const auto bias32 = testing::random_int32(channels, 28, -2000000, 2000000);
  const std::vector<int64_t> bias(bias32.begin(), bias32.end());
  const auto multiplier = testing::random_int32(channels, 29, 1 << 30, INT32_MAX);
  const auto shift = testing::random_int32(channels, 30, -18, -14);
  const rt::DepthwiseConv2DParams params{
      window(c.stride, c.dilation, c.pad_h, c.pad_w), c.depth_multiplier, 0, 0, -32768, 20000};
  const auto acc = naive_depthwise_acc(c, input, 0, filter);
  for (const bool with_bias : {false, true}) {
    std::vector<int16_t> output(elements(c.output));
    ASSERT_EQ(rt::depthwise_conv2d_int16x8(
                  params, multiplier.data(), shift.data(), c.input, input.data(), filter_shape,
                  filter.data(), with_bias ? bias.data() : nullptr, c.output, output.data()),
              rt::kOk);
    for (size_t i = 0; i < output.size(); ++i) {
      const size_t o = i % channels;
      ASSERT_EQ(output[i], testing::int16_output_64(acc[i] + (with_bias ? bias[o] : 0),
                                                    multiplier[o], shift[o], -32768, 20000))
          << "element " << i << (with_bias ? " with bias" : " without bias");
    }
  }
}

TEST(DepthwiseConv2DInt8, RejectsBadArguments) {
  const std::vector<int8_t> input(8), filter(16);
  std::vector<int8_t> output(4);
  const int32_t multiplier[] = {kHalf, kHalf, kHalf, kHalf}, shift[] = {0, 0, 0, 0};
  rt::DepthwiseConv2DParams params{window(1, 1, 0, 0), 2, 0, 0, -128, 127};
  auto run = [&](const rt::DepthwiseConv2DParams& p, Shape4 f, Shape4 out) {
    return rt::depthwise_conv2d_int8(p, multiplier, shift, {1, 2, 2, 2}, input.data(), f,
                                     filter.data(), nullptr, out, output.data());
  };
  EXPECT_EQ(run(params, {1, 2, 2, 4}, {1, 1, 1, 4}), rt::kOk);
  // Output channels != input channels x depth multiplier.
  params.depth_multiplier = 1;
  EXPECT_EQ(run(params, {1, 2, 2, 4}, {1, 1, 1, 4}), rt::kBadArgument);
  params.depth_multiplier = 2;
  // Filter with a leading dimension other than 1, or channels differing from the output's.
  EXPECT_EQ(run(params, {2, 2, 1, 4}, {1, 1, 1, 4}), rt::kBadArgument);
  EXPECT_EQ(run(params, {1, 2, 2, 2}, {1, 1, 1, 4}), rt::kBadArgument);
  params.act_min = 10;
  params.act_max = 5;
  EXPECT_EQ(run(params, {1, 2, 2, 4}, {1, 1, 1, 4}), rt::kBadArgument);
}

TEST(DepthwiseConv2DFloat, MatchesDoublePrecisionDefinition) {
  for (const DepthwiseCase& c : kDepthwiseCases) {
    SCOPED_TRACE(c.name);
    const Shape4 filter_shape{1, c.kernel_h, c.kernel_w, c.output.c};
    const auto input = testing::random_float(elements(c.input), 31);
    const auto filter = testing::random_float(elements(filter_shape), 32);
    const auto bias = testing::random_float(static_cast<size_t>(c.output.c), 33);
    const rt::DepthwiseConv2DFloatParams params{window(c.stride, c.dilation, c.pad_h, c.pad_w),
                                                c.depth_multiplier, 0.0f, 6.0f};
    std::vector<float> output(elements(c.output));
    ASSERT_EQ(rt::depthwise_conv2d_float(params, c.input, input.data(), filter_shape, filter.data(),
                                         bias.data(), c.output, output.data()),
              rt::kOk);
    // Exact float inputs widened to double: the same sums without float rounding.
    const rt::Window2D w = params.window;
    size_t i = 0;
    for (int n = 0; n < c.output.n; ++n)
      for (int y = 0; y < c.output.h; ++y)
        for (int x = 0; x < c.output.w; ++x)
          for (int oc = 0; oc < c.output.c; ++oc, ++i) {
            double sum = bias[static_cast<size_t>(oc)];
            for (int ky = 0; ky < c.kernel_h; ++ky)
              for (int kx = 0; kx < c.kernel_w; ++kx) {
                const int iy = y * w.stride_h + ky * w.dilation_h - w.pad_h;
                const int ix = x * w.stride_w + kx * w.dilation_w - w.pad_w;
                if (iy < 0 || iy >= c.input.h || ix < 0 || ix >= c.input.w) continue;
                sum += static_cast<double>(input[static_cast<size_t>(
                           ((n * c.input.h + iy) * c.input.w + ix) * c.input.c +
                           oc / c.depth_multiplier)]) *
                       filter[static_cast<size_t>((ky * c.kernel_w + kx) * c.output.c + oc)];
              }
            const double expected = sum < 0.0 ? 0.0 : (sum > 6.0 ? 6.0 : sum);
            ASSERT_NEAR(output[i], expected, 1e-5) << "element " << i;
          }
  }
}

}  // namespace
}  // namespace kiln
