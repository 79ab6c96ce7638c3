// Augmentation: the random helpers, gain, shift, noise at a given SNR, time and frequency masks,
// determinism and the identity of a zero configuration.
#include "pipeline/augment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/error.h"

namespace kiln::pipeline {
namespace {

using project::AugmentationConfig;

std::vector<float> ramp(size_t n, float step = 1.0f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 1.0f + step * static_cast<float>(i);
  return v;
}

TEST(AugmentRandom, UniformValuesStayInRangeAndCoverIt) {
  Rng rng(7);
  int64_t lo_seen = 100, hi_seen = -100;
  for (int i = 0; i < 10000; ++i) {
    const double u = uniform01(rng);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const int64_t k = uniform_int(rng, -3, 3);
    ASSERT_GE(k, -3);
    ASSERT_LE(k, 3);
    lo_seen = std::min(lo_seen, k);
    hi_seen = std::max(hi_seen, k);
  }
  EXPECT_EQ(lo_seen, -3);
  EXPECT_EQ(hi_seen, 3);
  EXPECT_EQ(uniform_int(rng, 5, 5), 5);
  EXPECT_THROW(uniform_int(rng, 1, 0), Error);
}

// uniform01 is defined on the generator's raw output: check it against the standard's fixed
// 10000th value of mt19937_64 (seed 5489), shifted down to 53 bits.
TEST(AugmentRandom, Uniform01IsTheTop53BitsOfOneDraw) {
  Rng rng;  // default seed 5489
  rng.discard(9999);
  const double u = uniform01(rng);
  EXPECT_EQ(u, static_cast<double>(9981545732273789042ull >> 11) / 9007199254740992.0);
}

TEST(AugmentRandom, StandardNormalHasUnitMomentsAndGaussianTails) {
  Rng rng(11);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  int beyond_2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = standard_normal(rng);
    sum += z;
    sum2 += z * z;
    beyond_2 += std::fabs(z) > 2.0;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.0, 0.01);  // standard error 1 / sqrt(n) = 0.0022
  EXPECT_NEAR(sum2 / n - mean * mean, 1.0, 0.015);
  // P(|Z| > 2) = erfc(2 / sqrt 2) = 0.0455.
  EXPECT_NEAR(static_cast<double>(beyond_2) / n, std::erfc(2.0 / std::sqrt(2.0)), 0.002);
}

TEST(AugmentSignal, ZeroConfigIsIdentityAndDrawsNothing) {
  std::vector<float> s = ramp(300);
  const std::vector<float> original = s;
  Rng rng(3), untouched(3);
  augment_signal(s, 3, 16000, AugmentationConfig{}, rng);
  EXPECT_EQ(s, original);
  EXPECT_EQ(rng(), untouched());  // the generator did not advance
  std::vector<float> f = ramp(40);
  augment_features(f, 10, 4, AugmentationConfig{}, rng);
  EXPECT_EQ(f, ramp(40));
}

TEST(AugmentSignal, GainScalesEverySampleByOneFactorWithinTheRange) {
  AugmentationConfig config;
  config.gain_db = 6;
  const double max_factor = std::pow(10.0, 6.0 / 20.0);
  bool louder = false, quieter = false;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::vector<float> s = ramp(64, 0.5f);
    Rng rng(seed);
    augment_signal(s, 2, 100, config, rng);
    const double factor = s[0] / 1.0;  // first sample was 1
    EXPECT_GE(factor, 1.0 / max_factor - 1e-6);
    EXPECT_LE(factor, max_factor + 1e-6);
    for (size_t i = 0; i < s.size(); ++i) {
      EXPECT_NEAR(s[i], (1.0 + 0.5 * i) * factor, 1e-5 * (1.0 + 0.5 * i));
    }
    louder |= factor > 1.5;
    quieter |= factor < 1 / 1.5;
  }
  EXPECT_TRUE(louder);
  EXPECT_TRUE(quieter);
}

// 2 axes at 1000 Hz, time_shift_ms 5 -> up to 5 frames either way.
TEST(AugmentSignal, ShiftMovesWholeFramesAndZeroFills) {
  AugmentationConfig config;
  config.time_shift_ms = 5;
  const size_t frames = 20;
  std::vector<int64_t> shifts_seen;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::vector<float> s = ramp(frames * 2);  // frame f axis a holds 1 + 2f + a
    Rng rng(seed);
    augment_signal(s, 2, 1000, config, rng);
    // Find the shift from where frame 0's content (1, 2) went, or infer it from the zero fill.
    int64_t shift = 0;
    size_t zeros_at_start = 0;
    while (zeros_at_start < frames && s[2 * zeros_at_start] == 0) ++zeros_at_start;
    if (zeros_at_start > 0) {
      shift = static_cast<int64_t>(zeros_at_start);
    } else {
      shift = -static_cast<int64_t>(s[0] - 1) / 2;
    }
    ASSERT_LE(std::abs(shift), 5);
    for (size_t f = 0; f < frames; ++f) {
      const int64_t from = static_cast<int64_t>(f) - shift;
      for (size_t a = 0; a < 2; ++a) {
        const float expected =
            from < 0 || from >= static_cast<int64_t>(frames) ? 0.0f : 1.0f + 2.0f * from + a;
        ASSERT_EQ(s[2 * f + a], expected) << "seed " << seed << " shift " << shift;
      }
    }
    shifts_seen.push_back(shift);
  }
  for (int64_t k = -5; k <= 5; ++k) {
    EXPECT_NE(std::find(shifts_seen.begin(), shifts_seen.end(), k), shifts_seen.end()) << k;
  }
}

TEST(AugmentSignal, ShiftLongerThanTheWindowEmptiesItAtMost) {
  AugmentationConfig config;
  config.time_shift_ms = 1000;  // 1000 frames at 1 kHz, window of 4
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<float> s = ramp(4);
    Rng rng(seed);
    augment_signal(s, 1, 1000, config, rng);
    for (float x : s) EXPECT_TRUE(x == 0 || (x >= 1 && x <= 4));
  }
  std::vector<float> s = ramp(4);
  Rng rng(1);
  EXPECT_THROW(augment_signal(s, 1, 0, config, rng), Error);
}

// Over a long sine the noise added must have power P_signal / 10^(snr/10), per axis.
TEST(AugmentSignal, NoiseHasTheConfiguredSnrPerAxis) {
  const size_t frames = 200000;
  std::vector<float> clean(frames * 2);
  for (size_t f = 0; f < frames; ++f) {
    clean[2 * f] = static_cast<float>(std::sin(0.01 * static_cast<double>(f)));  // rms 0.707
    clean[2 * f + 1] = static_cast<float>(5 * std::cos(0.003 * static_cast<double>(f)));  // 3.54
  }
  for (double snr_db : {3.0, 20.0}) {
    AugmentationConfig config;
    config.noise_snr_db = snr_db;
    std::vector<float> noisy = clean;
    Rng rng(42);
    augment_signal(noisy, 2, 16000, config, rng);
    for (size_t a = 0; a < 2; ++a) {
      double signal_power = 0, noise_power = 0, noise_sum = 0;
      for (size_t f = 0; f < frames; ++f) {
        const double x = clean[2 * f + a];
        const double e = static_cast<double>(noisy[2 * f + a]) - x;
        signal_power += x * x;
        noise_power += e * e;
        noise_sum += e;
      }
      const double measured_db = 10 * std::log10(signal_power / noise_power);
      EXPECT_NEAR(measured_db, snr_db, 0.05) << "axis " << a;  // 200k draws: +-0.03 dB at 3 sigma
      EXPECT_NEAR(noise_sum / frames, 0.0, 0.01 * std::sqrt(signal_power / frames));
    }
  }
}

TEST(AugmentSignal, SilentAxisGetsNoNoise) {
  AugmentationConfig config;
  config.noise_snr_db = 10;
  std::vector<float> s(100 * 2, 0.0f);
  for (size_t f = 0; f < 100; ++f) s[2 * f] = 1.0f;  // axis 0 constant, axis 1 silent
  Rng rng(5);
  augment_signal(s, 2, 100, config, rng);
  bool axis0_changed = false;
  for (size_t f = 0; f < 100; ++f) {
    EXPECT_EQ(s[2 * f + 1], 0.0f);
    axis0_changed |= s[2 * f] != 1.0f;
  }
  EXPECT_TRUE(axis0_changed);
}

TEST(AugmentSignal, SameSeedSameResultOtherSeedOtherResult) {
  AugmentationConfig config;
  config.gain_db = 3;
  config.time_shift_ms = 10;
  config.noise_snr_db = 15;
  auto run = [&config](uint64_t seed) {
    std::vector<float> s = ramp(1000, 0.01f);
    Rng rng(seed);
    augment_signal(s, 1, 1000, config, rng);
    return s;
  };
  EXPECT_EQ(run(9), run(9));
  EXPECT_NE(run(9), run(10));
  std::vector<float> bad = ramp(5);
  Rng rng(1);
  EXPECT_THROW(augment_signal(bad, 2, 1000, config, rng), Error);
}

// Features 12 frames x 5 coefficients holding 1..60; their mean is 30.5.
std::vector<float> feature_grid() {
  return ramp(60);
}

TEST(AugmentFeatures, OneTimeMaskFillsWidthWholeFramesWithTheMean) {
  AugmentationConfig config;
  config.time_masks = 1;
  config.mask_width = 3;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    std::vector<float> f = feature_grid();
    Rng rng(seed);
    augment_features(f, 12, 5, config, rng);
    std::vector<int> masked_frames;
    for (int t = 0; t < 12; ++t) {
      int filled = 0;
      for (int c = 0; c < 5; ++c) {
        const float v = f[t * 5 + c];
        if (v == 30.5f)
          ++filled;
        else
          EXPECT_EQ(v, 1.0f + t * 5 + c);
      }
      EXPECT_TRUE(filled == 0 || filled == 5) << "frame " << t;
      if (filled == 5) masked_frames.push_back(t);
    }
    ASSERT_EQ(masked_frames.size(), 3u);
    EXPECT_EQ(masked_frames[2] - masked_frames[0], 2);  // consecutive
  }
}

TEST(AugmentFeatures, OneFrequencyMaskFillsWidthWholeColumns) {
  AugmentationConfig config;
  config.frequency_masks = 1;
  config.mask_width = 2;
  std::vector<int> starts;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    std::vector<float> f = feature_grid();
    Rng rng(seed);
    augment_features(f, 12, 5, config, rng);
    std::vector<int> masked_columns;
    for (int c = 0; c < 5; ++c) {
      int filled = 0;
      for (int t = 0; t < 12; ++t) filled += f[t * 5 + c] == 30.5f;
      EXPECT_TRUE(filled == 0 || filled == 12) << "column " << c;
      if (filled == 12) masked_columns.push_back(c);
    }
    ASSERT_EQ(masked_columns.size(), 2u);
    EXPECT_EQ(masked_columns[1], masked_columns[0] + 1);
    starts.push_back(masked_columns[0]);
  }
  for (int s = 0; s <= 3; ++s) {  // every start 0..5-2 occurs
    EXPECT_NE(std::find(starts.begin(), starts.end(), s), starts.end()) << s;
  }
}

TEST(AugmentFeatures, SeveralMasksCoverBetweenOneAndAllTheirWidths) {
  AugmentationConfig config;
  config.time_masks = 2;
  config.frequency_masks = 2;
  config.mask_width = 2;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    std::vector<float> f = feature_grid();
    Rng rng(seed);
    augment_features(f, 12, 5, config, rng);
    int full_frames = 0, full_columns = 0, filled = 0;
    for (int t = 0; t < 12; ++t) {
      int n = 0;
      for (int c = 0; c < 5; ++c) n += f[t * 5 + c] == 30.5f;
      full_frames += n == 5;
    }
    for (int c = 0; c < 5; ++c) {
      int n = 0;
      for (int t = 0; t < 12; ++t) n += f[t * 5 + c] == 30.5f;
      full_columns += n == 12;
    }
    for (float v : f) filled += v == 30.5f;
    // Overlapping masks may share frames or columns.
    EXPECT_GE(full_frames, 2);
    EXPECT_LE(full_frames, 4);
    EXPECT_GE(full_columns, 2);
    EXPECT_LE(full_columns, 4);
    EXPECT_EQ(filled, full_frames * 5 + full_columns * 12 - full_frames * full_columns);
  }
}

TEST(AugmentFeatures, WideMaskCoversTheAxisAndBadShapesThrow) {
  AugmentationConfig config;
  config.frequency_masks = 1;
  config.mask_width = 50;
  std::vector<float> f = feature_grid();
  Rng rng(1);
  augment_features(f, 12, 5, config, rng);
  for (float v : f) EXPECT_EQ(v, 30.5f);
  std::vector<float> bad = feature_grid();
  EXPECT_THROW(augment_features(bad, 11, 5, config, rng), Error);
}

TEST(AugmentFeatures, SameSeedSameMasks) {
  AugmentationConfig config;
  config.time_masks = 2;
  config.frequency_masks = 1;
  config.mask_width = 2;
  auto run = [&config](uint64_t seed) {
    std::vector<float> f = feature_grid();
    Rng rng(seed);
    augment_features(f, 12, 5, config, rng);
    return f;
  };
  EXPECT_EQ(run(4), run(4));
  bool differs = false;
  for (uint64_t seed = 5; seed < 10; ++seed) differs |= run(seed) != run(4);
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace kiln::pipeline

namespace kiln::pipeline {
namespace {

TEST(AugmentSpeed, ResamplesByTheDrawnFactorAndKeepsTheLength) {
  // A ramp x[i] = i read at i * r gives y[i] = i * r wherever i * r stays inside the signal, so
  // every output sample reveals the same factor, which must lie within +-10%.
  project::AugmentationConfig config;
  config.speed_percent = 10;
  std::vector<float> ramp(1000);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<float> s = ramp;
    Rng rng(seed);
    augment_signal(s, 1, 1000.0, config, rng);
    ASSERT_EQ(s.size(), ramp.size());
    const double r = s[500] / 500.0;
    EXPECT_GE(r, 0.9);
    EXPECT_LE(r, 1.1);
    for (size_t i = 1; i < 800; ++i) {
      if (i * r < 998) {
        EXPECT_NEAR(s[i], i * r, 1e-3 * i) << "seed " << seed << " i " << i;
      }
    }
    if (r > 1.01) {
      EXPECT_EQ(s.back(), 0.0f);  // read past the end: silence
    }
  }
}

}  // namespace
}  // namespace kiln::pipeline
