#include "runtime/mean.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "arith_test_util.h"
#include "runtime/fixed_point.h"

namespace kiln::rt {
namespace {

MeanShape make_shape(const std::vector<int32_t>& dims, const std::vector<uint8_t>& reduce) {
  MeanShape s{};
  EXPECT_EQ(mean_shape_init(dims.data(), static_cast<int32_t>(dims.size()), reduce.data(), &s),
            kOk);
  return s;
}

TEST(MeanShape, SplitsKeptAndReducedAxes) {
  const MeanShape s = make_shape({2, 3, 4}, {0, 1, 0});
  EXPECT_EQ(mean_output_size(s), 8);
  EXPECT_EQ(mean_reduced_count(s), 3);
  EXPECT_EQ(s.kept_rank, 2);
  EXPECT_EQ(s.kept_strides[0], 12);
  EXPECT_EQ(s.kept_strides[1], 1);
  EXPECT_EQ(s.reduced_strides[0], 4);
}

TEST(MeanFloat, AveragesMiddleAxis) {
  const MeanShape s = make_shape({2, 3, 4}, {0, 1, 0});
  std::vector<float> in(24), out(8);
  for (int i = 0; i < 24; ++i) in[i] = static_cast<float>(i * i % 7) - 2.5f;
  ASSERT_EQ(mean_float(s, in.data(), out.data()), kOk);
  for (int a = 0; a < 2; ++a)
    for (int c = 0; c < 4; ++c) {
      double sum = 0;
      for (int b = 0; b < 3; ++b) sum += in[(a * 3 + b) * 4 + c];
      EXPECT_NEAR(out[a * 4 + c], sum / 3, 1e-6);
    }
}

TEST(MeanFloat, AllAxesGivesScalar) {
  const MeanShape s = make_shape({2, 2}, {1, 1});
  const float in[] = {1.0f, 2.0f, 3.0f, 6.0f};
  float out[1];
  ASSERT_EQ(mean_float(s, in, out), kOk);
  EXPECT_FLOAT_EQ(out[0], 3.0f);
}

TEST(MeanInt8, IntegerDivisionTruncatesTowardZero) {
  const MeanShape s = make_shape({2, 4}, {0, 1});
  const MeanInt8Params p{kMeanIntegerDivide, 0, 0, 0, 0};
  const int8_t in[] = {1, 2, 3, 4, -1, -2, -3, -4};
  int8_t out[2];
  ASSERT_EQ(mean_int8(p, s, in, out), kOk);
  EXPECT_EQ(out[0], 2);   // 2.5
  EXPECT_EQ(out[1], -2);  // -2.5
}

TEST(MeanFoldCount, DividesTheMantissa) {
  int32_t m = 1 << 30, shift = 2;  // M = 2
  mean_fold_count(4, &m, &shift);
  EXPECT_EQ(m, 1 << 30);  // (2^30 << 2) / 4
  EXPECT_EQ(shift, 0);    // M / 4 = 0.5
  m = 1 << 30;
  shift = 2;
  mean_fold_count(3, &m, &shift);
  EXPECT_EQ(m, static_cast<int32_t>((int64_t{1} << 31) / 3));  // truncated
  EXPECT_EQ(shift, 1);
  m = 1 << 30;
  shift = -30;  // the shift may not drop below -31
  mean_fold_count(16, &m, &shift);
  EXPECT_EQ(shift, -31);
  EXPECT_EQ(m, (1 << 30) / 8);
}

TEST(MeanInt8, RescaledMeanExactCase) {
  // in scale 1 zp 0, out scale 0.5 zp -1, over 4 elements: out = sum / 2 - 1.
  const MeanShape s = make_shape({1, 2, 2, 2}, {0, 1, 1, 0});
  MeanInt8Params p{kMeanRescale, 0, -1, 0, 0};
  testing::split(2.0, &p.multiplier, &p.shift);
  mean_fold_count(4, &p.multiplier, &p.shift);
  // channel 0 values 2,4,6,8 -> mean 5 -> 10 - 1; channel 1 values 1,1,1,2 -> 1.25 -> 2.5 - 1.
  const int8_t in[] = {2, 1, 4, 1, 6, 1, 8, 2};
  int8_t out[2];
  ASSERT_EQ(mean_int8(p, s, in, out), kOk);
  EXPECT_EQ(out[0], 9);
  EXPECT_EQ(out[1], 2);  // 5 * 0.5 = 2.5: the doubling multiply rounds the half up, then - 1
}

TEST(MeanInt8, RescaledMeanWithinOneStep) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> q(-128, 127);
  const double si = 0.0508, so = 0.0093;
  const int32_t zpi = -128, zpo = -128;
  const MeanShape s = make_shape({1, 4, 4, 16}, {0, 1, 1, 0});
  MeanInt8Params p{kMeanRescale, zpi, zpo, 0, 0};
  testing::split(si / so, &p.multiplier, &p.shift);
  mean_fold_count(16, &p.multiplier, &p.shift);
  std::vector<int8_t> in(256), out(16);
  for (auto& v : in) v = static_cast<int8_t>(q(rng) / 8 - 100);  // keep the mean in range
  ASSERT_EQ(mean_int8(p, s, in.data(), out.data()), kOk);
  for (int c = 0; c < 16; ++c) {
    double sum = 0;
    for (int k = 0; k < 16; ++k) sum += in[k * 16 + c] - zpi;
    EXPECT_NEAR(out[c], testing::round_clamp(sum / 16 * si / so + zpo, -128, 127), 1) << c;
  }
}

TEST(MeanInt8, EmptyReductionWritesZeros) {
  const MeanShape s = make_shape({2, 0}, {0, 1});
  const MeanInt8Params p{kMeanIntegerDivide, 0, 0, 0, 0};
  int8_t out[2] = {5, 5};
  ASSERT_EQ(mean_int8(p, s, nullptr, out), kOk);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 0);
}

// Random shapes and axis sets, against sums taken by walking the whole input in row-major order
// (each output's inputs then come in its own row-major order, as the kernels must add them):
// the float means bit for bit, the int8 ones by integer division and by rescaling.
TEST(Mean, RandomAxesMatchARowMajorWalk) {
  std::mt19937 gen(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int round = 0; round < 300; ++round) {
    const int rank = pick(1, 4);
    std::vector<int32_t> dims(rank);
    std::vector<uint8_t> reduce(rank);
    for (int i = 0; i < rank; ++i) {
      dims[i] = pick(1, i == rank - 1 ? 40 : 5);  // long channel runs cross the 16-output blocks
      reduce[i] = static_cast<uint8_t>(pick(0, 1));
    }
    const MeanShape s = make_shape(dims, reduce);
    const int32_t outputs = mean_output_size(s), count = mean_reduced_count(s);
    int32_t elements = 1;
    for (int32_t d : dims) elements *= d;
    std::vector<int8_t> in8(elements);
    std::vector<float> in_f(elements);
    for (int32_t i = 0; i < elements; ++i) {
      in8[i] = static_cast<int8_t>(pick(-128, 127));
      in_f[i] = static_cast<float>(pick(-1000, 1000)) / 7.0f;
    }
    std::vector<int64_t> sum(outputs, 0);
    std::vector<float> sum_f(outputs, 0.0f);
    std::vector<int32_t> index(rank, 0);
    for (int32_t i = 0; i < elements; ++i) {
      int32_t o = 0;
      for (int a = 0; a < rank; ++a)
        if (!reduce[a]) o = o * dims[a] + index[a];
      sum[o] += in8[i];
      sum_f[o] += in_f[i];
      for (int a = rank - 1; a >= 0 && ++index[a] == dims[a]; --a) index[a] = 0;
    }
    std::vector<float> out_f(outputs);
    ASSERT_EQ(mean_float(s, in_f.data(), out_f.data()), kOk);
    std::vector<int8_t> divided(outputs), rescaled(outputs);
    ASSERT_EQ(mean_int8({kMeanIntegerDivide, 0, 0, 0, 0}, s, in8.data(), divided.data()), kOk);
    const MeanInt8Params p{kMeanRescale, -3, 5, 1518500250, -1};
    ASSERT_EQ(mean_int8(p, s, in8.data(), rescaled.data()), kOk);
    for (int32_t o = 0; o < outputs; ++o) {
      EXPECT_EQ(out_f[o], sum_f[o] / static_cast<float>(count)) << "round " << round;
      EXPECT_EQ(divided[o], static_cast<int8_t>(sum[o] / count)) << "round " << round;
      const int32_t centred = static_cast<int32_t>(sum[o] - int64_t{p.input_zero_point} * count);
      const int32_t expected = std::clamp(
          multiply_by_quantized_multiplier(centred, p.multiplier, p.shift) + p.output_zero_point,
          -128, 127);
      EXPECT_EQ(rescaled[o], expected) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace kiln::rt
