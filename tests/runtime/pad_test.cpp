#include "runtime/pad.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln::rt {
namespace {

// Rank-5 params from a lower-rank shape and (before, after) pairs.
PadParams make_params(const std::vector<int32_t>& shape, const std::vector<int32_t>& pads) {
  PadParams p{};
  const size_t lead = kPadMaxRank - shape.size();
  for (size_t i = 0; i < kPadMaxRank; ++i) p.input_shape[i] = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    p.input_shape[lead + i] = shape[i];
    p.before[lead + i] = pads[2 * i];
    p.after[lead + i] = pads[2 * i + 1];
  }
  return p;
}

// Element-by-element definition: an output element is the pad value if any coordinate lies in
// a padded band, else the input element at the coordinate minus the front padding.
template <typename T>
std::vector<T> naive_pad(const PadParams& p, const std::vector<T>& input, T pad_value) {
  int32_t out_dims[kPadMaxRank];
  int32_t total = 1;
  for (int i = 0; i < kPadMaxRank; ++i) {
    out_dims[i] = p.input_shape[i] + p.before[i] + p.after[i];
    total *= out_dims[i];
  }
  std::vector<T> out(static_cast<size_t>(total));
  for (int32_t flat = 0; flat < total; ++flat) {
    int32_t rest = flat, coord[kPadMaxRank];
    for (int i = kPadMaxRank - 1; i >= 0; --i) {
      coord[i] = rest % out_dims[i];
      rest /= out_dims[i];
    }
    bool inside = true;
    int32_t in_flat = 0;
    for (int i = 0; i < kPadMaxRank; ++i) {
      const int32_t c = coord[i] - p.before[i];
      if (c < 0 || c >= p.input_shape[i]) inside = false;
      in_flat = in_flat * p.input_shape[i] + c;
    }
    out[static_cast<size_t>(flat)] = inside ? input[static_cast<size_t>(in_flat)] : pad_value;
  }
  return out;
}

TEST(PadInt8, HandChecked2DWithZeroPoint) {
  // [[1, 2], [3, 4]] padded by one row above, one column left and two right, value -5.
  const PadParams p = make_params({2, 2}, {1, 0, 1, 2});
  ASSERT_EQ(pad_output_size(p), 3 * 5);
  const std::vector<int8_t> input = {1, 2, 3, 4};
  std::vector<int8_t> output(15, 0);
  ASSERT_EQ(pad_int8(p, input.data(), -5, output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{-5, -5, -5, -5, -5,  //
                                         -5, 1, 2, -5, -5,    //
                                         -5, 3, 4, -5, -5}));
}

TEST(PadInt8, FiveDimensionsMatchElementwiseDefinition) {
  const PadParams p = make_params({2, 1, 3, 2, 2}, {1, 0, 0, 2, 1, 1, 0, 1, 2, 1});
  std::vector<int8_t> input(24);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<int8_t>(i * 7 - 60);
  std::vector<int8_t> output(static_cast<size_t>(pad_output_size(p)));
  ASSERT_EQ(pad_int8(p, input.data(), 33, output.data()), kOk);
  EXPECT_EQ(output, naive_pad<int8_t>(p, input, 33));
}

TEST(PadFloat, FourDimensionsImageStyle) {
  const PadParams p = make_params({1, 2, 3, 2}, {0, 0, 1, 1, 2, 0, 0, 0});
  std::vector<float> input(12);
  for (size_t i = 0; i < input.size(); ++i) input[i] = 0.5f * static_cast<float>(i) - 2.0f;
  std::vector<float> output(static_cast<size_t>(pad_output_size(p)));
  ASSERT_EQ(output.size(), 1u * 4 * 5 * 2);
  ASSERT_EQ(pad_float(p, input.data(), 0.0f, output.data()), kOk);
  EXPECT_EQ(output, naive_pad<float>(p, input, 0.0f));
}

TEST(PadInt16AndInt32, OneDimension) {
  const PadParams p = make_params({3}, {2, 1});
  const std::vector<int16_t> in16 = {-300, 7, 30000};
  std::vector<int16_t> out16(6);
  ASSERT_EQ(pad_int16(p, in16.data(), 0, out16.data()), kOk);
  EXPECT_EQ(out16, (std::vector<int16_t>{0, 0, -300, 7, 30000, 0}));
  const std::vector<int32_t> in32 = {1 << 20, -1, 5};
  std::vector<int32_t> out32(6);
  ASSERT_EQ(pad_int32(p, in32.data(), 9, out32.data()), kOk);
  EXPECT_EQ(out32, (std::vector<int32_t>{9, 9, 1 << 20, -1, 5, 9}));
}

TEST(PadInt8, EmptyInputAxisGivesAllPadding) {
  const PadParams p = make_params({0, 2}, {1, 1, 0, 0});
  std::vector<int8_t> output(4, 0);
  ASSERT_EQ(pad_int8(p, nullptr, 3, output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{3, 3, 3, 3}));
}

TEST(PadKernel, RejectsNegativePaddingAndShapes) {
  int8_t in[4] = {}, out[16] = {};
  PadParams p = make_params({2, 2}, {1, 1, 1, 1});
  p.before[4] = -1;
  EXPECT_EQ(pad_int8(p, in, 0, out), kBadArgument);
  EXPECT_EQ(pad_output_size(p), -1);
  p = make_params({2, 2}, {0, 0, 0, 0});
  p.input_shape[0] = -3;
  EXPECT_EQ(pad_int8(p, in, 0, out), kBadArgument);
  p = make_params({2, 2}, {0, 0, 0, 0});
  EXPECT_EQ(pad_int8(p, nullptr, 0, out), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
