#include "runtime/broadcast.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln::rt {
namespace {

TEST(Broadcast, VisitsEveryOutputWithRepeatedInputs) {
  // a: [2,1,3], b: [4,1] -> out [2,4,3]
  const int32_t a_dims[] = {2, 1, 3};
  const int32_t b_dims[] = {4, 1};
  BroadcastShape s{};
  ASSERT_EQ(broadcast_shape_init(a_dims, 3, b_dims, 2, &s), kOk);
  EXPECT_EQ(broadcast_output_size(s), 24);
  std::vector<int32_t> seen_a, seen_b, seen_out;
  broadcast_for_each(s, [&](int32_t ia, int32_t ib, int32_t io) {
    seen_a.push_back(ia);
    seen_b.push_back(ib);
    seen_out.push_back(io);
  });
  ASSERT_EQ(seen_out.size(), 24u);
  int k = 0;
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 4; ++h)
      for (int c = 0; c < 3; ++c, ++k) {
        EXPECT_EQ(seen_out[k], k);
        EXPECT_EQ(seen_a[k], n * 3 + c);  // a ignores h
        EXPECT_EQ(seen_b[k], h);          // b ignores n and c
      }
}

TEST(Broadcast, SameShapesAreElementwise) {
  const int32_t dims[] = {2, 3};
  BroadcastShape s{};
  ASSERT_EQ(broadcast_shape_init(dims, 2, dims, 2, &s), kOk);
  int32_t next = 0;
  broadcast_for_each(s, [&](int32_t ia, int32_t ib, int32_t io) {
    EXPECT_EQ(ia, next);
    EXPECT_EQ(ib, next);
    EXPECT_EQ(io, next);
    ++next;
  });
  EXPECT_EQ(next, 6);
}

TEST(Broadcast, ElementwiseShortcutOnlyForDenseInputs) {
  BroadcastShape s{};
  const int32_t dims[] = {3, 1, 7};  // 21 elements: the unrolled loop and its remainder
  ASSERT_EQ(broadcast_shape_init(dims, 3, dims, 3, &s), kOk);
  EXPECT_TRUE(broadcast_is_elementwise(s));
  std::vector<int32_t> visited;
  broadcast_for_each(s, [&](int32_t ia, int32_t ib, int32_t io) {
    EXPECT_EQ(ia, io);
    EXPECT_EQ(ib, io);
    visited.push_back(io);
  });
  ASSERT_EQ(visited.size(), 21u);
  for (int32_t i = 0; i < 21; ++i) EXPECT_EQ(visited[i], i);

  const int32_t row[] = {7};
  ASSERT_EQ(broadcast_shape_init(dims, 3, row, 1, &s), kOk);
  EXPECT_FALSE(broadcast_is_elementwise(s));  // b repeats along the first axis
  const int32_t column[] = {3, 1, 1};
  ASSERT_EQ(broadcast_shape_init(column, 3, dims, 3, &s), kOk);
  EXPECT_FALSE(broadcast_is_elementwise(s));  // a repeats along the last axis
}

TEST(Broadcast, ScalarAgainstSixDimensions) {
  const int32_t a_dims[] = {2, 1, 2, 1, 2, 3};
  BroadcastShape s{};
  ASSERT_EQ(broadcast_shape_init(a_dims, 6, nullptr, 0, &s), kOk);
  int32_t count = 0;
  broadcast_for_each(s, [&](int32_t ia, int32_t ib, int32_t io) {
    EXPECT_EQ(ia, io);
    EXPECT_EQ(ib, 0);
    ++count;
  });
  EXPECT_EQ(count, 24);
}

TEST(Broadcast, RejectsIncompatibleShapesAndHighRank) {
  BroadcastShape s{};
  const int32_t a[] = {2, 3};
  const int32_t b[] = {4, 3};
  EXPECT_EQ(broadcast_shape_init(a, 2, b, 2, &s), kBadArgument);
  const int32_t seven[] = {1, 1, 1, 1, 1, 1, 2};
  EXPECT_EQ(broadcast_shape_init(seven, 7, a, 2, &s), kBadArgument);
  const int32_t negative[] = {-1, 3};
  EXPECT_EQ(broadcast_shape_init(negative, 2, a, 2, &s), kBadArgument);
}

TEST(Broadcast, EmptyOutputVisitsNothing) {
  const int32_t a[] = {0, 3};
  const int32_t b[] = {1, 3};
  BroadcastShape s{};
  ASSERT_EQ(broadcast_shape_init(a, 2, b, 2, &s), kOk);
  EXPECT_EQ(broadcast_output_size(s), 0);
  int calls = 0;
  broadcast_for_each(s, [&](int32_t, int32_t, int32_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(Broadcast, CheckRejectsStridesThatCouldReadOutside) {
  const int32_t a[] = {2, 3};
  BroadcastShape s{};
  ASSERT_EQ(broadcast_shape_init(a, 2, a, 2, &s), kOk);
  int32_t size_a = 0, size_b = 0;
  ASSERT_EQ(broadcast_shape_check(s, &size_a, &size_b), kOk);
  EXPECT_EQ(size_a, 6);
  EXPECT_EQ(size_b, 6);
  s.strides_a[kMaxBroadcastRank - 2] = 4;  // should be 3
  EXPECT_EQ(broadcast_shape_check(s, &size_a, &size_b), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
