// Raw, flatten, image, Butterworth, CMVN and the statistics, checked against hand computations
// and naive double-precision formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "dsp/butterworth.h"
#include "dsp/cmvn.h"
#include "dsp/flatten.h"
#include "dsp/image.h"
#include "dsp/moments.h"
#include "dsp/raw.h"
#include "dsp/spectral_analysis.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

constexpr double kPi = 3.14159265358979323846;

TEST(Raw, ScalesEverySample) {
  const std::vector<float> in = {1, -2, 3, 4, 5, -6};
  std::vector<float> out(6);
  ASSERT_EQ(raw_compute(RawParams{2, 0.5f}, in.data(), 3, out.data(), out.size()), rt::kOk);
  EXPECT_EQ(out, (std::vector<float>{0.5f, -1, 1.5f, 2, 2.5f, -3}));
  EXPECT_EQ(raw_compute(RawParams{2, 0.5f}, in.data(), 3, out.data(), 5), rt::kBadArgument);
}

TEST(Flatten, StatisticsOfASmallWindowByHand) {
  // Axis 0: 1 2 3 4 (interleaved with axis 1: 2 2 2 10).
  const std::vector<float> in = {1, 2, 2, 2, 3, 2, 4, 10};
  FlattenParams p{2, 1.0f, true, true, true, true, true, true, true};
  ASSERT_EQ(flatten_num_features(p), 7);
  std::vector<float> out(14);
  AlignedBuffer ws(flatten_workspace_bytes(p, 4));
  ASSERT_EQ(flatten_compute(p, in.data(), 4, out.data(), out.size(), ws.data(), ws.size()),
            rt::kOk);
  // mean 2.5, min 1, max 4, rms sqrt(30/4), stdev sqrt(1.25), skew 0,
  // kurtosis m4/m2^2 - 3 = 2.5625 / 1.5625 - 3.
  const std::vector<double> axis0 = {
      2.5, 1, 4, std::sqrt(7.5), std::sqrt(1.25), 0, 2.5625 / 1.5625 - 3};
  for (int i = 0; i < 7; ++i) EXPECT_NEAR(out[i], axis0[i], 1e-6) << i;
  // Axis 1: 2 2 2 10: mean 4, m2 = 12, m3 = (3 * (-8) + 216) / 4 = 48, m4 = (3 * 16 + 1296) / 4.
  EXPECT_NEAR(out[7], 4, 1e-6);
  EXPECT_NEAR(out[12], 48 / std::pow(12.0, 1.5), 1e-5);
  EXPECT_NEAR(out[13], (1344.0 / 4) / 144 - 3, 1e-5);
}

TEST(Flatten, OnlyEnabledStatisticsInReferenceOrder) {
  const std::vector<float> in = {1, 5, 3};
  FlattenParams p{1, 2.0f, false, false, true, false, false, false, false};
  p.average = true;
  std::vector<float> out(2);
  AlignedBuffer ws(flatten_workspace_bytes(p, 3));
  ASSERT_EQ(flatten_compute(p, in.data(), 3, out.data(), out.size(), ws.data(), ws.size()),
            rt::kOk);
  EXPECT_FLOAT_EQ(out[0], 6.0f);   // mean of 2, 10, 6
  EXPECT_FLOAT_EQ(out[1], 10.0f);  // max
}

TEST(Moments, MatchDoubleFormulasOnRandomData) {
  std::mt19937 rng(3);
  std::gamma_distribution<double> skewed(2.0, 1.5);
  std::vector<float> x(500);
  for (float& v : x) v = static_cast<float>(skewed(rng));
  double mean = 0;
  for (float v : x) mean += v;
  mean /= x.size();
  double m2 = 0, m3 = 0, m4 = 0;
  for (float v : x) {
    const double d = v - mean;
    m2 += d * d / x.size();
    m3 += d * d * d / x.size();
    m4 += d * d * d * d / x.size();
  }
  EXPECT_NEAR(moment_mean(x.data(), x.size(), 1), mean, 1e-5);
  EXPECT_NEAR(moment_stdev(x.data(), x.size(), 1), std::sqrt(m2), 1e-5);
  EXPECT_NEAR(moment_skewness(x.data(), x.size(), 1), m3 / std::pow(m2, 1.5), 1e-4);
  EXPECT_NEAR(moment_kurtosis(x.data(), x.size(), 1), m4 / (m2 * m2) - 3, 1e-3);
  const float constant[3] = {2, 2, 2};
  EXPECT_EQ(moment_skewness(constant, 3, 1), 0.0f);
  EXPECT_EQ(moment_kurtosis(constant, 3, 1), -3.0f);
}

// Steady-state amplitude from the RMS over the last 1000 samples (a whole number of periods for
// the test frequencies), so sampling of the peaks does not matter.
double sine_gain(const Butterworth& f, double hz, double fs) {
  std::vector<float> x(4000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(2 * kPi * hz * i / fs));
  butterworth_apply(f, x.data(), x.size());
  double squares = 0;
  for (size_t i = 3000; i < x.size(); ++i) squares += double{x[i]} * x[i];
  return std::sqrt(2 * squares / 1000);
}

TEST(Butterworth, LowPassAndHighPassResponses) {
  Butterworth low, high;
  ASSERT_EQ(butterworth_design(&low, false, 4, 1000, 100), nullptr);
  ASSERT_EQ(butterworth_design(&high, true, 4, 1000, 100), nullptr);
  // |H| = 1 / sqrt(1 + (w / wc)^(2n)) in the pre-warped frequency: -3 dB at the cutoff.
  EXPECT_NEAR(sine_gain(low, 100, 1000), std::sqrt(0.5), 0.01);
  EXPECT_NEAR(sine_gain(high, 100, 1000), std::sqrt(0.5), 0.01);
  EXPECT_NEAR(sine_gain(low, 10, 1000), 1.0, 0.01);
  EXPECT_LT(sine_gain(low, 400, 1000), 0.01);
  EXPECT_LT(sine_gain(high, 10, 1000), 0.01);
  std::vector<float> dc(2000, 3.0f);
  butterworth_apply(low, dc.data(), dc.size());
  EXPECT_NEAR(dc.back(), 3.0f, 1e-4);
}

// CMVN against a naive double implementation with numpy's symmetric padding written out.
TEST(Cmvn, MatchesNaiveSymmetricPaddedWindows) {
  const int rows = 7, cols = 3, win = 11;  // pad 5 > rows / 2: the reflection repeats
  std::mt19937 rng(11);
  std::normal_distribution<float> dist(0, 2);
  std::vector<float> f(rows * cols);
  for (float& v : f) v = dist(rng);
  auto padded = [&](const std::vector<double>& m, int p, int c) {
    // numpy "symmetric": period 2 * rows, mirrored including the edge sample.
    int q = ((p - win / 2) % (2 * rows) + 2 * rows) % (2 * rows);
    if (q >= rows) q = 2 * rows - 1 - q;
    return m[q * cols + c];
  };
  std::vector<double> m(f.begin(), f.end()), centred(rows * cols), want(rows * cols);
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < cols; ++c) {
      double s = 0;
      for (int p = i; p < i + win; ++p) s += padded(m, p, c);
      centred[i * cols + c] = m[i * cols + c] - s / win;
    }
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < cols; ++c) {
      double s = 0, q = 0;
      for (int p = i; p < i + win; ++p) s += padded(centred, p, c);
      for (int p = i; p < i + win; ++p) q += std::pow(padded(centred, p, c) - s / win, 2);
      want[i * cols + c] = centred[i * cols + c] / (std::sqrt(q / win) + 1e-10);
    }
  AlignedBuffer ws(cmvn_workspace_bytes(rows, cols, win));
  ASSERT_EQ(cmvn_apply(f.data(), rows, cols, win, true, ws.data(), ws.size()), rt::kOk);
  for (int i = 0; i < rows * cols; ++i) EXPECT_NEAR(f[i], want[i], 1e-4) << i;
}

ImageInput gray_ramp(std::vector<uint8_t>& pixels, int w, int h) {
  pixels.resize(w * h);
  for (int i = 0; i < w * h; ++i) pixels[i] = static_cast<uint8_t>(i * 10);
  return ImageInput{pixels.data(), w, h, 1};
}

TEST(Image, SameSizeSquashReproducesPixels) {
  const uint8_t rgb[2 * 2 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
  ImageParams p{2, 2, kResizeSquash, 3, 0.0f, 1.0f};
  std::vector<float> out(12);
  ASSERT_EQ(image_compute(p, ImageInput{rgb, 2, 2, 3}, out.data(), out.size()), rt::kOk);
  for (int i = 0; i < 12; ++i) EXPECT_FLOAT_EQ(out[i], rgb[i] / 255.0f);
  p.channels = 1;
  p.scale_min = -1;
  ASSERT_EQ(image_compute(p, ImageInput{rgb, 2, 2, 3}, out.data(), out.size()), rt::kOk);
  EXPECT_NEAR(out[0], -1 + 2 * 0.299, 1e-6);  // pure red -> luma 0.299
  EXPECT_NEAR(out[3], 1.0, 1e-6);             // white
}

TEST(Image, DownscaleByTwoAveragesPixelPairs) {
  std::vector<uint8_t> px;
  const ImageInput in = gray_ramp(px, 4, 1);  // 0 10 20 30
  ImageParams p{2, 1, kResizeSquash, 1, 0.0f, 255.0f};
  std::vector<float> out(2);
  ASSERT_EQ(image_compute(p, in, out.data(), out.size()), rt::kOk);
  EXPECT_FLOAT_EQ(out[0], 5.0f);  // centre of output pixel 0 sits between source 0 and 1
  EXPECT_FLOAT_EQ(out[1], 25.0f);
}

TEST(Image, FitLongestPadsAndFitShortestCrops) {
  std::vector<uint8_t> px;
  const ImageInput in = gray_ramp(px, 4, 2);  // wide image into a square
  std::vector<float> out(16);
  ImageParams p{4, 4, kResizeFitLongest, 1, 0.0f, 255.0f};
  ASSERT_EQ(image_compute(p, in, out.data(), out.size()), rt::kOk);
  for (int x = 0; x < 4; ++x) {
    EXPECT_EQ(out[x], 0.0f);       // top padding row
    EXPECT_EQ(out[12 + x], 0.0f);  // bottom padding row
    EXPECT_FLOAT_EQ(out[4 + x], px[x]);
    EXPECT_FLOAT_EQ(out[8 + x], px[4 + x]);
  }
  p = ImageParams{2, 2, kResizeFitShortest, 1, 0.0f, 255.0f};
  ASSERT_EQ(image_compute(p, in, out.data(), 4), rt::kOk);
  // The centre 2x2 of the 4x2 image: columns 1 and 2.
  EXPECT_FLOAT_EQ(out[0], px[1]);
  EXPECT_FLOAT_EQ(out[1], px[2]);
  EXPECT_FLOAT_EQ(out[2], px[5]);
  EXPECT_FLOAT_EQ(out[3], px[6]);
}

TEST(SpectralAnalysis, ToneShowsUpInItsBinAndTheStatisticsAreRight) {
  SpectralParams p{};
  p.sampling_frequency = 64;
  p.axes = 1;
  p.scale_axes = 1;
  p.implementation_version = 4;
  p.input_decimation_ratio = 1;
  p.filter_type = kFilterNone;
  p.fft_length = 32;
  p.do_log = false;
  p.do_fft_overlap = false;
  p.exact_log = true;
  // 256 samples of sin at 6 Hz (= bin 3 of a 32-point FFT at 64 Hz), amplitude 2.
  std::vector<float> x(256);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(2 * std::sin(2 * kPi * 6 * i / 64.0));
  ASSERT_EQ(spectral_num_features(p), 5 + 16);
  std::vector<float> out(21);
  AlignedBuffer ws(spectral_workspace_bytes(p, x.size()));
  ASSERT_EQ(spectral_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
            rt::kOk);
  EXPECT_NEAR(out[0], std::sqrt(2.0), 1e-4);  // RMS of a sine of amplitude 2
  EXPECT_NEAR(out[1], 0.0, 1e-3);             // symmetric: no skew
  EXPECT_NEAR(out[2], -1.5, 1e-3);            // kurtosis of a sine: 1.5 - 3
  // Bins 1..16 follow; |X_3| = 2 * 32 / 2 = 32 -> P = 32^2 / 32.
  for (int k = 1; k <= 16; ++k) EXPECT_NEAR(out[4 + k], k == 3 ? 32.0 : 0.0, 1e-3) << k;
}

}  // namespace
}  // namespace kiln::dsp
