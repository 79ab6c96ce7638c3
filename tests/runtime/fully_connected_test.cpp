#include "runtime/fully_connected.h"

#include <gtest/gtest.h>

#include <vector>

#include "runtime/conv_test_util.h"

namespace kiln {
namespace {

constexpr int32_t kHalf = 1 << 30;  // with shift 0: multiplier 0.5; with shift 1: 1.0

rt::FullyConnectedParams int8_params(int32_t input_zp, int32_t filter_zp, int32_t output_zp,
                                     bool per_channel, int32_t act_min = -128,
                                     int32_t act_max = 127) {
  return rt::FullyConnectedParams{-input_zp, -filter_zp, output_zp, act_min, act_max, per_channel};
}

TEST(FullyConnectedInt8, HandCheckedPerTensor) {
  // Two batches [1 2 3], [4 5 6] (zero point 1, so real [0 1 2], [3 4 5]) times filter rows
  // [1 0 -1] and [2 2 2] (zero point 0): [-2, 6] and [-2, 24]; plus bias [10, -4]: [8, 2] and
  // [8, 20]; times 0.5: [4, 1] and [4, 10]; plus output zero point -1.
  const std::vector<int8_t> input = {1, 2, 3, 4, 5, 6};
  const std::vector<int8_t> filter = {1, 0, -1, 2, 2, 2};
  const int32_t bias[] = {10, -4};
  const int32_t multiplier[] = {kHalf}, shift[] = {0};
  std::vector<int8_t> output(4);
  ASSERT_EQ(rt::fully_connected_int8(int8_params(1, 0, -1, false), {2, 3, 2}, multiplier, shift,
                                     input.data(), filter.data(), bias, output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{3, 0, 3, 9}));
}

TEST(FullyConnectedInt8, FilterZeroPointIsApplied) {
  // Filter stored as [3 2 1] with zero point 2 is real [1 0 -1]: input [0 1 2] gives -2, times
  // 1.0.
  const std::vector<int8_t> input = {0, 1, 2};
  const std::vector<int8_t> filter = {3, 2, 1};
  const int32_t multiplier[] = {kHalf}, shift[] = {1};
  int8_t output = 0;
  ASSERT_EQ(rt::fully_connected_int8(int8_params(0, 2, 0, false), {1, 3, 1}, multiplier, shift,
                                     input.data(), filter.data(), nullptr, &output),
            rt::kOk);
  EXPECT_EQ(output, -2);
}

TEST(FullyConnectedInt8, MatchesDefinitionPerTensorAndPerChannel) {
  const rt::FullyConnectedDims dims{3, 37, 11};
  const auto input = testing::random_int8(static_cast<size_t>(dims.batches * dims.input_depth), 41);
  const auto filter = testing::random_int8(
      static_cast<size_t>(dims.output_depth * dims.input_depth), 42, -127, 127);
  const auto bias = testing::random_int32(static_cast<size_t>(dims.output_depth), 43, -9000, 9000);
  const auto multiplier =
      testing::random_int32(static_cast<size_t>(dims.output_depth), 44, 1 << 30, INT32_MAX);
  const auto shift = testing::random_int32(static_cast<size_t>(dims.output_depth), 45, -11, -8);
  const int32_t input_zp = -20, output_zp = 7, act_min = -120, act_max = 110;
  for (const bool per_channel : {false, true}) {
    const int32_t filter_zp = per_channel ? 0 : 3;
    std::vector<int8_t> output(static_cast<size_t>(dims.batches * dims.output_depth));
    ASSERT_EQ(rt::fully_connected_int8(
                  int8_params(input_zp, filter_zp, output_zp, per_channel, act_min, act_max), dims,
                  multiplier.data(), shift.data(), input.data(), filter.data(), bias.data(),
                  output.data()),
              rt::kOk);
    for (int b = 0; b < dims.batches; ++b)
      for (int o = 0; o < dims.output_depth; ++o) {
        int64_t acc = bias[static_cast<size_t>(o)];
        for (int d = 0; d < dims.input_depth; ++d)
          acc += static_cast<int64_t>(input[static_cast<size_t>(b * dims.input_depth + d)] -
                                      input_zp) *
                 (filter[static_cast<size_t>(o * dims.input_depth + d)] - filter_zp);
        const size_t q = per_channel ? static_cast<size_t>(o) : 0;
        ASSERT_EQ(output[static_cast<size_t>(b * dims.output_depth + o)],
                  testing::int8_output(acc, multiplier[q], shift[q], output_zp, act_min, act_max))
            << "batch " << b << " channel " << o << (per_channel ? " per-channel" : "");
      }
  }
}

TEST(FullyConnectedInt16x8, MatchesDefinitionForBothBiasTypes) {
  const rt::FullyConnectedDims dims{2, 29, 7};
  const size_t channels = static_cast<size_t>(dims.output_depth);
  const auto input =
      testing::random_int16(static_cast<size_t>(dims.batches * dims.input_depth), 46);
  const auto filter = testing::random_int8(channels * static_cast<size_t>(dims.input_depth), 47);
  const auto bias32 = testing::random_int32(channels, 48, -1000000, 1000000);
  const std::vector<int64_t> bias64(bias32.begin(), bias32.end());
  const auto multiplier = testing::random_int32(channels, 49, 1 << 30, INT32_MAX);
  const auto shift = testing::random_int32(channels, 50, -18, -14);
  for (const bool per_channel : {false, true}) {
    const int32_t filter_zp = per_channel ? 0 : -5;
    const auto params = int8_params(0, filter_zp, 0, per_channel, -32768, 32767);
    std::vector<int16_t> out64(static_cast<size_t>(dims.batches) * channels), out32(out64.size());
    ASSERT_EQ(rt::fully_connected_int16x8_bias64(params, dims, multiplier.data(), shift.data(),
                                                 input.data(), filter.data(), bias64.data(),
                                                 out64.data()),
              rt::kOk);
    ASSERT_EQ(rt::fully_connected_int16x8_bias32(params, dims, multiplier.data(), shift.data(),
                                                 input.data(), filter.data(), bias32.data(),
                                                 out32.data()),
              rt::kOk);
    for (int b = 0; b < dims.batches; ++b)
      for (int o = 0; o < dims.output_depth; ++o) {
        int64_t acc = bias64[static_cast<size_t>(o)];
        for (int d = 0; d < dims.input_depth; ++d)
          acc += static_cast<int64_t>(input[static_cast<size_t>(b * dims.input_depth + d)]) *
                 (filter[static_cast<size_t>(o * dims.input_depth + d)] - filter_zp);
        const size_t q = per_channel ? static_cast<size_t>(o) : 0;
        const size_t i = static_cast<size_t>(b * dims.output_depth + o);
        ASSERT_EQ(out64[i], testing::int16_output_64(acc, multiplier[q], shift[q], -32768, 32767));
        ASSERT_EQ(out32[i], testing::int16_output_32(acc, multiplier[q], shift[q], -32768, 32767));
      }
  }
}

TEST(FullyConnectedInt8, RejectsBadArguments) {
  const std::vector<int8_t> input(6), filter(6);
  std::vector<int8_t> output(4);
  const int32_t multiplier[] = {kHalf, kHalf}, shift[] = {0, 0}, bad_shift[] = {0, 31};
  auto run = [&](const rt::FullyConnectedParams& p, rt::FullyConnectedDims d, const int32_t* s,
                 const int8_t* in) {
    return rt::fully_connected_int8(p, d, multiplier, s, in, filter.data(), nullptr, output.data());
  };
  EXPECT_EQ(run(int8_params(0, 0, 0, true), {2, 3, 2}, shift, input.data()), rt::kOk);
  EXPECT_EQ(run(int8_params(0, 0, 0, true), {2, 3, 2}, shift, nullptr), rt::kBadArgument);
  EXPECT_EQ(run(int8_params(0, 0, 0, true), {0, 3, 2}, shift, input.data()), rt::kBadArgument);
  EXPECT_EQ(run(int8_params(0, -129, 0, true), {2, 3, 2}, shift, input.data()), rt::kBadArgument);
  // Only the entries in use are checked: channel 1's bad shift matters per channel only.
  EXPECT_EQ(run(int8_params(0, 0, 0, false), {2, 3, 2}, bad_shift, input.data()), rt::kOk);
  EXPECT_EQ(run(int8_params(0, 0, 0, true), {2, 3, 2}, bad_shift, input.data()), rt::kBadArgument);
}

TEST(FullyConnectedFloat, HandCheckedAndClamped) {
  // [0 1 2] . [1 0 -1] = -2, . [2 2 2] = 6; plus bias [0.5, 1]: [-1.5, 7] clamped to [-1, 6].
  const std::vector<float> input = {0, 1, 2};
  const std::vector<float> filter = {1, 0, -1, 2, 2, 2};
  const float bias[] = {0.5f, 1.0f};
  std::vector<float> output(2);
  ASSERT_EQ(rt::fully_connected_float({-1.0f, 6.0f}, {1, 3, 2}, input.data(), filter.data(), bias,
                                      output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<float>{-1.0f, 6.0f}));
  ASSERT_EQ(rt::fully_connected_float({-100.0f, 100.0f}, {1, 3, 2}, input.data(), filter.data(),
                                      nullptr, output.data()),
            rt::kOk);
  EXPECT_EQ(output, (std::vector<float>{-2.0f, 6.0f}));
}

TEST(FullyConnectedFloat, SumsInOrderLikeTheReference) {
  // 1e8 + 1 - 1e8 in float is 0 when summed left to right (1e8 + 1 rounds back to 1e8); any
  // other order would give 1.
  const std::vector<float> input = {1e8f, 1.0f, -1e8f};
  const std::vector<float> filter = {1.0f, 1.0f, 1.0f};
  float output = -1.0f;
  ASSERT_EQ(rt::fully_connected_float({-1e9f, 1e9f}, {1, 3, 1}, input.data(), filter.data(),
                                      nullptr, &output),
            rt::kOk);
  EXPECT_EQ(output, 0.0f);
}

TEST(FullyConnectedFloat, MatchesDoublePrecisionDefinition) {
  const rt::FullyConnectedDims dims{2, 50, 9};
  const auto input =
      testing::random_float(static_cast<size_t>(dims.batches * dims.input_depth), 51);
  const auto filter =
      testing::random_float(static_cast<size_t>(dims.output_depth * dims.input_depth), 52);
  const auto bias = testing::random_float(static_cast<size_t>(dims.output_depth), 53);
  std::vector<float> output(static_cast<size_t>(dims.batches * dims.output_depth));
  ASSERT_EQ(rt::fully_connected_float({-3.0f, 3.0f}, dims, input.data(), filter.data(), bias.data(),
                                      output.data()),
            rt::kOk);
  for (int b = 0; b < dims.batches; ++b)
    for (int o = 0; o < dims.output_depth; ++o) {
      double sum = bias[static_cast<size_t>(o)];
      for (int d = 0; d < dims.input_depth; ++d)
        sum += static_cast<double>(input[static_cast<size_t>(b * dims.input_depth + d)]) *
               filter[static_cast<size_t>(o * dims.input_depth + d)];
      const double expected = sum < -3.0 ? -3.0 : (sum > 3.0 ? 3.0 : sum);
      EXPECT_NEAR(output[static_cast<size_t>(b * dims.output_depth + o)], expected, 1e-5);
    }
}

}  // namespace
}  // namespace kiln
