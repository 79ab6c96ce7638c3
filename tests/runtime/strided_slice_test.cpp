#include "runtime/strided_slice.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace kiln::rt {
namespace {

struct Axis {
  int32_t dim, start, stride, count;
};

// Rank-5 params from per-axis (dim, start, stride, count), leading axes padded with unit axes.
StridedSliceParams make_params(const std::vector<Axis>& axes) {
  StridedSliceParams p{};
  const size_t lead = kStridedSliceMaxRank - axes.size();
  for (size_t i = 0; i < kStridedSliceMaxRank; ++i) {
    p.input_shape[i] = 1;
    p.start[i] = 0;
    p.stride[i] = 1;
    p.count[i] = 1;
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    p.input_shape[lead + i] = axes[i].dim;
    p.start[lead + i] = axes[i].start;
    p.stride[lead + i] = axes[i].stride;
    p.count[lead + i] = axes[i].count;
  }
  return p;
}

TEST(StridedSliceInt8, ReversesOneAxis) {
  const StridedSliceParams p = make_params({{5, 4, -1, 5}});
  const std::vector<int8_t> input = {1, 2, 3, 4, 5};
  std::vector<int8_t> output(5);
  ASSERT_EQ(strided_slice_int8(p, input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{5, 4, 3, 2, 1}));
}

TEST(StridedSliceFloat, TwoAxesWithSteps) {
  // 3x4 input holding 10*row + col; rows 2,0 (step -2), columns 1,3 (step 2).
  std::vector<float> input(12);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) input[static_cast<size_t>(r * 4 + c)] = 10.0f * r + c;
  const StridedSliceParams p = make_params({{3, 2, -2, 2}, {4, 1, 2, 2}});
  ASSERT_EQ(strided_slice_output_size(p), 4);
  std::vector<float> output(4);
  ASSERT_EQ(strided_slice_float(p, input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<float>{21, 23, 1, 3}));
}

TEST(StridedSliceInt16, ContiguousRowsAndShrunkAxis) {
  // 2x3x4: take element [1], rows 1..2, all columns (shrunk first axis = count 1).
  std::vector<int16_t> input(24);
  std::iota(input.begin(), input.end(), int16_t{100});
  const StridedSliceParams p = make_params({{2, 1, 1, 1}, {3, 1, 1, 2}, {4, 0, 1, 4}});
  std::vector<int16_t> output(8);
  ASSERT_EQ(strided_slice_int16(p, input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int16_t>{116, 117, 118, 119, 120, 121, 122, 123}));
}

TEST(StridedSliceInt32, FiveDimensionsMatchIndexFormula) {
  const std::vector<Axis> axes = {
      {2, 1, -1, 2}, {3, 0, 2, 2}, {2, 1, 1, 1}, {4, 3, -2, 2}, {3, 0, 1, 3}};
  const StridedSliceParams p = make_params(axes);
  std::vector<int32_t> input(2 * 3 * 2 * 4 * 3);
  std::iota(input.begin(), input.end(), 0);
  std::vector<int32_t> output(static_cast<size_t>(strided_slice_output_size(p)));
  ASSERT_EQ(output.size(), 2u * 2 * 1 * 2 * 3);
  ASSERT_EQ(strided_slice_int32(p, input.data(), output.data()), kOk);
  size_t k = 0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int d = 0; d < 2; ++d)
        for (int e = 0; e < 3; ++e) {
          const int i0 = 1 - a, i1 = 2 * b, i2 = 1, i3 = 3 - 2 * d, i4 = e;
          EXPECT_EQ(output[k++], (((i0 * 3 + i1) * 2 + i2) * 4 + i3) * 3 + i4);
        }
}

TEST(StridedSliceInt8, EmptySliceWritesNothing) {
  const StridedSliceParams p = make_params({{4, 0, 1, 0}});
  int8_t out = 42;
  ASSERT_EQ(strided_slice_int8(p, nullptr, &out), kOk);
  EXPECT_EQ(out, 42);
}

TEST(StridedSliceKernel, RejectsOutOfBoundsWalks) {
  int8_t in[4] = {}, out[8] = {};
  EXPECT_EQ(strided_slice_int8(make_params({{4, 2, 1, 3}}), in, out), kBadArgument);
  EXPECT_EQ(strided_slice_int8(make_params({{4, 1, -1, 3}}), in, out), kBadArgument);
  EXPECT_EQ(strided_slice_int8(make_params({{4, 4, 1, 1}}), in, out), kBadArgument);
  EXPECT_EQ(strided_slice_int8(make_params({{4, 0, 0, 1}}), in, out), kBadArgument);
  EXPECT_EQ(strided_slice_output_size(make_params({{4, -1, 1, 1}})), -1);
}

}  // namespace
}  // namespace kiln::rt
