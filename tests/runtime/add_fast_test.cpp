#include "runtime/add_fast.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace kiln::rt {
namespace {

// Random int8 ADD layers: parameters mostly inside the fast path's range (TFLite's left shift of
// 20, right shifts, multipliers in [2^30, 2^31), offsets up to +-255), sometimes outside it, and
// operands of equal shape or broadcast. Every case must equal add_int8 byte for byte.
TEST(AddInt8Fast, MatchesTheReferenceOnRandomLayers) {
  std::mt19937 gen(2024);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  auto multiplier = [&] {
    return static_cast<int32_t>(std::uniform_int_distribution<int64_t>(1 << 30, INT32_MAX)(gen));
  };
  int fast_cases = 0;
  for (int trial = 0; trial < 800; ++trial) {
    AddSubInt8Params p{};
    p.input1_offset = pick(-255, 255);
    p.input2_offset = pick(-255, 255);
    p.output_offset = pick(-128, 127);
    p.left_shift = pick(0, 5) == 0 ? pick(0, 30) : 20;
    p.input1_multiplier = pick(0, 9) == 0 ? pick(0, 1 << 29) : multiplier();
    p.input2_multiplier = multiplier();
    p.output_multiplier = multiplier();
    p.input1_shift = pick(0, 9) == 0 ? 0 : -pick(1, 31);
    p.input2_shift = -pick(1, 31);
    p.output_shift = -pick(1, 31);
    p.activation_min = pick(0, 2) == 0 ? pick(-128, 0) : -128;
    p.activation_max = pick(0, 2) == 0 ? pick(p.activation_min, 127) : 127;
    const int32_t n = pick(1, 5), c = pick(1, 40);
    const bool broadcast = pick(0, 3) == 0;
    const int32_t dims_a[2] = {n, c}, dims_b[2] = {broadcast ? 1 : n, c};
    BroadcastShape shape;
    ASSERT_EQ(broadcast_shape_init(dims_a, 2, dims_b, 2, &shape), kOk);
    std::vector<int8_t> a(static_cast<size_t>(n * c)), b(static_cast<size_t>(dims_b[0] * c));
    for (auto& v : a) v = static_cast<int8_t>(pick(-128, 127));
    for (auto& v : b) v = static_cast<int8_t>(pick(-128, 127));
    if (trial % 50 == 0) {  // extremes: every value at the end of the range
      for (auto& v : a) v = -128;
      for (auto& v : b) v = trial % 100 == 0 ? 127 : -128;
    }
    std::vector<int8_t> want(a.size(), 1), got(a.size(), 2);
    const Status s1 = add_int8(p, shape, a.data(), b.data(), want.data());
    const Status s2 = add_int8_fast(p, shape, a.data(), b.data(), got.data());
    ASSERT_EQ(s1, s2) << "trial " << trial;
    ASSERT_EQ(got, want) << "trial " << trial;
    fast_cases +=
        !broadcast && p.left_shift <= 20 && p.input1_multiplier >= (1 << 30) && p.input1_shift < 0;
  }
  EXPECT_GT(fast_cases, 300);  // most cases ran the DSP arithmetic
}

TEST(AddInt8Fast, RejectsWhatTheReferenceRejects) {
  AddSubInt8Params p{};
  p.left_shift = 20;
  p.input1_multiplier = p.input2_multiplier = p.output_multiplier = 1 << 30;
  p.input1_shift = p.input2_shift = p.output_shift = -1;
  p.activation_min = -128;
  p.activation_max = 127;
  const int32_t dims[1] = {4};
  BroadcastShape shape;
  ASSERT_EQ(broadcast_shape_init(dims, 1, dims, 1, &shape), kOk);
  int8_t x[4] = {1, 2, 3, 4}, out[4];
  EXPECT_EQ(add_int8_fast(p, shape, x, nullptr, out), kBadArgument);
  p.input1_offset = 300;
  EXPECT_EQ(add_int8_fast(p, shape, x, x, out), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
