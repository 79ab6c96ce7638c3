#include "runtime/relu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "exec/prepare_util.h"

namespace kiln::rt {
namespace {

ReluQuantizedParams relu_params(int32_t size, float in_scale, int32_t in_zp, float out_scale,
                                int32_t out_zp, int32_t type_min, int32_t type_max) {
  ReluQuantizedParams p{};
  p.size = size;
  p.input_zero_point = in_zp;
  p.output_zero_point = out_zp;
  int shift = 0;
  exec::quantize_multiplier(static_cast<double>(in_scale) / out_scale, &p.output_multiplier,
                            &shift);
  p.output_shift = shift;
  p.activation_min = std::max(type_min, out_zp);
  p.activation_max = type_max;
  return p;
}

// Rounds half away from zero: num / 2^bits.
int64_t round_shift(int64_t num, int bits) {
  if (bits == 0) return num;
  const int64_t half = int64_t{1} << (bits - 1);
  return num >= 0 ? (num + half) >> bits : -((-num + half) >> bits);
}

// The documented requantization, written independently: the Q31 mantissa multiply rounded to
// nearest with ties upwards (the doubling high multiply's nudge), then the power-of-two
// division rounded half away from zero.
int32_t expected_relu(int32_t q, const ReluQuantizedParams& p) {
  const int64_t x = static_cast<int64_t>(q - p.input_zero_point) *
                    (p.output_shift > 0 ? (int64_t{1} << p.output_shift) : 1);
  const int64_t high = (x * p.output_multiplier + (int64_t{1} << 30)) >> 31;
  const int64_t v =
      p.output_zero_point + round_shift(high, p.output_shift > 0 ? 0 : -p.output_shift);
  return static_cast<int32_t>(
      std::min<int64_t>(std::max<int64_t>(v, p.activation_min), p.activation_max));
}

TEST(ReluInt8, HandCheckedRequantization) {
  // in: real = 0.5 * (q + 10); out: q = real / 0.25 + 5, clamped below at quantized 0 (= 5).
  const ReluQuantizedParams p = relu_params(5, 0.5f, -10, 0.25f, 5, -128, 127);
  const std::vector<int8_t> input = {-10, -20, 0, 3, 100};
  std::vector<int8_t> output(5);
  ASSERT_EQ(relu_int8(p, input.data(), output.data()), kOk);
  // -10 -> real 0 -> 5; -20 -> real -5 -> 5; 0 -> real 5 -> 25; 3 -> real 6.5 -> 31;
  // 100 -> real 55 -> 225, saturates to 127.
  EXPECT_EQ(output, (std::vector<int8_t>{5, 5, 25, 31, 127}));
}

TEST(ReluInt8, ShrinkingScaleRoundsHalfAwayFromZero) {
  // Ratio 0.5: q - zp = 3 gives 1.5 -> 2, and -3 is below zero -> zero point.
  const ReluQuantizedParams p = relu_params(3, 0.1f, 0, 0.2f, -128, -128, 127);
  const std::vector<int8_t> input = {3, 5, -3};
  std::vector<int8_t> output(3);
  ASSERT_EQ(relu_int8(p, input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{-128 + 2, -128 + 3, -128}));
}

TEST(ReluInt8, AllInputsMatchIndependentFormula) {
  const float scales[][2] = {{0.0235f, 0.0117f}, {0.05f, 0.13f}, {0.3f, 0.007f}, {1.0f, 1.0f}};
  const int32_t zero_points[][2] = {{-128, -128}, {7, -3}, {0, 20}, {-1, 0}};
  for (int c = 0; c < 4; ++c) {
    const ReluQuantizedParams p = relu_params(256, scales[c][0], zero_points[c][0], scales[c][1],
                                              zero_points[c][1], -128, 127);
    std::vector<int8_t> input(256), output(256);
    for (int i = 0; i < 256; ++i) input[i] = static_cast<int8_t>(i - 128);
    ASSERT_EQ(relu_int8(p, input.data(), output.data()), kOk);
    for (int i = 0; i < 256; ++i) {
      ASSERT_EQ(output[i], expected_relu(input[i], p)) << "case " << c << " input " << i - 128;
      // Sanity against plain real arithmetic (at most one step off after double rounding).
      const double real =
          std::max(0.0, static_cast<double>(scales[c][0]) * (input[i] - zero_points[c][0]));
      const double ideal = std::min(127.0, zero_points[c][1] + real / scales[c][1]);
      EXPECT_LE(std::abs(output[i] - ideal), 1.0) << "case " << c << " input " << i - 128;
    }
  }
}

TEST(ReluInt16, SymmetricRequantization) {
  const ReluQuantizedParams p = relu_params(4, 0.001f, 0, 0.002f, 0, -32768, 32767);
  const std::vector<int16_t> input = {-1000, 0, 1001, 32767};
  std::vector<int16_t> output(4);
  ASSERT_EQ(relu_int16(p, input.data(), output.data()), kOk);
  // Halving: 1001 -> 500.5 -> 501; 32767 -> 16383.5 -> 16384.
  EXPECT_EQ(output, (std::vector<int16_t>{0, 0, 501, 16384}));
}

TEST(Relu6Int8, ClampsBetweenZeroPointAndQuantizedSix) {
  // scale 0.05, zp -100: six -> -100 + 120 = 20.
  const Relu6QuantizedParams p{5, -100, 20};
  const std::vector<int8_t> input = {-128, -100, -99, 20, 127};
  std::vector<int8_t> output(5);
  ASSERT_EQ(relu6_int8(p, input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{-100, -100, -99, 20, 20}));
}

TEST(Relu6Int16, Clamps) {
  const Relu6QuantizedParams p{3, 0, 6000};
  const std::vector<int16_t> input = {-5, 5999, 7000};
  std::vector<int16_t> output(3);
  ASSERT_EQ(relu6_int16(p, input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int16_t>{0, 5999, 6000}));
}

TEST(ReluFloat, ClampsAtZeroAndSix) {
  const std::vector<float> input = {-2.5f, -0.0f, 0.25f, 5.9f, 6.0f, 100.0f};
  std::vector<float> relu(6), relu6(6);
  ASSERT_EQ(relu_float(6, input.data(), relu.data()), kOk);
  ASSERT_EQ(relu6_float(6, input.data(), relu6.data()), kOk);
  EXPECT_EQ(relu, (std::vector<float>{0.0f, -0.0f, 0.25f, 5.9f, 6.0f, 100.0f}));
  EXPECT_EQ(relu6, (std::vector<float>{0.0f, -0.0f, 0.25f, 5.9f, 6.0f, 6.0f}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float out = 0.0f;
  ASSERT_EQ(relu_float(1, &nan, &out), kOk);
  EXPECT_TRUE(std::isnan(out));  // NaN propagates as in the reference comparison
}

TEST(ReluKernels, RejectBadParameters) {
  int8_t in = 0, out = 0;
  ReluQuantizedParams p = relu_params(1, 1.0f, 0, 1.0f, 0, -128, 127);
  p.activation_max = 200;
  EXPECT_EQ(relu_int8(p, &in, &out), kBadArgument);
  p = relu_params(1, 1.0f, 0, 1.0f, 0, -128, 127);
  p.output_shift = 40;
  EXPECT_EQ(relu_int8(p, &in, &out), kBadArgument);
  p.output_shift = 0;
  p.size = -1;
  EXPECT_EQ(relu_int8(p, &in, &out), kBadArgument);
  EXPECT_EQ(relu6_int8(Relu6QuantizedParams{1, 10, 5}, &in, &out), kBadArgument);
  EXPECT_EQ(relu6_int8(Relu6QuantizedParams{1, 0, 300}, &in, &out), kBadArgument);
  EXPECT_EQ(relu_float(1, nullptr, nullptr), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
