// Streaming == batch: the audio blocks fed in random chunks produce exactly (bit for bit) the
// frames of the batch computation.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/spectrogram.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

std::vector<float> test_signal(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 800.0f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = noise(rng) + 5000.0f * std::sin(0.05f * static_cast<float>(i));
  }
  return x;
}

// Random chunk sizes from 0 (an empty feed is legal) up to a few frames.
std::vector<size_t> random_split(size_t total, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> size(0, 900);
  std::vector<size_t> chunks;
  for (size_t used = 0; used < total;) {
    const size_t c = std::min(size(rng), total - used);
    chunks.push_back(c);
    used += c;
  }
  return chunks;
}

AudioFrameParams audio(float length, float stride, int32_t fft, int32_t version) {
  AudioFrameParams a{};
  a.sampling_frequency = 16000;
  a.frame_length = length;
  a.frame_stride = stride;
  a.fft_length = fft;
  a.implementation_version = version;
  a.window = kWindowNone;
  return a;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Feeds `signal` in the given chunks; checks frames_for() predicts every call.
template <typename Stream, typename FramesFor, typename Feed>
std::vector<float> run_stream(Stream* stream, const std::vector<float>& signal,
                              const std::vector<size_t>& chunks, int32_t features,
                              FramesFor frames_for, Feed feed) {
  std::vector<float> out;
  size_t at = 0;
  for (size_t chunk : chunks) {
    const size_t expected = frames_for(*stream, chunk);
    std::vector<float> rows(std::max<size_t>(expected, 1) * features);
    size_t written = 0;
    EXPECT_EQ(feed(stream, signal.data() + at, chunk, rows.data(), expected, &written), rt::kOk);
    EXPECT_EQ(written, expected);
    out.insert(out.end(), rows.begin(), rows.begin() + written * features);
    at += chunk;
  }
  return out;
}

TEST(Streaming, SpectrogramEqualsBatchForRandomSplits) {
  SpectrogramParams p{};
  p.audio = audio(0.02f, 0.01f, 256, 3);
  p.noise_floor_db = -52;
  const std::vector<float> signal = test_signal(16000, 1);
  const int32_t frames = spectrogram_num_frames(p, signal.size());
  const int32_t features = spectrogram_num_features(p);
  std::vector<float> batch(frames * features);
  AlignedBuffer ws(spectrogram_workspace_bytes(p));
  ASSERT_EQ(spectrogram_compute(p, signal.data(), signal.size(), batch.data(), batch.size(),
                                ws.data(), ws.size()),
            rt::kOk);
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    AlignedBuffer sws(spectrogram_stream_workspace_bytes(p));
    SpectrogramStream stream;
    ASSERT_EQ(spectrogram_stream_init(&stream, p, sws.data(), sws.size()), rt::kOk);
    const std::vector<float> streamed =
        run_stream(&stream, signal, random_split(signal.size(), seed), features,
                   spectrogram_stream_frames_for, spectrogram_stream_feed);
    EXPECT_TRUE(bitwise_equal(streamed, batch)) << "seed " << seed;
  }
}

TEST(Streaming, MfeEqualsBatchForRandomSplits) {
  MfeParams p{};
  p.audio = audio(0.025f, 0.01f, 512, 4);
  p.num_filters = 32;
  p.noise_floor_db = -60;
  const std::vector<float> signal = test_signal(12345, 2);
  const int32_t frames = mfe_num_frames(p, signal.size());
  std::vector<float> batch(frames * p.num_filters);
  AlignedBuffer ws(mfe_workspace_bytes(p));
  ASSERT_EQ(mfe_compute(p, signal.data(), signal.size(), batch.data(), batch.size(), ws.data(),
                        ws.size()),
            rt::kOk);
  for (uint32_t seed = 10; seed < 15; ++seed) {
    AlignedBuffer sws(mfe_stream_workspace_bytes(p));
    MfeStream stream;
    ASSERT_EQ(mfe_stream_init(&stream, p, sws.data(), sws.size()), rt::kOk);
    // The batch form wraps the first pre-emphasis sample around to the signal's end.
    mfe_stream_set_history(&stream, signal.data(), static_cast<int32_t>(signal.size()));
    const std::vector<float> streamed =
        run_stream(&stream, signal, random_split(signal.size(), seed), p.num_filters,
                   mfe_stream_frames_for, mfe_stream_feed);
    EXPECT_TRUE(bitwise_equal(streamed, batch)) << "seed " << seed;
  }
}

TEST(Streaming, MfccCepstraEqualBatchAndNormalizeToTheBatchResult) {
  MfccParams p{};
  p.audio = audio(0.032f, 0.016f, 512, 4);
  p.num_filters = 40;
  p.num_cepstral = 13;
  p.low_frequency = 100;
  p.pre_cof = 0.97f;
  p.pre_shift = 3;
  p.win_size = 51;
  const std::vector<float> signal = test_signal(16000, 3);
  const int32_t frames = mfcc_num_frames(p, signal.size());
  std::vector<float> cepstra(frames * 13), normalized(frames * 13);
  AlignedBuffer ws(mfcc_workspace_bytes(p, signal.size()));
  ASSERT_EQ(mfcc_compute_cepstra(p, signal.data(), signal.size(), cepstra.data(), cepstra.size(),
                                 ws.data(), ws.size()),
            rt::kOk);
  ASSERT_EQ(mfcc_compute(p, signal.data(), signal.size(), normalized.data(), normalized.size(),
                         ws.data(), ws.size()),
            rt::kOk);
  for (uint32_t seed = 20; seed < 25; ++seed) {
    AlignedBuffer sws(mfcc_stream_workspace_bytes(p));
    MfccStream stream;
    ASSERT_EQ(mfcc_stream_init(&stream, p, sws.data(), sws.size()), rt::kOk);
    mfcc_stream_set_history(&stream, signal.data(), static_cast<int32_t>(signal.size()));
    std::vector<float> streamed = run_stream(&stream, signal, random_split(signal.size(), seed), 13,
                                             mfcc_stream_frames_for, mfcc_stream_feed);
    EXPECT_TRUE(bitwise_equal(streamed, cepstra)) << "seed " << seed;
    AlignedBuffer nws(mfcc_normalize_workspace_bytes(p, frames));
    ASSERT_EQ(mfcc_normalize(p, streamed.data(), frames, nws.data(), nws.size()), rt::kOk);
    EXPECT_TRUE(bitwise_equal(streamed, normalized)) << "seed " << seed;
  }
}

TEST(Streaming, DefaultHistoryIsSilence) {
  // With the signal ending in silence, the reference's wrap-around reads zeros, which is what a
  // fresh stream assumes.
  MfeParams p{};
  p.audio = audio(0.02f, 0.02f, 256, 4);
  p.num_filters = 20;
  p.noise_floor_db = -52;
  std::vector<float> signal = test_signal(4000, 4);
  signal.back() = 0.0f;
  const int32_t frames = mfe_num_frames(p, signal.size());
  std::vector<float> batch(frames * 20), streamed(frames * 20);
  AlignedBuffer ws(mfe_workspace_bytes(p));
  ASSERT_EQ(mfe_compute(p, signal.data(), signal.size(), batch.data(), batch.size(), ws.data(),
                        ws.size()),
            rt::kOk);
  AlignedBuffer sws(mfe_stream_workspace_bytes(p));
  MfeStream stream;
  ASSERT_EQ(mfe_stream_init(&stream, p, sws.data(), sws.size()), rt::kOk);
  size_t written = 0;
  ASSERT_EQ(
      mfe_stream_feed(&stream, signal.data(), signal.size(), streamed.data(), frames, &written),
      rt::kOk);
  EXPECT_EQ(written, static_cast<size_t>(frames));
  EXPECT_TRUE(bitwise_equal(streamed, batch));
}

TEST(Streaming, StrideLongerThanFrameSkipsTheGap) {
  SpectrogramParams p{};
  p.audio = audio(0.01f, 0.025f, 256, 3);  // 160-sample frames every 400 samples
  p.noise_floor_db = -80;
  const std::vector<float> signal = test_signal(5000, 5);
  const int32_t frames = spectrogram_num_frames(p, signal.size());
  EXPECT_EQ(frames, (5000 - 160) / 400 + 1);
  const int32_t features = spectrogram_num_features(p);
  std::vector<float> batch(frames * features);
  AlignedBuffer ws(spectrogram_workspace_bytes(p));
  ASSERT_EQ(spectrogram_compute(p, signal.data(), signal.size(), batch.data(), batch.size(),
                                ws.data(), ws.size()),
            rt::kOk);
  AlignedBuffer sws(spectrogram_stream_workspace_bytes(p));
  SpectrogramStream stream;
  ASSERT_EQ(spectrogram_stream_init(&stream, p, sws.data(), sws.size()), rt::kOk);
  const std::vector<float> streamed =
      run_stream(&stream, signal, random_split(signal.size(), 77), features,
                 spectrogram_stream_frames_for, spectrogram_stream_feed);
  EXPECT_TRUE(bitwise_equal(streamed, batch));
}

TEST(Streaming, RefusesToOverflowTheOutputAndConsumesNothing) {
  SpectrogramParams p{};
  p.audio = audio(0.02f, 0.01f, 128, 3);
  p.noise_floor_db = -52;
  AlignedBuffer sws(spectrogram_stream_workspace_bytes(p));
  SpectrogramStream stream;
  ASSERT_EQ(spectrogram_stream_init(&stream, p, sws.data(), sws.size()), rt::kOk);
  const std::vector<float> signal = test_signal(1000, 6);
  ASSERT_EQ(spectrogram_stream_frames_for(stream, 1000), 5u);  // (1000 - 320) / 160 + 1
  std::vector<float> out(5 * 65);
  size_t written = 123;
  EXPECT_EQ(spectrogram_stream_feed(&stream, signal.data(), 1000, out.data(), 4, &written),
            rt::kBadArgument);
  EXPECT_EQ(written, 0u);
  EXPECT_EQ(spectrogram_stream_frames_for(stream, 1000), 5u);
}

}  // namespace
}  // namespace kiln::dsp
