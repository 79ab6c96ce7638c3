#include "runtime/reshape.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln::rt {
namespace {

TEST(ReshapeKernel, CopiesEveryByte) {
  const std::vector<uint8_t> input = {1, 2, 3, 4, 250, 251};
  std::vector<uint8_t> output(6, 0);
  ASSERT_EQ(reshape(ReshapeParams{6}, input.data(), output.data()), kOk);
  EXPECT_EQ(output, input);
}

TEST(ReshapeKernel, SameBufferIsLeftAlone) {
  std::vector<uint8_t> buffer = {9, 8, 7};
  ASSERT_EQ(reshape(ReshapeParams{3}, buffer.data(), buffer.data()), kOk);
  EXPECT_EQ(buffer, (std::vector<uint8_t>{9, 8, 7}));
}

TEST(ReshapeKernel, RejectsNegativeSizeAndNullBuffers) {
  uint8_t a = 1, b = 0;
  EXPECT_EQ(reshape(ReshapeParams{-1}, &a, &b), kBadArgument);
  EXPECT_EQ(reshape(ReshapeParams{1}, nullptr, &b), kBadArgument);
  EXPECT_EQ(reshape(ReshapeParams{0}, nullptr, nullptr), kOk);
}

}  // namespace
}  // namespace kiln::rt
