// The float convolution-family kernels must equal, bit for bit, a float sum taken in the
// reference's order (per output: filter rows, then columns, then input channels; bias added
// last, then the clamp), because host and device results have to agree exactly. The expected
// values here are computed with one rounded product and one rounded addition per term, in that
// order, over many shapes (channel counts that are not multiples of the kernels' blocking,
// padding on every side, strides, dilations, groups, depth multipliers, batches, no bias).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/conv2d.h"
#include "runtime/conv_test_util.h"
#include "runtime/depthwise_conv2d.h"
#include "runtime/fully_connected.h"

namespace kiln {
namespace {

using rt::Shape4;
using testing::elements;

// acc + a * b with the product rounded to float first (volatile: no fused multiply-add).
float add_product(float acc, float a, float b) {
  volatile float product = a * b;
  return acc + product;
}

float clamp(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// Bitwise equality, reporting the first differing element.
void expect_bits_equal(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    uint32_t a, b;
    std::memcpy(&a, &got[i], 4);
    std::memcpy(&b, &want[i], 4);
    ASSERT_EQ(a, b) << "element " << i << ": " << got[i] << " vs " << want[i];
  }
}

rt::Window2D window(int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h,
                    int pad_w) {
  return rt::Window2D{stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w};
}

struct ConvShape {
  const char* name;
  Shape4 input;
  Shape4 filter;  // [C_out, KH, KW, C_in / groups]
  rt::Window2D win;
  Shape4 output;
};

const ConvShape kConvShapes[] = {
    {"pointwise_64", {1, 3, 4, 64}, {64, 1, 1, 64}, window(1, 1, 1, 1, 0, 0), {1, 3, 4, 64}},
    {"pointwise_odd_channels",
     {1, 2, 3, 13},
     {7, 1, 1, 13},
     window(1, 1, 1, 1, 0, 0),
     {1, 2, 3, 7}},
    {"kws_first_layer", {1, 13, 10, 1}, {9, 10, 4, 1}, window(2, 2, 1, 1, 4, 1), {1, 7, 5, 9}},
    {"same_3x3_c8", {1, 6, 7, 8}, {6, 3, 3, 8}, window(1, 1, 1, 1, 1, 1), {1, 6, 7, 6}},
    {"stride2_c3", {2, 9, 8, 3}, {5, 3, 3, 3}, window(2, 2, 1, 1, 1, 0), {2, 5, 4, 5}},
    {"wide_pad", {1, 4, 4, 2}, {4, 5, 5, 2}, window(1, 1, 1, 1, 2, 2), {1, 4, 4, 4}},
    {"dilation_h2_w3", {1, 9, 10, 3}, {5, 3, 3, 3}, window(1, 1, 2, 3, 2, 3), {1, 9, 10, 5}},
    {"groups2", {1, 5, 5, 6}, {8, 3, 3, 3}, window(1, 1, 1, 1, 1, 1), {1, 5, 5, 8}},
    {"groups3_uneven_block", {1, 4, 4, 6}, {9, 2, 2, 2}, window(1, 1, 1, 1, 1, 0), {1, 4, 4, 9}},
    {"single_output_channel", {1, 5, 5, 4}, {1, 3, 3, 4}, window(1, 1, 1, 1, 1, 1), {1, 5, 5, 1}},
};

std::vector<float> conv_in_order(const ConvShape& c, const std::vector<float>& input,
                                 const std::vector<float>& filter, const float* bias, float lo,
                                 float hi) {
  const int groups = c.input.c / c.filter.c;
  const int per_group = c.output.c / groups;
  std::vector<float> out(elements(c.output));
  size_t i = 0;
  for (int n = 0; n < c.output.n; ++n)
    for (int y = 0; y < c.output.h; ++y)
      for (int x = 0; x < c.output.w; ++x)
        for (int o = 0; o < c.output.c; ++o, ++i) {
          float acc = 0.0f;
          for (int ky = 0; ky < c.filter.h; ++ky)
            for (int kx = 0; kx < c.filter.w; ++kx) {
              const int iy = y * c.win.stride_h - c.win.pad_h + ky * c.win.dilation_h;
              const int ix = x * c.win.stride_w - c.win.pad_w + kx * c.win.dilation_w;
              if (iy < 0 || iy >= c.input.h || ix < 0 || ix >= c.input.w) continue;
              for (int k = 0; k < c.filter.c; ++k) {
                const int ic = (o / per_group) * c.filter.c + k;
                acc = add_product(acc,
                                  input[static_cast<size_t>(
                                      ((n * c.input.h + iy) * c.input.w + ix) * c.input.c + ic)],
                                  filter[static_cast<size_t>(
                                      ((o * c.filter.h + ky) * c.filter.w + kx) * c.filter.c + k)]);
              }
            }
          out[i] = clamp(acc + (bias ? bias[o] : 0.0f), lo, hi);
        }
  return out;
}

class Conv2DFloatOrder : public ::testing::TestWithParam<ConvShape> {};

TEST_P(Conv2DFloatOrder, BitExactWithInOrderFloatSum) {
  const ConvShape& c = GetParam();
  // Wide value range so that a different summation order would change low bits.
  const auto input = testing::random_float(elements(c.input), 101, -4.0f, 4.0f);
  const auto filter = testing::random_float(elements(c.filter), 102, -3.0f, 3.0f);
  const auto bias = testing::random_float(static_cast<size_t>(c.output.c), 103);
  for (const bool with_bias : {true, false}) {
    const float* b = with_bias ? bias.data() : nullptr;
    const rt::Conv2DFloatParams params{c.win, -20.0f, 15.0f};
    std::vector<float> output(elements(c.output));
    ASSERT_EQ(rt::conv2d_float(params, c.input, input.data(), c.filter, filter.data(), b, c.output,
                               output.data()),
              rt::kOk);
    expect_bits_equal(output, conv_in_order(c, input, filter, b, -20.0f, 15.0f));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2DFloatOrder, ::testing::ValuesIn(kConvShapes),
                         [](const auto& info) { return std::string(info.param.name); });

struct DepthwiseShape {
  const char* name;
  Shape4 input;
  int kernel_h, kernel_w, multiplier;
  rt::Window2D win;
  Shape4 output;
};

const DepthwiseShape kDepthwiseShapes[] = {
    {"kws_3x3_c64", {1, 6, 5, 64}, 3, 3, 1, window(1, 1, 1, 1, 1, 1), {1, 6, 5, 64}},
    {"odd_channels", {1, 5, 6, 7}, 3, 3, 1, window(1, 1, 1, 1, 1, 1), {1, 5, 6, 7}},
    {"stride2_pad_after", {2, 8, 7, 12}, 3, 3, 1, window(2, 2, 1, 1, 0, 1), {2, 4, 4, 12}},
    {"wide_5x4", {1, 4, 5, 6}, 5, 4, 1, window(1, 1, 1, 1, 2, 1), {1, 4, 5, 6}},
    {"multiplier3", {1, 5, 4, 5}, 3, 3, 3, window(1, 1, 1, 1, 1, 1), {1, 5, 4, 15}},
    {"dilation2", {1, 7, 7, 4}, 3, 3, 1, window(1, 1, 2, 2, 2, 2), {1, 7, 7, 4}},
    {"one_channel", {1, 9, 8, 1}, 4, 3, 1, window(2, 1, 1, 1, 1, 1), {1, 5, 8, 1}},
};

std::vector<float> depthwise_in_order(const DepthwiseShape& c, const std::vector<float>& input,
                                      const std::vector<float>& filter, const float* bias, float lo,
                                      float hi) {
  std::vector<float> out(elements(c.output));
  size_t i = 0;
  for (int n = 0; n < c.output.n; ++n)
    for (int y = 0; y < c.output.h; ++y)
      for (int x = 0; x < c.output.w; ++x)
        for (int o = 0; o < c.output.c; ++o, ++i) {
          float acc = 0.0f;
          for (int ky = 0; ky < c.kernel_h; ++ky)
            for (int kx = 0; kx < c.kernel_w; ++kx) {
              const int iy = y * c.win.stride_h - c.win.pad_h + ky * c.win.dilation_h;
              const int ix = x * c.win.stride_w - c.win.pad_w + kx * c.win.dilation_w;
              if (iy < 0 || iy >= c.input.h || ix < 0 || ix >= c.input.w) continue;
              acc = add_product(
                  acc,
                  input[static_cast<size_t>(((n * c.input.h + iy) * c.input.w + ix) * c.input.c +
                                            o / c.multiplier)],
                  filter[static_cast<size_t>((ky * c.kernel_w + kx) * c.output.c + o)]);
            }
          out[i] = clamp(acc + (bias ? bias[o] : 0.0f), lo, hi);
        }
  return out;
}

class DepthwiseConv2DFloatOrder : public ::testing::TestWithParam<DepthwiseShape> {};

TEST_P(DepthwiseConv2DFloatOrder, BitExactWithInOrderFloatSum) {
  const DepthwiseShape& c = GetParam();
  const Shape4 filter_shape{1, c.kernel_h, c.kernel_w, c.output.c};
  const auto input = testing::random_float(elements(c.input), 111, -4.0f, 4.0f);
  const auto filter = testing::random_float(elements(filter_shape), 112, -3.0f, 3.0f);
  const auto bias = testing::random_float(static_cast<size_t>(c.output.c), 113);
  for (const bool with_bias : {true, false}) {
    const float* b = with_bias ? bias.data() : nullptr;
    const rt::DepthwiseConv2DFloatParams params{c.win, c.multiplier, -6.0f, 5.0f};
    std::vector<float> output(elements(c.output));
    ASSERT_EQ(rt::depthwise_conv2d_float(params, c.input, input.data(), filter_shape, filter.data(),
                                         b, c.output, output.data()),
              rt::kOk);
    expect_bits_equal(output, depthwise_in_order(c, input, filter, b, -6.0f, 5.0f));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, DepthwiseConv2DFloatOrder, ::testing::ValuesIn(kDepthwiseShapes),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FullyConnectedFloatOrder, BitExactWithInOrderFloatSum) {
  // Output counts around the kernels' blocking, several input depths and batches.
  for (const int outputs : {1, 3, 4, 5, 8, 11}) {
    for (const int depth : {1, 2, 7, 64}) {
      SCOPED_TRACE(std::to_string(outputs) + " outputs, depth " + std::to_string(depth));
      const rt::FullyConnectedDims dims{3, depth, outputs};
      const auto input =
          testing::random_float(static_cast<size_t>(dims.batches * depth), 121, -4.0f, 4.0f);
      const auto filter =
          testing::random_float(static_cast<size_t>(outputs * depth), 122, -3.0f, 3.0f);
      const auto bias = testing::random_float(static_cast<size_t>(outputs), 123);
      for (const bool with_bias : {true, false}) {
        const float* b = with_bias ? bias.data() : nullptr;
        std::vector<float> output(static_cast<size_t>(dims.batches * outputs));
        ASSERT_EQ(rt::fully_connected_float({-9.0f, 8.0f}, dims, input.data(), filter.data(), b,
                                            output.data()),
                  rt::kOk);
        std::vector<float> expected(output.size());
        for (int n = 0; n < dims.batches; ++n)
          for (int o = 0; o < outputs; ++o) {
            float acc = 0.0f;
            for (int d = 0; d < depth; ++d)
              acc = add_product(acc, input[static_cast<size_t>(n * depth + d)],
                                filter[static_cast<size_t>(o * depth + d)]);
            expected[static_cast<size_t>(n * outputs + o)] =
                clamp(acc + (b ? b[o] : 0.0f), -9.0f, 8.0f);
          }
        expect_bits_equal(output, expected);
      }
    }
  }
}

}  // namespace
}  // namespace kiln
