#include "runtime/conv2d.h"

#include <gtest/gtest.h>

#include <vector>

#include "runtime/conv_test_util.h"

namespace kiln {
namespace {

using rt::Shape4;
using testing::elements;

// Multiplier 0.5 and 1.0 as (mantissa, shift): 0.5 = 2^30 * 2^(0 - 31), 1.0 = 2^30 * 2^(1 - 31).
constexpr int32_t kHalf = 1 << 30;

rt::Window2D window(int32_t stride, int32_t dilation, int32_t pad_h, int32_t pad_w) {
  return rt::Window2D{stride, stride, dilation, dilation, pad_h, pad_w};
}

rt::Conv2DParams int8_params(rt::Window2D w, int32_t input_zp, int32_t output_zp,
                             int32_t act_min = -128, int32_t act_max = 127) {
  return rt::Conv2DParams{w, -input_zp, output_zp, act_min, act_max};
}

// The convolution written from its definition: the real-valued input (q - zero point) is zero
// outside the image; the sum runs over every filter tap of the output channel's group.
template <typename Input>
std::vector<int64_t> naive_conv_acc(const rt::Window2D& w, const Shape4& in_shape,
                                    const std::vector<Input>& in, int32_t input_zp,
                                    const Shape4& f_shape, const std::vector<int8_t>& filter,
                                    const Shape4& out_shape) {
  const int groups = in_shape.c / f_shape.c;
  const int per_group = out_shape.c / groups;
  std::vector<int64_t> acc;
  for (int n = 0; n < out_shape.n; ++n)
    for (int y = 0; y < out_shape.h; ++y)
      for (int x = 0; x < out_shape.w; ++x)
        for (int o = 0; o < out_shape.c; ++o) {
          int64_t sum = 0;
          for (int ky = 0; ky < f_shape.h; ++ky)
            for (int kx = 0; kx < f_shape.w; ++kx)
              for (int i = 0; i < f_shape.c; ++i) {
                const int iy = y * w.stride_h + ky * w.dilation_h - w.pad_h;
                const int ix = x * w.stride_w + kx * w.dilation_w - w.pad_w;
                const int ic = (o / per_group) * f_shape.c + i;
                const bool inside = iy >= 0 && iy < in_shape.h && ix >= 0 && ix < in_shape.w;
                const int64_t real_in =
                    inside
                        ? in[((n * in_shape.h + iy) * in_shape.w + ix) * in_shape.c + ic] - input_zp
                        : 0;
                sum += real_in * filter[((o * f_shape.h + ky) * f_shape.w + kx) * f_shape.c + i];
              }
          acc.push_back(sum);
        }
  return acc;
}

TEST(Conv2DInt8, HandCheckedValid) {
  // 3x3 input 1..9, 2x2 filter [1 2; 3 4], no padding: sums 37, 47, 67, 77, halved and rounded
  // half away from zero.
  const std::vector<int8_t> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int8_t> filter = {1, 2, 3, 4};
  const int32_t multiplier[] = {kHalf}, shift[] = {0};
  std::vector<int8_t> output(4);
  ASSERT_EQ(rt::conv2d_int8(int8_params(window(1, 1, 0, 0), 0, 0), multiplier, shift, {1, 3, 3, 1},
                            input.data(), {1, 2, 2, 1}, filter.data(), nullptr, {1, 2, 2, 1},
                            output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{19, 24, 34, 39}));
}

TEST(Conv2DInt8, SamePaddingContributesNothing) {
  // Input value 6 with zero point 5 is real 1 everywhere; a 3x3 all-ones filter with SAME
  // padding counts the in-image neighbours: 4 at corners, 6 on edges, 9 in the middle. Padding
  // that were read as q = 0 would add (0 - 5) per tap instead.
  const std::vector<int8_t> input(9, 6);
  const std::vector<int8_t> filter(9, 1);
  const int32_t multiplier[] = {kHalf}, shift[] = {1};  // 1.0
  std::vector<int8_t> output(9);
  ASSERT_EQ(rt::conv2d_int8(int8_params(window(1, 1, 1, 1), 5, -3), multiplier, shift, {1, 3, 3, 1},
                            input.data(), {1, 3, 3, 1}, filter.data(), nullptr, {1, 3, 3, 1},
                            output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{1, 3, 1, 3, 6, 3, 1, 3, 1}));  // counts - 3
}

TEST(Conv2DInt8, BiasAndActivationClamp) {
  // One output: sum 37 plus bias 5 = 42, times 0.5 = 21, plus zero point 10 = 31, clamped to the
  // activation range [-20, 25].
  const std::vector<int8_t> input = {1, 2, 4, 5};
  const std::vector<int8_t> filter = {1, 2, 3, 4};
  const int32_t bias[] = {5};
  const int32_t multiplier[] = {kHalf}, shift[] = {0};
  int8_t output = 0;
  ASSERT_EQ(rt::conv2d_int8(int8_params(window(1, 1, 0, 0), 0, 10, -20, 25), multiplier, shift,
                            {1, 2, 2, 1}, input.data(), {1, 2, 2, 1}, filter.data(), bias,
                            {1, 1, 1, 1}, &output),
            rt::kOk);
  EXPECT_EQ(output, 25);
  ASSERT_EQ(rt::conv2d_int8(int8_params(window(1, 1, 0, 0), 0, 10, -20, 127), multiplier, shift,
                            {1, 2, 2, 1}, input.data(), {1, 2, 2, 1}, filter.data(), bias,
                            {1, 1, 1, 1}, &output),
            rt::kOk);
  EXPECT_EQ(output, 31);
}

struct ConvCase {
  const char* name;
  Shape4 input;
  Shape4 filter;
  int32_t stride, dilation, pad_h, pad_w;
  Shape4 output;
};

class Conv2DInt8Naive : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2DInt8Naive, MatchesDefinitionWithPerChannelRequantization) {
  const ConvCase& c = GetParam();
  const auto input = testing::random_int8(elements(c.input), 1);
  const auto filter = testing::random_int8(elements(c.filter), 2, -127, 127);
  const auto bias = testing::random_int32(static_cast<size_t>(c.output.c), 3, -5000, 5000);
  // Distinct per-channel multipliers between 2^-13 and 2^-9, so most outputs are not clamped.
  const auto multiplier =
      testing::random_int32(static_cast<size_t>(c.output.c), 4, 1 << 30, INT32_MAX);
  const auto shift = testing::random_int32(static_cast<size_t>(c.output.c), 5, -12, -9);
  const rt::Window2D w = window(c.stride, c.dilation, c.pad_h, c.pad_w);
  const int32_t input_zp = -7, output_zp = 3, act_min = -100, act_max = 90;

  const auto acc = naive_conv_acc(w, c.input, input, input_zp, c.filter, filter, c.output);
  for (const bool with_bias : {false, true}) {
    std::vector<int8_t> output(elements(c.output));
    ASSERT_EQ(
        rt::conv2d_int8(int8_params(w, input_zp, output_zp, act_min, act_max), multiplier.data(),
                        shift.data(), c.input, input.data(), c.filter, filter.data(),
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

const ConvCase kConvCases[] = {
    {"valid_1x1", {1, 4, 5, 3}, {6, 1, 1, 3}, 1, 1, 0, 0, {1, 4, 5, 6}},
    {"same_3x3", {1, 5, 6, 4}, {3, 3, 3, 4}, 1, 1, 1, 1, {1, 5, 6, 3}},
    {"same_stride2_even", {1, 6, 6, 2}, {4, 3, 3, 2}, 2, 1, 0, 0, {1, 3, 3, 4}},
    {"same_stride2_odd", {1, 7, 5, 2}, {4, 3, 3, 2}, 2, 1, 1, 1, {1, 4, 3, 4}},
    {"asymmetric_pad", {1, 6, 6, 1}, {2, 4, 2, 1}, 1, 1, 1, 0, {1, 6, 6, 2}},
    {"dilation2", {1, 7, 7, 3}, {2, 3, 3, 3}, 1, 2, 2, 2, {1, 7, 7, 2}},
    {"dilation2_valid", {2, 8, 6, 2}, {3, 2, 2, 2}, 1, 2, 0, 0, {2, 6, 4, 3}},
    {"groups2", {1, 4, 4, 4}, {6, 3, 3, 2}, 1, 1, 1, 1, {1, 4, 4, 6}},
    {"batch3_stride3", {3, 9, 7, 2}, {2, 3, 2, 2}, 3, 1, 0, 0, {3, 3, 2, 2}},
};

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2DInt8Naive, ::testing::ValuesIn(kConvCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(Conv2DInt8Naive, Int16x8MatchesDefinitionForBothBiasTypes) {
  const ConvCase& c = GetParam();
  const auto input = testing::random_int16(elements(c.input), 6);
  const auto filter = testing::random_int8(elements(c.filter), 7, -127, 127);
  const size_t channels = static_cast<size_t>(c.output.c);
  const auto bias32 = testing::random_int32(channels, 8, -3000000, 3000000);
  const std::vector<int64_t> bias64(bias32.begin(), bias32.end());
  const auto multiplier = testing::random_int32(channels, 9, 1 << 30, INT32_MAX);
  const auto shift = testing::random_int32(channels, 10, -20, -16);
  const rt::Conv2DParams params =
      int8_params(window(c.stride, c.dilation, c.pad_h, c.pad_w), 0, 0, -30000, 32767);
  const auto acc = naive_conv_acc(params.window, c.input, input, 0, c.filter, filter, c.output);
  std::vector<int16_t> out64(elements(c.output)), out32(elements(c.output));
  ASSERT_EQ(
      rt::conv2d_int16x8_bias64(params, multiplier.data(), shift.data(), c.input, input.data(),
                                c.filter, filter.data(), bias64.data(), c.output, out64.data()),
      rt::kOk);
  ASSERT_EQ(
      rt::conv2d_int16x8_bias32(params, multiplier.data(), shift.data(), c.input, input.data(),
                                c.filter, filter.data(), bias32.data(), c.output, out32.data()),
      rt::kOk);
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t o = i % channels;
    ASSERT_EQ(out64[i],
              testing::int16_output_64(acc[i] + bias64[o], multiplier[o], shift[o], -30000, 32767))
        << "element " << i;
    ASSERT_EQ(out32[i],
              testing::int16_output_32(acc[i] + bias32[o], multiplier[o], shift[o], -30000, 32767))
        << "element " << i;
  }
}

TEST(Conv2DInt16x8, RejectsOffsetsShiftsAndBiasesItCannotHandle) {
  const std::vector<int16_t> input(4);
  const std::vector<int8_t> filter(4);
  std::vector<int16_t> output(1);
  const int32_t multiplier[] = {kHalf}, shift[] = {0}, big_shift[] = {15};
  const int64_t bias[] = {0}, huge_bias[] = {int64_t{1} << 50};
  auto params = int8_params(window(1, 1, 0, 0), 0, 0, -32768, 32767);
  auto run64 = [&](const rt::Conv2DParams& p, const int32_t* s, const int64_t* b) {
    return rt::conv2d_int16x8_bias64(p, multiplier, s, {1, 2, 2, 1}, input.data(), {1, 2, 2, 1},
                                     filter.data(), b, {1, 1, 1, 1}, output.data());
  };
  EXPECT_EQ(run64(params, shift, bias), rt::kOk);
  EXPECT_EQ(run64(params, big_shift, bias), rt::kBadArgument);
  EXPECT_EQ(run64(params, shift, huge_bias), rt::kBadArgument);
  // The 32-bit variant accepts shifts up to 30.
  EXPECT_EQ(
      rt::conv2d_int16x8_bias32(params, multiplier, big_shift, {1, 2, 2, 1}, input.data(),
                                {1, 2, 2, 1}, filter.data(), nullptr, {1, 1, 1, 1}, output.data()),
      rt::kOk);
  params.input_offset = 1;
  EXPECT_EQ(run64(params, shift, bias), rt::kBadArgument);
}

TEST(Conv2DInt8, RejectsBadArguments) {
  const std::vector<int8_t> input(9), filter(4);
  std::vector<int8_t> output(4);
  const int32_t multiplier[] = {kHalf}, shift[] = {0};
  const auto params = int8_params(window(1, 1, 0, 0), 0, 0);
  auto run = [&](const rt::Conv2DParams& p, const int32_t* s, Shape4 in, Shape4 f, Shape4 out,
                 int8_t* out_data) {
    return rt::conv2d_int8(p, multiplier, s, in, input.data(), f, filter.data(), nullptr, out,
                           out_data);
  };
  EXPECT_EQ(run(params, shift, {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 1}, nullptr),
            rt::kBadArgument);
  // Filter output channels differ from the output's.
  EXPECT_EQ(run(params, shift, {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 2}, output.data()),
            rt::kBadArgument);
  // Input channels not a multiple of the filter's.
  EXPECT_EQ(run(params, shift, {1, 3, 1, 3}, {1, 2, 1, 2}, {1, 2, 1, 1}, output.data()),
            rt::kBadArgument);
  // Zero stride, padding beyond the window, input offset outside the int8 range.
  auto bad = params;
  bad.window.stride_w = 0;
  EXPECT_EQ(run(bad, shift, {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
  bad = params;
  bad.window.pad_h = 2;
  EXPECT_EQ(run(bad, shift, {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
  bad = params;
  bad.input_offset = 129;
  EXPECT_EQ(run(bad, shift, {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
  // A shift the fixed-point multiply cannot do.
  const int32_t bad_shift[] = {-32};
  EXPECT_EQ(run(params, bad_shift, {1, 3, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
  // Empty dimension.
  EXPECT_EQ(run(params, shift, {1, 0, 3, 1}, {1, 2, 2, 1}, {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
}

TEST(Conv2DFloat, HandCheckedWithBiasAndClamp) {
  // Sums 37, 47, 67, 77 plus bias -40, clamped to [-1, 30].
  const std::vector<float> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> filter = {1, 2, 3, 4};
  const float bias[] = {-40.0f};
  std::vector<float> output(4);
  const rt::Conv2DFloatParams params{window(1, 1, 0, 0), -1.0f, 30.0f};
  ASSERT_EQ(rt::conv2d_float(params, {1, 3, 3, 1}, input.data(), {1, 2, 2, 1}, filter.data(), bias,
                             {1, 2, 2, 1}, output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<float>{-1.0f, 7.0f, 27.0f, 30.0f}));
}

class Conv2DFloatNaive : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2DFloatNaive, MatchesDoublePrecisionDefinition) {
  const ConvCase& c = GetParam();
  const auto input = testing::random_float(elements(c.input), 11);
  const auto filter = testing::random_float(elements(c.filter), 12);
  const auto bias = testing::random_float(static_cast<size_t>(c.output.c), 13);
  const rt::Window2D w = window(c.stride, c.dilation, c.pad_h, c.pad_w);
  std::vector<float> output(elements(c.output));
  const rt::Conv2DFloatParams params{w, -2.0f, 2.0f};
  ASSERT_EQ(rt::conv2d_float(params, c.input, input.data(), c.filter, filter.data(), bias.data(),
                             c.output, output.data()),
            rt::kOk);
  const int groups = c.input.c / c.filter.c;
  const int per_group = c.output.c / groups;
  size_t i = 0;
  for (int n = 0; n < c.output.n; ++n)
    for (int y = 0; y < c.output.h; ++y)
      for (int x = 0; x < c.output.w; ++x)
        for (int o = 0; o < c.output.c; ++o, ++i) {
          double sum = bias[static_cast<size_t>(o)];
          for (int ky = 0; ky < c.filter.h; ++ky)
            for (int kx = 0; kx < c.filter.w; ++kx)
              for (int k = 0; k < c.filter.c; ++k) {
                const int iy = y * w.stride_h + ky * w.dilation_h - w.pad_h;
                const int ix = x * w.stride_w + kx * w.dilation_w - w.pad_w;
                if (iy < 0 || iy >= c.input.h || ix < 0 || ix >= c.input.w) continue;
                const int ic = (o / per_group) * c.filter.c + k;
                sum += static_cast<double>(input[static_cast<size_t>(
                           ((n * c.input.h + iy) * c.input.w + ix) * c.input.c + ic)]) *
                       filter[static_cast<size_t>(
                           ((o * c.filter.h + ky) * c.filter.w + kx) * c.filter.c + k)];
              }
          const double expected = sum < -2.0 ? -2.0 : (sum > 2.0 ? 2.0 : sum);
          ASSERT_NEAR(output[i], expected, 1e-5) << "element " << i;
        }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2DFloatNaive, ::testing::ValuesIn(kConvCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Conv2DFloat, RejectsBadArguments) {
  const std::vector<float> input(9), filter(4);
  std::vector<float> output(4);
  const rt::Conv2DFloatParams params{window(1, 1, 0, 0), -1.0f, 1.0f};
  EXPECT_EQ(rt::conv2d_float(params, {1, 3, 3, 1}, nullptr, {1, 2, 2, 1}, filter.data(), nullptr,
                             {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
  EXPECT_EQ(rt::conv2d_float(params, {2, 3, 3, 1}, input.data(), {1, 2, 2, 1}, filter.data(),
                             nullptr, {1, 2, 2, 1}, output.data()),
            rt::kBadArgument);
}

}  // namespace
}  // namespace kiln
