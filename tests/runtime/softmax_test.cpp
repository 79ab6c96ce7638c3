#include "runtime/softmax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "arith_test_util.h"

namespace kiln::rt {
namespace {

// TFLM's preparation, written from its definition: beta * scale * 2^26 as a Q0.31 mantissa and
// left shift, and diff_min = -floor(31 * 2^26 / 2^shift).
SoftmaxQuantizedParams softmax_params(int32_t rows, int32_t depth, double scale, double beta) {
  SoftmaxQuantizedParams p{};
  p.outer_size = rows;
  p.depth = depth;
  testing::split(std::min(beta * scale * 67108864.0, 2147483647.0), &p.input_multiplier,
                 &p.input_left_shift);
  p.diff_min =
      -static_cast<int32_t>(std::floor(31.0 * 67108864.0 / std::ldexp(1.0, p.input_left_shift)));
  return p;
}

std::vector<double> reference_probabilities(const int8_t* x, int n, double scale, double beta) {
  int mx = -128;
  for (int i = 0; i < n; ++i) mx = std::max<int>(mx, x[i]);
  std::vector<double> e(n);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += e[i] = std::exp(beta * scale * (x[i] - mx));
  for (auto& v : e) v /= sum;
  return e;
}

TEST(SoftmaxInt8, EqualInputsShareProbabilityExactly) {
  const SoftmaxQuantizedParams p = softmax_params(2, 4, 0.1, 1.0);
  const int8_t in[] = {7, 7, 7, 7, -100, -100, -100, -100};
  int8_t out[8];
  ASSERT_EQ(softmax_int8(p, in, out), kOk);
  // 1/4 at scale 1/256 with zero point -128: 64 - 128.
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], -64) << i;
}

TEST(SoftmaxInt8, SingleClassSaturatesToOne) {
  const SoftmaxQuantizedParams p = softmax_params(1, 1, 0.5, 1.0);
  const int8_t in[] = {-3};
  int8_t out[1];
  ASSERT_EQ(softmax_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], 127);  // 256 - 128 clamps to 127
}

TEST(SoftmaxInt8, FarBelowMaximumGivesZero) {
  // scale 1: a difference of 255 is beyond diff_min, its probability is exactly 0 (-128).
  const SoftmaxQuantizedParams p = softmax_params(1, 2, 1.0, 1.0);
  ASSERT_GT(p.diff_min, -255);
  const int8_t in[] = {127, -128};
  int8_t out[2];
  ASSERT_EQ(softmax_int8(p, in, out), kOk);
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -128);
}

TEST(SoftmaxInt8, WithinOneStepOfDoubleSumsToOneAndMonotonic) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> q(-128, 127);
  for (double scale : {0.02, 0.0917, 0.1447, 0.5}) {
    for (double beta : {1.0, 0.5}) {
      const int depth = 10;
      const SoftmaxQuantizedParams p = softmax_params(20, depth, scale, beta);
      std::vector<int8_t> in(20 * depth), out(20 * depth);
      for (auto& v : in) v = static_cast<int8_t>(q(rng) / 4);  // keep rows in a useful range
      ASSERT_EQ(softmax_int8(p, in.data(), out.data()), kOk);
      for (int r = 0; r < 20; ++r) {
        const int8_t* x = &in[r * depth];
        const int8_t* y = &out[r * depth];
        const std::vector<double> want = reference_probabilities(x, depth, scale, beta);
        double total = 0;
        for (int c = 0; c < depth; ++c) {
          EXPECT_NEAR(y[c], testing::round_clamp(want[c] * 256 - 128, -128, 127), 1)
              << "scale " << scale << " row " << r << " col " << c;
          total += (y[c] + 128) / 256.0;
          for (int d = 0; d < depth; ++d) {
            if (x[c] > x[d]) {
              EXPECT_GE(y[c], y[d]);
            }
          }
        }
        EXPECT_NEAR(total, 1.0, depth / 256.0);
      }
    }
  }
}

TEST(SoftmaxInt8Int16, SixteenBitOutput) {
  const SoftmaxQuantizedParams p = softmax_params(1, 3, 0.25, 1.0);
  const int8_t in[] = {4, 0, -4};
  int16_t out[3];
  ASSERT_EQ(softmax_int8_int16(p, in, out), kOk);
  const std::vector<double> want = reference_probabilities(in, 3, 0.25, 1.0);
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(out[c], testing::round_clamp(want[c] * 65536 - 32768, -32768, 32767), 2) << c;
}

TEST(SoftmaxFloat, NormalisedAndStable) {
  const SoftmaxFloatParams p{1, 3, 1.0f};
  const float in[] = {1000.0f, 1000.0f, 999.0f};  // exp(1000) alone would overflow
  float out[3];
  ASSERT_EQ(softmax_float(p, in, out), kOk);
  const double e = std::exp(-1.0);
  EXPECT_NEAR(out[0], 1.0 / (2 + e), 1e-6);
  EXPECT_NEAR(out[2], e / (2 + e), 1e-6);
  EXPECT_NEAR(out[0] + out[1] + out[2], 1.0, 1e-6);
}

// The tabled variants against the computed ones on random rows, for many scales (including
// ones where diff_min cuts the table short and where small exps underflow to zero) and depths.
TEST(SoftmaxInt8Tabled, EqualsComputedExpBitForBit) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> q(-128, 127);
  std::uniform_real_distribution<double> log_scale(std::log(0.002), std::log(4.0));
  std::uniform_int_distribution<int> depth_of(1, 40);
  for (int trial = 0; trial < 300; ++trial) {
    const double scale = std::exp(log_scale(rng));
    const double beta = trial % 3 == 0 ? 0.5 : 1.0;
    const int depth = depth_of(rng);
    const int rows = 1 + trial % 4;
    const SoftmaxQuantizedParams p = softmax_params(rows, depth, scale, beta);
    std::vector<int32_t> table(kSoftmaxExpTableEntries);
    ASSERT_EQ(softmax_int8_exp_table(p, table.data()), kOk);
    EXPECT_GT(table[0], 0);  // exp(0) is the largest entry
    for (int k = 1; k < kSoftmaxExpTableEntries; ++k) {
      EXPECT_LE(table[k], table[k - 1]);
      if (-k < p.diff_min) {
        EXPECT_EQ(table[k], 0) << k;
      }
    }
    std::vector<int8_t> in(rows * depth), want8(in.size()), got8(in.size());
    std::vector<int16_t> want16(in.size()), got16(in.size());
    for (auto& v : in) v = static_cast<int8_t>(trial % 2 ? q(rng) : q(rng) / 8);
    ASSERT_EQ(softmax_int8(p, in.data(), want8.data()), kOk);
    ASSERT_EQ(softmax_int8_tabled(p, table.data(), in.data(), got8.data()), kOk);
    ASSERT_EQ(softmax_int8_int16(p, in.data(), want16.data()), kOk);
    ASSERT_EQ(softmax_int8_int16_tabled(p, table.data(), in.data(), got16.data()), kOk);
    ASSERT_EQ(got8, want8) << "scale " << scale << " depth " << depth;
    ASSERT_EQ(got16, want16) << "scale " << scale << " depth " << depth;
  }
}

TEST(SoftmaxInt8Tabled, RejectsMissingTableAndBadParameters) {
  SoftmaxQuantizedParams p = softmax_params(1, 2, 0.1, 1.0);
  int8_t x[2] = {0, 0};
  std::vector<int32_t> table(kSoftmaxExpTableEntries);
  EXPECT_EQ(softmax_int8_exp_table(p, nullptr), kBadArgument);
  EXPECT_EQ(softmax_int8_tabled(p, nullptr, x, x), kBadArgument);
  p.diff_min = 1;
  EXPECT_EQ(softmax_int8_exp_table(p, table.data()), kBadArgument);
}

TEST(Softmax, RejectsBadParameters) {
  SoftmaxQuantizedParams p = softmax_params(1, 2, 0.1, 1.0);
  int8_t x[2] = {0, 0};
  p.diff_min = 1;
  EXPECT_EQ(softmax_int8(p, x, x), kBadArgument);
  p = softmax_params(1, 2, 0.1, 1.0);
  EXPECT_EQ(softmax_int8(p, nullptr, x), kBadArgument);
  p.input_left_shift = 40;
  EXPECT_EQ(softmax_int8(p, x, x), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
