// MFE and spectrogram streams over precomputed constant tables (what kiln deploy writes to flash)
// against streams that build their tables at run time: identical rows, bit for bit.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "dsp/mfe.h"
#include "dsp/spectrogram.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

std::vector<float> test_signal(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 700.0f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = noise(rng) + 5000.0f * std::sin(0.03f * static_cast<float>(i));
  }
  return x;
}

AudioFrameParams audio(float length, float stride, int32_t fft, int32_t version, int32_t window) {
  AudioFrameParams a{};
  a.sampling_frequency = 16000;
  a.frame_length = length;
  a.frame_stride = stride;
  a.fft_length = fft;
  a.implementation_version = version;
  a.window = window;
  return a;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return !a.empty() && a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Feeds the whole signal in chunks of `chunk` samples through an initialized stream.
template <typename Stream, typename FramesFor, typename Feed>
std::vector<float> feed_all(Stream* stream, const std::vector<float>& x, size_t chunk,
                            int32_t features, FramesFor frames_for, Feed feed) {
  std::vector<float> out;
  for (size_t at = 0; at < x.size(); at += chunk) {
    const size_t count = std::min(chunk, x.size() - at);
    const size_t frames = frames_for(*stream, count);
    std::vector<float> rows(std::max<size_t>(frames, 1) * features);
    size_t written = 0;
    EXPECT_EQ(feed(stream, x.data() + at, count, rows.data(), frames, &written), rt::kOk);
    out.insert(out.end(), rows.begin(), rows.begin() + written * features);
  }
  return out;
}

// Copies a power spectrum's tables into vectors (as the generated library holds them).
struct SpectrumCopy {
  SpectrumCopy(const PowerSpectrumTables& t, const AudioTableSizes& z)
      : twiddle(t.twiddle, t.twiddle + z.twiddle_floats),
        bit_reverse(t.bit_reverse, t.bit_reverse + z.bit_reverse_count) {
    if (z.window_floats > 0) window.assign(t.window, t.window + z.window_floats);
  }
  PowerSpectrumTables tables() const {
    return {twiddle.data(), bit_reverse.data(), window.empty() ? nullptr : window.data()};
  }
  std::vector<float> twiddle, window;
  std::vector<uint16_t> bit_reverse;
};

TEST(AudioTables, MfeRowsAreIdenticalWithPrecomputedTables) {
  for (int32_t window : {kWindowNone, kWindowHann}) {
    MfeParams p{};
    p.audio = audio(0.02f, 0.01f, 256, 4, window);
    p.num_filters = 40;
    p.noise_floor_db = -52;
    AudioTableSizes z{};
    ASSERT_TRUE(mfe_table_sizes(p, &z));
    EXPECT_EQ(z.mel_edges, 42u);
    EXPECT_EQ(z.dct_floats, 0u);
    EXPECT_EQ(z.window_floats, window == kWindowNone ? 0u : 256u);
    AlignedBuffer memory(mfe_tables_bytes(p));
    MfeTables built{};
    ASSERT_EQ(mfe_tables_build(&built, p, memory.data(), memory.size()), rt::kOk);
    const SpectrumCopy spectrum(built.spectrum, z);
    const std::vector<int32_t> edges(built.bank.edges, built.bank.edges + z.mel_edges);
    const std::vector<int32_t> starts(built.bank.weight_start,
                                      built.bank.weight_start + z.mel_weight_starts);
    const std::vector<float> weights(built.bank.weights, built.bank.weights + z.mel_weights);
    MfeTables copied{};
    copied.spectrum = spectrum.tables();
    copied.bank.num_filters = 40;
    copied.bank.edges = edges.data();
    copied.bank.weight_start = starts.data();
    copied.bank.weights = weights.data();

    const std::vector<float> x = test_signal(16000, 3);
    AlignedBuffer own_ws(mfe_stream_workspace_bytes(p)), flash_ws(mfe_stream_buffers_bytes(p));
    EXPECT_LT(flash_ws.size(), own_ws.size());
    MfeStream own, flash;
    ASSERT_EQ(mfe_stream_init(&own, p, own_ws.data(), own_ws.size()), rt::kOk);
    ASSERT_EQ(mfe_stream_init_with_tables(&flash, p, copied, flash_ws.data(), flash_ws.size()),
              rt::kOk);
    const std::vector<float> a = feed_all(&own, x, 160, 40, mfe_stream_frames_for, mfe_stream_feed);
    const std::vector<float> b =
        feed_all(&flash, x, 77, 40, mfe_stream_frames_for, mfe_stream_feed);
    EXPECT_EQ(a.size(), static_cast<size_t>(mfe_num_frames(p, x.size())) * 40u);
    EXPECT_TRUE(bitwise_equal(a, b)) << "window " << window;
  }
}

TEST(AudioTables, SpectrogramRowsAreIdenticalWithPrecomputedTables) {
  for (int32_t window : {kWindowNone, kWindowHamming}) {
    SpectrogramParams p{};
    p.audio = audio(0.02f, 0.01f, 128, 3, window);
    p.noise_floor_db = -52;
    AudioTableSizes z{};
    ASSERT_TRUE(spectrogram_table_sizes(p, &z));
    EXPECT_EQ(z.twiddle_floats, 128u);
    EXPECT_EQ(z.bit_reverse_count, 64u);
    EXPECT_EQ(z.mel_weights, 0u);
    AlignedBuffer memory(spectrogram_tables_bytes(p));
    PowerSpectrumTables built{};
    ASSERT_EQ(spectrogram_tables_build(&built, p, memory.data(), memory.size()), rt::kOk);
    const SpectrumCopy copy(built, z);

    const std::vector<float> x = test_signal(16000, 4);
    const int32_t features = spectrogram_num_features(p);
    AlignedBuffer own_ws(spectrogram_stream_workspace_bytes(p));
    AlignedBuffer flash_ws(spectrogram_stream_buffers_bytes(p));
    SpectrogramStream own, flash;
    ASSERT_EQ(spectrogram_stream_init(&own, p, own_ws.data(), own_ws.size()), rt::kOk);
    ASSERT_EQ(spectrogram_stream_init_with_tables(&flash, p, copy.tables(), flash_ws.data(),
                                                  flash_ws.size()),
              rt::kOk);
    EXPECT_EQ(spectrogram_stream_init_with_tables(&flash, p, copy.tables(), flash_ws.data(),
                                                  spectrogram_stream_buffers_bytes(p) - 1),
              rt::kBadArgument);
    ASSERT_EQ(spectrogram_stream_init_with_tables(&flash, p, copy.tables(), flash_ws.data(),
                                                  flash_ws.size()),
              rt::kOk);
    const std::vector<float> a =
        feed_all(&own, x, 1000, features, spectrogram_stream_frames_for, spectrogram_stream_feed);
    const std::vector<float> b =
        feed_all(&flash, x, 33, features, spectrogram_stream_frames_for, spectrogram_stream_feed);
    EXPECT_TRUE(bitwise_equal(a, b)) << "window " << window;
  }
}

}  // namespace
}  // namespace kiln::dsp
