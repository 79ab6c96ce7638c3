#include "runtime/concatenation.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln::rt {
namespace {

TEST(ConcatenationInt8, LastAxis) {
  // [2x2] and [2x3] along axis 1 -> [2x5].
  const std::vector<int8_t> a = {1, 2, 3, 4}, b = {-1, -2, -3, -4, -5, -6};
  const int8_t* inputs[] = {a.data(), b.data()};
  ConcatenationParams p{};
  p.num_inputs = 2;
  p.outer_size = 2;
  p.inner_size = 1;
  p.axis_sizes[0] = 2;
  p.axis_sizes[1] = 3;
  std::vector<int8_t> out(10);
  ASSERT_EQ(concatenation_int8(p, inputs, out.data()), kOk);
  EXPECT_EQ(out, (std::vector<int8_t>{1, 2, -1, -2, -3, 3, 4, -4, -5, -6}));
}

TEST(ConcatenationFloat, MiddleAxisOfThreeInputs) {
  // Shapes [2x1x2], [2x2x2], [2x1x2] along axis 1 -> [2x4x2].
  const std::vector<float> a = {1, 2, 3, 4}, b = {10, 11, 12, 13, 14, 15, 16, 17},
                           c = {-1, -2, -3, -4};
  const float* inputs[] = {a.data(), b.data(), c.data()};
  ConcatenationParams p{};
  p.num_inputs = 3;
  p.outer_size = 2;
  p.inner_size = 2;
  p.axis_sizes[0] = 1;
  p.axis_sizes[1] = 2;
  p.axis_sizes[2] = 1;
  std::vector<float> out(16);
  ASSERT_EQ(concatenation_float(p, inputs, out.data()), kOk);
  EXPECT_EQ(out, (std::vector<float>{1, 2, 10, 11, 12, 13, -1, -2,  //
                                     3, 4, 14, 15, 16, 17, -3, -4}));
}

TEST(ConcatenationInt16AndInt32, FirstAxisIsAppend) {
  const std::vector<int16_t> a = {1, 2}, b = {3, 4, 5, 6};
  const int16_t* in16[] = {a.data(), b.data()};
  ConcatenationParams p{};
  p.num_inputs = 2;
  p.outer_size = 1;
  p.inner_size = 2;
  p.axis_sizes[0] = 1;
  p.axis_sizes[1] = 2;
  std::vector<int16_t> out16(6);
  ASSERT_EQ(concatenation_int16(p, in16, out16.data()), kOk);
  EXPECT_EQ(out16, (std::vector<int16_t>{1, 2, 3, 4, 5, 6}));
  const std::vector<int32_t> c = {7, 8}, d = {9, 10, 11, 12};
  const int32_t* in32[] = {c.data(), d.data()};
  std::vector<int32_t> out32(6);
  ASSERT_EQ(concatenation_int32(p, in32, out32.data()), kOk);
  EXPECT_EQ(out32, (std::vector<int32_t>{7, 8, 9, 10, 11, 12}));
}

TEST(ConcatenationInt8, EmptyInputContributesNothing) {
  const std::vector<int8_t> a = {1, 2};
  const int8_t* inputs[] = {a.data(), nullptr};
  ConcatenationParams p{};
  p.num_inputs = 2;
  p.outer_size = 1;
  p.inner_size = 1;
  p.axis_sizes[0] = 2;
  p.axis_sizes[1] = 0;
  std::vector<int8_t> out(2);
  ASSERT_EQ(concatenation_int8(p, inputs, out.data()), kOk);
  EXPECT_EQ(out, a);
}

TEST(ConcatenationKernel, RejectsBadParameters) {
  int8_t x = 0;
  const int8_t* inputs[] = {&x};
  ConcatenationParams p{};
  p.num_inputs = 11;
  p.outer_size = 1;
  p.inner_size = 1;
  EXPECT_EQ(concatenation_int8(p, inputs, &x), kBadArgument);
  p.num_inputs = 1;
  p.axis_sizes[0] = -1;
  EXPECT_EQ(concatenation_int8(p, inputs, &x), kBadArgument);
  p.axis_sizes[0] = 1;
  p.inner_size = 1 << 20;
  p.outer_size = 1 << 20;
  EXPECT_EQ(concatenation_int8(p, inputs, &x), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
