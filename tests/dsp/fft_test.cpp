// Kiln's real FFT against a naive double-precision DFT, Parseval's theorem, and pure tones.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dsp/fft.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

constexpr double kPi = 3.14159265358979323846;

struct Plan {
  explicit Plan(int32_t n) : memory(rfft_workspace_bytes(n)) {
    status = rfft_init(&fft, n, memory.data(), memory.size());
  }
  AlignedBuffer memory;
  RealFft fft{};
  Status status;
};

std::vector<float> random_signal(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

TEST(RealFft, MatchesNaiveDftForEveryPowerOfTwo) {
  for (int32_t n = 2; n <= 2048; n *= 2) {
    Plan plan(n);
    ASSERT_EQ(plan.status, rt::kOk) << n;
    const std::vector<float> x = random_signal(n, 1234 + n);
    std::vector<float> out(n + 2);
    rfft_forward(plan.fft, x.data(), n, out.data());
    double worst = 0, scale = 0;
    for (int32_t k = 0; k <= n / 2; ++k) {
      double re = 0, im = 0;
      for (int32_t t = 0; t < n; ++t) {
        re += x[t] * std::cos(2 * kPi * k * t / n);
        im -= x[t] * std::sin(2 * kPi * k * t / n);
      }
      worst = std::max({worst, std::fabs(out[2 * k] - re), std::fabs(out[2 * k + 1] - im)});
      scale = std::max(scale, std::hypot(re, im));
    }
    // float error grows like log2(n) * eps * |X|.
    EXPECT_LT(worst, 1e-6 * std::log2(2.0 * n) * std::max(scale, 1.0)) << "n = " << n;
  }
}

TEST(RealFft, ParsevalHolds) {
  const int32_t n = 512;
  Plan plan(n);
  ASSERT_EQ(plan.status, rt::kOk);
  const std::vector<float> x = random_signal(n, 99);
  std::vector<float> power(n / 2 + 1);
  rfft_power(plan.fft, x.data(), n, power.data());
  double time_energy = 0;
  for (float v : x) time_energy += static_cast<double>(v) * v;
  // The one-sided spectrum counts every bin except DC and Nyquist twice.
  double spectral_energy = power[0] + power[n / 2];
  for (int32_t k = 1; k < n / 2; ++k) spectral_energy += 2.0 * power[k];
  EXPECT_NEAR(spectral_energy / n, time_energy, 1e-5 * time_energy);
}

TEST(RealFft, PureToneLandsInItsBin) {
  const int32_t n = 256;
  Plan plan(n);
  ASSERT_EQ(plan.status, rt::kOk);
  for (int32_t bin : {1, 17, 64, 127}) {
    std::vector<float> x(n);
    for (int32_t t = 0; t < n; ++t) x[t] = static_cast<float>(std::cos(2 * kPi * bin * t / n));
    std::vector<float> power(n / 2 + 1);
    rfft_power(plan.fft, x.data(), n, power.data());
    // A cosine of amplitude 1 on an exact bin: |X| = n / 2, zero elsewhere.
    for (int32_t k = 0; k <= n / 2; ++k) {
      const double want = k == bin ? (n / 2.0) * (n / 2.0) : 0.0;
      EXPECT_NEAR(power[k], want, 1e-3 * n) << "bin " << bin << " k " << k;
    }
  }
}

TEST(RealFft, ShortInputIsZeroPaddedAndLongInputTruncated) {
  const int32_t n = 64;
  Plan plan(n);
  ASSERT_EQ(plan.status, rt::kOk);
  std::vector<float> x = random_signal(100, 5);
  std::vector<float> padded(n, 0.0f);
  std::copy(x.begin(), x.begin() + 40, padded.begin());
  std::vector<float> a(n + 2), b(n + 2);
  rfft_forward(plan.fft, x.data(), 40, a.data());
  rfft_forward(plan.fft, padded.data(), n, b.data());
  EXPECT_EQ(a, b);
  rfft_forward(plan.fft, x.data(), 100, a.data());  // only the first 64 samples count
  rfft_forward(plan.fft, x.data(), n, b.data());
  EXPECT_EQ(a, b);
}

TEST(RealFft, RejectsBadLengthsAndWorkspaces) {
  AlignedBuffer memory(1 << 16);
  RealFft fft{};
  for (int32_t n : {0, 1, 3, 6, 100, 131072}) {
    EXPECT_EQ(rfft_workspace_bytes(n), 0u) << n;
    EXPECT_EQ(rfft_init(&fft, n, memory.data(), memory.size()), rt::kBadArgument) << n;
  }
  EXPECT_EQ(rfft_init(&fft, 256, memory.data(), rfft_workspace_bytes(256) - 1), rt::kBadArgument);
  EXPECT_EQ(rfft_init(&fft, 256, static_cast<char*>(memory.data()) + 4, 8192), rt::kBadArgument)
      << "misaligned workspace";
  EXPECT_EQ(rfft_init(&fft, 256, memory.data(), rfft_workspace_bytes(256)), rt::kOk);
}

}  // namespace
}  // namespace kiln::dsp
