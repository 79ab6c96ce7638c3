// Analytic checks of the audio blocks: tones land in the right FFT bin and mel filter, silence
// sits at the noise floor, and a known power maps to the value the dB formula predicts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dsp/mel_filterbank.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/spectrogram.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

constexpr double kPi = 3.14159265358979323846;

AudioFrameParams audio(float length, float stride, int32_t fft, int32_t version = 4) {
  AudioFrameParams a{};
  a.sampling_frequency = 16000;
  a.frame_length = length;
  a.frame_stride = stride;
  a.fft_length = fft;
  a.implementation_version = version;
  a.window = kWindowNone;
  a.exact_log = true;
  return a;
}

std::vector<float> tone(double hz, double amplitude, size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(amplitude * std::sin(2 * kPi * hz * i / 16000.0));
  return x;
}

// Mel filter edges for v4, computed independently in double precision.
std::vector<int> edges_in_double(int filters, int fft, double low, double high) {
  auto mel = [](double f) { return 1127.0 * std::log(1.0 + f / 700.0); };
  std::vector<int> edges;
  for (int i = 0; i < filters + 2; ++i) {
    const double m = mel(low) + (mel(high) - mel(low)) * i / (filters + 1);
    double hz = 700.0 * (std::exp(m / 1127.0) - 1.0);
    if (i == filters + 1) hz = high - 0.001;
    edges.push_back(static_cast<int>(std::floor((fft + 1) * hz / 16000.0)));
  }
  return edges;
}

TEST(AudioAnalytic, MelEdgesMatchAnIndependentComputation) {
  const MelFilterbankSpec spec = mel_filterbank_spec(40, 512, 16000, 0, 0, 4, true);
  const std::vector<int> want = edges_in_double(40, 512, 0, 8000);
  for (int i = 0; i < 42; ++i) EXPECT_EQ(mel_edge_bin(spec, i), want[i]) << "edge " << i;
}

TEST(AudioAnalytic, ToneAtAFilterCentreExcitesThatFilterOnly) {
  MfeParams p{};
  p.audio = audio(0.032f, 0.032f, 512);  // frame == FFT: no truncation, no leakage on bins
  p.num_filters = 40;
  p.noise_floor_db = -100;
  const std::vector<int> edges = edges_in_double(40, 512, 0, 8000);
  for (int filter : {12, 25, 37}) {
    const int bin = edges[filter + 1];  // the filter's middle (weight 1)
    const std::vector<float> x = tone(bin * 16000.0 / 512, 0.5, 512 * 4);
    const int32_t frames = mfe_num_frames(p, x.size());
    std::vector<float> out(frames * 40);
    AlignedBuffer ws(mfe_workspace_bytes(p));
    ASSERT_EQ(mfe_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
              rt::kOk);
    for (int f = 1; f < frames; ++f) {  // frame 0 holds the pre-emphasis wrap-around click
      const float* row = out.data() + f * 40;
      EXPECT_EQ(std::max_element(row, row + 40) - row, filter) << "frame " << f;
    }
  }
}

TEST(AudioAnalytic, ToneAtABinFrequencyPeaksInThatSpectrogramBin) {
  SpectrogramParams p{};
  p.audio = audio(0.016f, 0.008f, 256, 3);  // 256-sample frames
  p.noise_floor_db = -100;
  for (int bin : {3, 40, 100}) {
    const std::vector<float> x = tone(bin * 16000.0 / 256, 0.25, 4000);
    const int32_t frames = spectrogram_num_frames(p, x.size());
    std::vector<float> out(frames * 129);
    AlignedBuffer ws(spectrogram_workspace_bytes(p));
    ASSERT_EQ(
        spectrogram_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
        rt::kOk);
    for (int f = 0; f < frames; ++f) {
      const float* row = out.data() + f * 129;
      EXPECT_EQ(std::max_element(row, row + 129) - row, bin);
    }
  }
}

TEST(AudioAnalytic, SilenceSitsAtTheNoiseFloor) {
  const std::vector<float> silence(8000, 0.0f);
  SpectrogramParams sp{};
  sp.audio = audio(0.02f, 0.01f, 128, 3);
  sp.noise_floor_db = -52;
  std::vector<float> s(spectrogram_num_frames(sp, silence.size()) * 65);
  AlignedBuffer sws(spectrogram_workspace_bytes(sp));
  ASSERT_EQ(spectrogram_compute(sp, silence.data(), silence.size(), s.data(), s.size(), sws.data(),
                                sws.size()),
            rt::kOk);
  for (float v : s) ASSERT_EQ(v, 0.0f);

  MfeParams mp{};
  mp.audio = audio(0.02f, 0.01f, 256);
  mp.num_filters = 40;
  mp.noise_floor_db = -52;
  std::vector<float> m(mfe_num_frames(mp, silence.size()) * 40);
  AlignedBuffer mws(mfe_workspace_bytes(mp));
  ASSERT_EQ(
      mfe_compute(mp, silence.data(), silence.size(), m.data(), m.size(), mws.data(), mws.size()),
      rt::kOk);
  for (float v : m) ASSERT_EQ(v, 0.0f);

  // MFCC of silence: every mel energy is the 1e-10 floor, so c0 = ln(1e-10) and the other
  // coefficients (DCT of a constant) vanish.
  MfccParams cp{};
  cp.audio = audio(0.02f, 0.02f, 256);
  cp.num_filters = 32;
  cp.num_cepstral = 13;
  cp.low_frequency = 300;
  cp.pre_cof = 0.98f;
  cp.pre_shift = 1;
  cp.win_size = 101;
  std::vector<float> c(mfcc_num_frames(cp, silence.size()) * 13);
  AlignedBuffer cws(mfcc_workspace_bytes(cp, silence.size()));
  ASSERT_EQ(mfcc_compute_cepstra(cp, silence.data(), silence.size(), c.data(), c.size(), cws.data(),
                                 cws.size()),
            rt::kOk);
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_NEAR(c[i], i % 13 == 0 ? std::log(1e-10) : 0.0, 1e-4) << i;
  }
}

TEST(AudioAnalytic, KnownPowerMapsThroughTheDecibelFormula) {
  // A constant c inside [-1, 1] over a 128-sample frame: P[0] = (128 c)^2 / 128, all other
  // bins 0 (-> 1e-10 -> clipped to 0).
  SpectrogramParams p{};
  p.audio = audio(0.008f, 0.008f, 128, 3);
  p.noise_floor_db = -52;
  const double c = 0.01;
  const std::vector<float> x(1280, static_cast<float>(c));
  std::vector<float> out(10 * 65);
  AlignedBuffer ws(spectrogram_workspace_bytes(p));
  ASSERT_EQ(
      spectrogram_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
      rt::kOk);
  const double db = 10.0 * std::log10(c * c * 128);
  const double want = std::clamp((db + 52.0) / 64.0, 0.0, 1.0);
  for (int f = 0; f < 10; ++f) {
    EXPECT_NEAR(out[f * 65], want, 1e-5);
    for (int k = 1; k < 65; ++k) EXPECT_EQ(out[f * 65 + k], 0.0f);
  }
}

TEST(AudioAnalytic, Int16ScaledFramesAreDividedBy32768) {
  // The same tone once in [-1, 1] and once in int16 units gives the same spectrogram.
  SpectrogramParams p{};
  p.audio = audio(0.02f, 0.01f, 256, 3);
  p.noise_floor_db = -80;
  const std::vector<float> unit = tone(1000, 0.5, 4000);
  std::vector<float> int16(unit.size());
  for (size_t i = 0; i < unit.size(); ++i) int16[i] = unit[i] * 32768.0f;
  const int32_t frames = spectrogram_num_frames(p, unit.size());
  std::vector<float> a(frames * 129), b(frames * 129);
  AlignedBuffer ws(spectrogram_workspace_bytes(p));
  ASSERT_EQ(
      spectrogram_compute(p, unit.data(), unit.size(), a.data(), a.size(), ws.data(), ws.size()),
      rt::kOk);
  ASSERT_EQ(
      spectrogram_compute(p, int16.data(), int16.size(), b.data(), b.size(), ws.data(), ws.size()),
      rt::kOk);
  EXPECT_EQ(a, b);
}

TEST(AudioAnalytic, HannWindowSuppressesLeakageOfAnOffBinTone) {
  SpectrogramParams p{};
  p.audio = audio(0.016f, 0.016f, 256, 3);
  p.noise_floor_db = -120;
  const std::vector<float> x = tone(40.5 * 16000.0 / 256, 0.5, 2560);  // half-way between bins
  auto far_bin_level = [&](Window w) {
    p.audio.window = w;
    std::vector<float> out(10 * 129);
    AlignedBuffer ws(spectrogram_workspace_bytes(p));
    EXPECT_EQ(
        spectrogram_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size()),
        rt::kOk);
    return out[2 * 129 + 100];  // 60 bins away from the tone
  };
  EXPECT_LT(far_bin_level(kWindowHann) + 0.2f, far_bin_level(kWindowNone));
}

}  // namespace
}  // namespace kiln::dsp
