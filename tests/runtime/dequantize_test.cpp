#include "runtime/dequantize.h"

#include <gtest/gtest.h>

namespace kiln::rt {
namespace {

TEST(Dequantize, Int8ScaleTimesCentredValue) {
  const DequantizeParams p{4, 0.5f, -3};
  const int8_t in[] = {-3, -128, 127, 0};
  float out[4];
  ASSERT_EQ(dequantize_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], -62.5f);
  EXPECT_EQ(out[2], 65.0f);
  EXPECT_EQ(out[3], 1.5f);
}

TEST(Dequantize, Int16AndUint8) {
  const DequantizeParams p16{2, 1.0f / 32768, 0};
  const int16_t in16[] = {16384, -32768};
  float out[2];
  ASSERT_EQ(dequantize_int16(p16, in16, out), kOk);
  EXPECT_EQ(out[0], 0.5f);
  EXPECT_EQ(out[1], -1.0f);
  const DequantizeParams p8{2, 0.25f, 128};
  const uint8_t in8[] = {0, 255};
  ASSERT_EQ(dequantize_uint8(p8, in8, out), kOk);
  EXPECT_EQ(out[0], -32.0f);
  EXPECT_EQ(out[1], 31.75f);
}

TEST(Dequantize, SingleRoundingInFloat) {
  // The product is rounded once to float: compare with float arithmetic directly.
  const float scale = 0.0123456f;
  const DequantizeParams p{1, scale, 5};
  const int8_t in[] = {-77};
  float out[1];
  ASSERT_EQ(dequantize_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], scale * static_cast<float>(-82));
}

TEST(Dequantize, RejectsMissingBuffers) {
  const DequantizeParams p{1, 1.0f, 0};
  float out[1];
  EXPECT_EQ(dequantize_int8(p, nullptr, out), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
