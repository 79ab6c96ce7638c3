#include "runtime/transpose.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace kiln::rt {
namespace {

TransposeParams make_params(const std::vector<int32_t>& shape, const std::vector<int32_t>& perm) {
  TransposeParams p{};
  p.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    p.input_shape[i] = shape[i];
    p.perm[i] = perm[i];
  }
  return p;
}

// Definition: output coordinate o maps to the input coordinate c with c[perm[i]] = o[i].
template <typename T>
std::vector<T> naive_transpose(const std::vector<int32_t>& shape, const std::vector<int32_t>& perm,
                               const std::vector<T>& input) {
  const size_t rank = shape.size();
  std::vector<int32_t> out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = shape[static_cast<size_t>(perm[i])];
  std::vector<T> out(input.size());
  for (size_t flat = 0; flat < out.size(); ++flat) {
    std::vector<int32_t> o(rank), c(rank);
    size_t rest = flat;
    for (size_t i = rank; i-- > 0;) {
      o[i] = static_cast<int32_t>(rest % static_cast<size_t>(out_shape[i]));
      rest /= static_cast<size_t>(out_shape[i]);
    }
    for (size_t i = 0; i < rank; ++i) c[static_cast<size_t>(perm[i])] = o[i];
    size_t in_flat = 0;
    for (size_t i = 0; i < rank; ++i) in_flat = in_flat * static_cast<size_t>(shape[i]) + c[i];
    out[flat] = input[in_flat];
  }
  return out;
}

TEST(TransposeInt8, Matrix) {
  const std::vector<int8_t> input = {1, 2, 3, 4, 5, 6};  // 2x3
  std::vector<int8_t> output(6);
  ASSERT_EQ(transpose_int8(make_params({2, 3}, {1, 0}), input.data(), output.data()), kOk);
  EXPECT_EQ(output, (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));
}

TEST(TransposeFloat, NhwcToNchw) {
  // 1x2x2x3 -> 1x3x2x2.
  std::vector<float> input(12);
  std::iota(input.begin(), input.end(), 0.0f);
  std::vector<float> output(12);
  ASSERT_EQ(transpose_float(make_params({1, 2, 2, 3}, {0, 3, 1, 2}), input.data(), output.data()),
            kOk);
  EXPECT_EQ(output, (std::vector<float>{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}));
}

TEST(TransposeInt16, FiveDimensions) {
  const std::vector<int32_t> shape = {2, 3, 1, 4, 2}, perm = {4, 2, 0, 3, 1};
  std::vector<int16_t> input(48);
  std::iota(input.begin(), input.end(), int16_t{-20});
  std::vector<int16_t> output(48);
  ASSERT_EQ(transpose_int16(make_params(shape, perm), input.data(), output.data()), kOk);
  EXPECT_EQ(output, naive_transpose(shape, perm, input));
}

TEST(TransposeInt32, SixDimensions) {
  const std::vector<int32_t> shape = {2, 1, 3, 2, 2, 3}, perm = {5, 3, 0, 4, 1, 2};
  std::vector<int32_t> input(72);
  std::iota(input.begin(), input.end(), 1000);
  std::vector<int32_t> output(72);
  ASSERT_EQ(transpose_int32(make_params(shape, perm), input.data(), output.data()), kOk);
  EXPECT_EQ(output, naive_transpose(shape, perm, input));
}

TEST(TransposeKernel, RejectsBadPermutations) {
  int8_t in[6] = {}, out[6] = {};
  EXPECT_EQ(transpose_int8(make_params({2, 3}, {0, 0}), in, out), kBadArgument);
  EXPECT_EQ(transpose_int8(make_params({2, 3}, {0, 2}), in, out), kBadArgument);
  EXPECT_EQ(transpose_int8(make_params({2, 3}, {-1, 0}), in, out), kBadArgument);
  TransposeParams p = make_params({2, 3}, {1, 0});
  p.rank = 7;
  EXPECT_EQ(transpose_int8(p, in, out), kBadArgument);
  EXPECT_EQ(transpose_int8(make_params({2, 3}, {1, 0}), nullptr, out), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
