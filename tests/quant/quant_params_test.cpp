// Quantization parameters on tiny hand-worked cases.
#include "quant/quant_params.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"

namespace kiln::quant {
namespace {

TEST(AsymmetricInt8, ZeroPointFromTheMinimum) {
  // [-1, 3]: scale 4/255; -128 - (-1) / (4/255) = -128 + 63.75 = -64.25 -> -64.
  const ir::Quantization q = asymmetric_int8(-1.0f, 3.0f);
  ASSERT_EQ(q.scale.size(), 1u);
  EXPECT_FLOAT_EQ(q.scale[0], 4.0f / 255.0f);
  EXPECT_EQ(q.zero_point, (std::vector<int64_t>{-64}));
  // [-0.2, 0.8]: scale 1/255; -128 + 0.2 * 255 = -77.
  const ir::Quantization r = asymmetric_int8(-0.2f, 0.8f);
  EXPECT_FLOAT_EQ(r.scale[0], 1.0f / 255.0f);
  EXPECT_EQ(r.zero_point[0], -77);
}

TEST(AsymmetricInt8, RangeIsWidenedToIncludeZero) {
  // [0.5, 2] becomes [0, 2]: 0 maps to -128.
  const ir::Quantization positive = asymmetric_int8(0.5f, 2.0f);
  EXPECT_FLOAT_EQ(positive.scale[0], 2.0f / 255.0f);
  EXPECT_EQ(positive.zero_point[0], -128);
  // [-3, -1] becomes [-3, 0]: 0 maps to 127.
  const ir::Quantization negative = asymmetric_int8(-3.0f, -1.0f);
  EXPECT_FLOAT_EQ(negative.scale[0], 3.0f / 255.0f);
  EXPECT_EQ(negative.zero_point[0], 127);
}

TEST(AsymmetricInt8, SkewedRange) {
  // [-6, 0.5]: scale 6.5/255; -128 + 6 * 255 / 6.5 = -128 + 235.38 = 107.38 -> 107.
  const ir::Quantization q = asymmetric_int8(-6.0f, 0.5f);
  EXPECT_FLOAT_EQ(q.scale[0], 6.5f / 255.0f);
  EXPECT_EQ(q.zero_point[0], 107);
}

TEST(AsymmetricInt8, EmptyRangeKeepsPositiveScaleAndBadRangesThrow) {
  const ir::Quantization q = asymmetric_int8(0.0f, 0.0f);
  EXPECT_GT(q.scale[0], 0.0f);
  EXPECT_EQ(q.zero_point[0], -128);
  EXPECT_THROW(asymmetric_int8(1.0f, -1.0f), Error);
  EXPECT_THROW(asymmetric_int8(0.0f, std::numeric_limits<float>::infinity()), Error);
}

TEST(SymmetricInt8, PerChannelAlongAxisZero) {
  // Shape [2, 3]: channel 0 max |w| = 1.27 -> scale 0.01; channel 1 all zero -> scale 1.
  const std::vector<float> w{0.5f, -1.27f, 0.004f, 0.0f, 0.0f, 0.0f};
  const QuantizedWeights q = quantize_symmetric_int8(w, {2, 3}, 0);
  ASSERT_EQ(q.quant.scale.size(), 2u);
  EXPECT_FLOAT_EQ(q.quant.scale[0], 0.01f);
  EXPECT_FLOAT_EQ(q.quant.scale[1], 1.0f);
  EXPECT_EQ(q.quant.zero_point, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(q.quant.axis, 0);
  EXPECT_EQ(q.values, (std::vector<int8_t>{50, -127, 0, 0, 0, 0}));
}

TEST(SymmetricInt8, PerChannelAlongLastAxis) {
  // Depthwise layout [1, 2, 1, 2]: channels interleave. Channel 0 holds {1, -0.5}, channel 1
  // {0.25, 2}: scales 1/127 and 2/127.
  const std::vector<float> w{1.0f, 0.25f, -0.6f, 2.0f};
  const QuantizedWeights q = quantize_symmetric_int8(w, {1, 2, 1, 2}, 3);
  ASSERT_EQ(q.quant.scale.size(), 2u);
  EXPECT_FLOAT_EQ(q.quant.scale[0], 1.0f / 127.0f);
  EXPECT_FLOAT_EQ(q.quant.scale[1], 2.0f / 127.0f);
  EXPECT_EQ(q.quant.axis, 3);
  // -0.6 * 127 = -76.2 -> -76; 0.25 / (2/127) = 15.875 -> 16.
  EXPECT_EQ(q.values, (std::vector<int8_t>{127, 16, -76, 127}));
}

TEST(SymmetricInt8, PerTensor) {
  const std::vector<float> w{0.1f, -0.25f, 0.4f};
  const QuantizedWeights q = quantize_symmetric_int8(w, {1, 3}, -1);
  ASSERT_EQ(q.quant.scale.size(), 1u);
  EXPECT_FLOAT_EQ(q.quant.scale[0], 0.4f / 127.0f);
  // 0.1 / (0.4/127) = 31.75 -> 32; -0.25 -> -79.375 -> -79.
  EXPECT_EQ(q.values, (std::vector<int8_t>{32, -79, 127}));
}

TEST(AsymmetricConstant, UsesItsOwnRange) {
  // [0.5, 2] widened to [0, 2]: scale 2/255, zero point -128; 0.5 -> 63.75 -> 64 - 128 = -64,
  // 1.1 -> 140.25 -> 140 - 128 = 12.
  const std::vector<float> c{0.5f, 1.1f, 2.0f};
  const QuantizedWeights q = quantize_asymmetric_int8(c);
  EXPECT_FLOAT_EQ(q.quant.scale[0], 2.0f / 255.0f);
  EXPECT_EQ(q.quant.zero_point[0], -128);
  EXPECT_EQ(q.values, (std::vector<int8_t>{-64, 12, 127}));
}

TEST(BiasInt32, ScaleIsInputTimesWeightScale) {
  // Input scale 0.5, weight scales 0.01 and 0.1: bias scales 0.005 and 0.05.
  const std::vector<float> b{1.0f, -0.13f};
  const QuantizedBias q = quantize_bias_int32(b, 0.5f, {0.01f, 0.1f});
  ASSERT_EQ(q.quant.scale.size(), 2u);
  EXPECT_FLOAT_EQ(q.quant.scale[0], 0.005f);
  EXPECT_FLOAT_EQ(q.quant.scale[1], 0.05f);
  EXPECT_EQ(q.quant.zero_point, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(q.values, (std::vector<int32_t>{200, -3}));  // -0.13 / 0.05 = -2.6
  // A per-tensor weight scale gives one bias scale; huge values saturate.
  const std::vector<float> big{1e10f, -1e10f};
  const QuantizedBias s = quantize_bias_int32(big, 1.0f, {1e-3f});
  EXPECT_EQ(s.quant.scale.size(), 1u);
  EXPECT_EQ(s.values, (std::vector<int32_t>{2147483647, -2147483647}));
  EXPECT_THROW(quantize_bias_int32(b, 1.0f, {1.0f, 1.0f, 1.0f}), Error);
}

}  // namespace
}  // namespace kiln::quant
