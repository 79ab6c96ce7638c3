// Decimation (input_decimation_ratio) of the spectral analysis block: the decimator on its own,
// the block with decimation, and the parameter through the feature-block runner.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/feature_blocks.h"
#include "dsp/decimate.h"
#include "dsp/spectral_analysis.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

constexpr double kPi = 3.14159265358979323846;

std::vector<float> tone(size_t n, double frequency, double rate, double amplitude) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(amplitude * std::sin(2 * kPi * frequency * i / rate));
  return x;
}

// Power gain of one decimation stage's order-8 bilinear Butterworth at f (input rate fs, factor
// q, cutoff 0.4 fs / q), computed independently in double from the analogue prototype.
double stage_power_gain(double f, double fs, int q) {
  const double ratio = std::tan(kPi * f / fs) / std::tan(kPi * 0.4 / q);
  return 1.0 / (1.0 + std::pow(ratio, 16));
}

// Amplitude of the component at `frequency` in x[skip..], by correlation in double.
double amplitude_at(const std::vector<float>& x, size_t skip, double frequency, double rate) {
  double re = 0, im = 0;
  for (size_t i = skip; i < x.size(); ++i) {
    re += x[i] * std::cos(2 * kPi * frequency * i / rate);
    im += x[i] * std::sin(2 * kPi * frequency * i / rate);
  }
  return 2 * std::hypot(re, im) / static_cast<double>(x.size() - skip);
}

TEST(Decimate, RatiosAndLengths) {
  for (int32_t r : {1, 3, 10, 30, 100, 1000}) EXPECT_TRUE(decimation_ratio_valid(r)) << r;
  for (int32_t r : {-10, 0, 2, 4, 7, 20, 300, 1001}) EXPECT_FALSE(decimation_ratio_valid(r)) << r;
  EXPECT_EQ(decimated_length(1, 17), 17u);
  EXPECT_EQ(decimated_length(3, 9), 3u);
  EXPECT_EQ(decimated_length(3, 10), 4u);       // ceil: samples 0, 3, 6, 9
  EXPECT_EQ(decimated_length(30, 100), 4u);     // 100 -> 34 -> 4
  EXPECT_EQ(decimated_length(1000, 1001), 2u);  // 1001 -> 101 -> 11 -> 2
  EXPECT_EQ(decimated_length(7, 100), 0u);
  std::vector<float> x(20, 1.0f);
  EXPECT_EQ(decimate_in_place(7, x.data(), x.size()), 0u);
}

TEST(Decimate, ConstantSignalPassesUnchanged) {
  // Steady-state start: a constant has no start-up transient; the DC gain is 1.
  std::vector<float> x(300, 2.5f);
  const size_t m = decimate_in_place(30, x.data(), x.size());
  ASSERT_EQ(m, 10u);
  for (size_t i = 0; i < m; ++i) EXPECT_NEAR(x[i], 2.5f, 1e-5f) << i;
}

TEST(Decimate, PassbandToneKeepsItsAmplitudeAndStopbandToneIsAttenuated) {
  const double fs = 1000;
  const int q = 10;
  // 12.5 Hz is well inside the new band (Nyquist 50 Hz, cutoff 40 Hz).
  std::vector<float> low = tone(10000, 12.5, fs, 1.0);
  ASSERT_EQ(decimate_in_place(q, low.data(), low.size()), 1000u);
  low.resize(1000);
  EXPECT_NEAR(amplitude_at(low, 200, 12.5, fs / q), std::sqrt(stage_power_gain(12.5, fs, q)), 1e-3);
  // 75 Hz lies above the new Nyquist; it aliases to 25 Hz. Expected attenuation
  // |H(75)|^2 = 1 / (1 + (tan(0.075 pi) / tan(0.04 pi))^16) = 3.4e-5 (-44.6 dB).
  std::vector<float> high = tone(10000, 75, fs, 1.0);
  ASSERT_EQ(decimate_in_place(q, high.data(), high.size()), 1000u);
  high.resize(1000);
  const double want_db = 10 * std::log10(stage_power_gain(75, fs, q));
  EXPECT_NEAR(want_db, -44.6, 0.1);
  const double got_db = 20 * std::log10(amplitude_at(high, 200, 25, fs / q));
  EXPECT_NEAR(got_db, want_db, 0.5);
}

SpectralParams decimating_params(int32_t ratio) {
  SpectralParams p{};
  p.sampling_frequency = 1000;
  p.axes = 1;
  p.scale_axes = 1;
  p.implementation_version = 4;
  p.input_decimation_ratio = ratio;
  p.filter_type = kFilterNone;
  p.fft_length = 64;
  p.do_log = false;
  p.do_fft_overlap = false;
  p.exact_log = true;
  return p;
}

std::vector<float> run_spectral(const SpectralParams& p, const std::vector<float>& x) {
  std::vector<float> out(static_cast<size_t>(spectral_num_features(p)));
  AlignedBuffer ws(spectral_workspace_bytes(p, x.size()));
  EXPECT_EQ(spectral_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
            rt::kOk);
  return out;
}

TEST(SpectralDecimation, ToneBelowNewNyquistLandsInItsBin) {
  for (int32_t r : {10, 30}) {
    const SpectralParams p = decimating_params(r);
    ASSERT_EQ(spectral_check(p), nullptr);
    ASSERT_EQ(spectral_num_features(p), 5 + 32);
    const double fs_new = 1000.0 / r;
    const int bin = 5;
    const double f = bin * fs_new / 64;  // on bin 5 of the decimated 64-point FFT
    const std::vector<float> x = tone(static_cast<size_t>(64 * 12 * r), f, 1000, 2.0);
    const std::vector<float> out = run_spectral(p, x);
    // Bins 1..32 start at index 5. Steady-state |X_5| = A N / 2 = 64 -> P = 64^2 / 64 = 64,
    // times the filter's passband gain (per stage).
    double gain = 1;
    double rate = 1000;
    for (int q : r == 10 ? std::vector<int>{10} : std::vector<int>{3, 10}) {
      gain *= stage_power_gain(f, rate, q);
      rate /= q;
    }
    int peak = 1;
    for (int k = 1; k <= 32; ++k)
      if (out[4 + k] > out[4 + peak]) peak = k;
    EXPECT_EQ(peak, bin) << "ratio " << r;
    EXPECT_NEAR(out[4 + bin], 64.0 * gain, 64.0 * 0.02) << "ratio " << r;
    EXPECT_NEAR(out[0], std::sqrt(2.0), 0.02) << "ratio " << r;  // RMS of amplitude 2
  }
}

TEST(SpectralDecimation, ToneAboveNewNyquistIsSuppressed) {
  const SpectralParams p = decimating_params(10);
  // 75 Hz aliases onto 25 Hz = bin 16 at 100 Hz; without filtering it would read P = 64 there.
  const std::vector<float> x = tone(64 * 12 * 10, 75, 1000, 2.0);
  const std::vector<float> out = run_spectral(p, x);
  // Max-hold includes the start-up segment, so allow the transient on top of the
  // steady-state 64 * 3.4e-5; still at least 30 dB below the unfiltered alias.
  EXPECT_LT(out[4 + 16], 64.0 * 1e-3);
  EXPECT_LT(out[0],
            0.03);  // RMS: 2 / sqrt(2) * sqrt(3.4e-5) = 0.008 plus transient (1.41 unfiltered)
}

TEST(SpectralDecimation, InvalidRatiosAreRejected) {
  for (int32_t r : {0, -1, 2, 5, 1001}) {
    const SpectralParams p = decimating_params(r);
    ASSERT_NE(spectral_check(p), nullptr) << r;
    EXPECT_NE(std::string(spectral_check(p)).find("input_decimation_ratio"), std::string::npos);
    EXPECT_EQ(spectral_workspace_bytes(p, 100), 0u);
    std::vector<float> x(100, 0.0f), out(64);
    AlignedBuffer ws(4096);
    EXPECT_EQ(spectral_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
              rt::kBadArgument);
  }
}

TEST(SpectralDecimation, FilterCutoffIsCheckedAgainstTheDecimatedRate) {
  SpectralParams p = decimating_params(10);
  p.filter_type = kFilterLowPass;
  p.filter_order = 4;
  p.filter_cutoff = 20;  // fine at 100 Hz
  EXPECT_EQ(spectral_check(p), nullptr);
  // Kept bins at 100 Hz: 1 .. floor(20 * 64 / 100 + 0.5) = 13.
  EXPECT_EQ(spectral_num_features(p), 5 + 13);
  p.filter_cutoff = 60;  // below 500 Hz but above the decimated Nyquist
  EXPECT_NE(spectral_check(p), nullptr);
}

TEST(SpectralDecimation, RunnerParameterAsOnTheCommandLine) {
  // `kiln features spectral ... --set input_decimation_ratio=N` reaches the block through this
  // ParamMap.
  data::Signal s;
  s.sampling_frequency_hz = 1000;
  s.axes = 2;
  s.samples.resize(2 * 3000);
  for (size_t i = 0; i < 3000; ++i) {
    s.samples[2 * i] = static_cast<float>(std::sin(2 * kPi * 10 * i / 1000.0));
    s.samples[2 * i + 1] = static_cast<float>(std::cos(2 * kPi * 5 * i / 1000.0));
  }
  const data::Features f = data::compute_features(
      "spectral", s, {{"input_decimation_ratio", "10"}, {"fft_length", "64"}, {"do_log", "false"}});
  EXPECT_EQ(f.shape, (std::vector<int64_t>{2, 5 + 32}));
  // 10 Hz at 100 Hz with a 64-point FFT is bin 6.4: the largest bin is 6.
  int peak = 1;
  for (int k = 1; k <= 32; ++k)
    if (f.values[4 + k] > f.values[4 + peak]) peak = k;
  EXPECT_EQ(peak, 6);
  EXPECT_THROW(data::compute_features("spectral", s, {{"input_decimation_ratio", "7"}}), Error);
  // Ratio 1 explicitly equals the default.
  const data::Features plain = data::compute_features("spectral", s, {});
  const data::Features one =
      data::compute_features("spectral", s, {{"input_decimation_ratio", "1"}});
  EXPECT_EQ(plain.values, one.values);
}

}  // namespace
}  // namespace kiln::dsp
