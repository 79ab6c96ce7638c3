// MFCC over precomputed constant tables (what kiln deploy writes to flash) against MFCC that
// builds its tables at run time: the rows must be identical bit for bit. Also checks the tables
// themselves against their defining formulas, computed independently here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "dsp/mfcc.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

constexpr double kPi = 3.14159265358979323846;

std::vector<float> test_signal(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 900.0f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = noise(rng) + 6000.0f * std::sin(0.07f * static_cast<float>(i));
  }
  return x;
}

// The fast-kernels target: 13 coefficients, 40 filters, FFT 256, 0.02 s frames and stride.
MfccParams target_params() {
  MfccParams p{};
  p.audio.sampling_frequency = 16000;
  p.audio.frame_length = 0.02f;
  p.audio.frame_stride = 0.02f;
  p.audio.fft_length = 256;
  p.audio.implementation_version = 4;
  p.audio.window = kWindowNone;
  p.num_filters = 40;
  p.num_cepstral = 13;
  p.low_frequency = 20;
  p.pre_cof = 0.98f;
  p.pre_shift = 1;
  p.win_size = 101;
  return p;
}

// Copies of every table in separate arrays, as the generated library holds them.
struct CopiedTables {
  explicit CopiedTables(const MfccParams& p) {
    EXPECT_TRUE(mfcc_table_sizes(p, &sizes));
    AlignedBuffer memory(mfcc_tables_bytes(p));
    MfccTables built{};
    EXPECT_EQ(mfcc_tables_build(&built, p, memory.data(), memory.size()), rt::kOk);
    twiddle.assign(built.spectrum.twiddle, built.spectrum.twiddle + sizes.twiddle_floats);
    bit_reverse.assign(built.spectrum.bit_reverse,
                       built.spectrum.bit_reverse + sizes.bit_reverse_count);
    if (sizes.window_floats > 0) {
      window.assign(built.spectrum.window, built.spectrum.window + sizes.window_floats);
    }
    edges.assign(built.bank.edges, built.bank.edges + sizes.mel_edges);
    starts.assign(built.bank.weight_start, built.bank.weight_start + sizes.mel_weight_starts);
    weights.assign(built.bank.weights, built.bank.weights + sizes.mel_weights);
    dct.assign(built.dct, built.dct + sizes.dct_floats);
    tables.spectrum.twiddle = twiddle.data();
    tables.spectrum.bit_reverse = bit_reverse.data();
    tables.spectrum.window = window.empty() ? nullptr : window.data();
    tables.bank.num_filters = built.bank.num_filters;
    tables.bank.edges = edges.data();
    tables.bank.weight_start = starts.data();
    tables.bank.weights = weights.data();
    tables.dct = dct.data();
  }
  AudioTableSizes sizes{};
  std::vector<float> twiddle, window, weights, dct;
  std::vector<uint16_t> bit_reverse;
  std::vector<int32_t> edges, starts;
  MfccTables tables{};
};

// Rows of a stream fed in chunks of `chunk` samples, over its own or the given tables.
std::vector<float> stream_rows(const MfccParams& p, const MfccTables* tables,
                               const std::vector<float>& signal, size_t chunk) {
  const size_t bytes = tables ? mfcc_stream_buffers_bytes(p) : mfcc_stream_workspace_bytes(p);
  AlignedBuffer ws(bytes);
  MfccStream stream;
  const Status status =
      tables ? mfcc_stream_init_with_tables(&stream, p, *tables, ws.data(), ws.size())
             : mfcc_stream_init(&stream, p, ws.data(), ws.size());
  EXPECT_EQ(status, rt::kOk);
  if (status != rt::kOk) return {};
  mfcc_stream_set_history(&stream, signal.data(), static_cast<int32_t>(signal.size()));
  std::vector<float> out;
  for (size_t at = 0; at < signal.size(); at += chunk) {
    const size_t count = std::min(chunk, signal.size() - at);
    const size_t frames = mfcc_stream_frames_for(stream, count);
    std::vector<float> rows(std::max<size_t>(frames, 1) * p.num_cepstral);
    size_t written = 0;
    EXPECT_EQ(mfcc_stream_feed(&stream, signal.data() + at, count, rows.data(), frames, &written),
              rt::kOk);
    out.insert(out.end(), rows.begin(), rows.begin() + written * p.num_cepstral);
  }
  return out;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expect_tables_path_identical(const MfccParams& p) {
  ASSERT_EQ(mfcc_check(p), nullptr);
  const std::vector<float> signal = test_signal(16000, 5);
  const int32_t frames = mfcc_num_frames(p, signal.size());
  ASSERT_GT(frames, 2);
  std::vector<float> batch(static_cast<size_t>(frames) * p.num_cepstral);
  AlignedBuffer ws(mfcc_workspace_bytes(p, signal.size()));
  ASSERT_EQ(mfcc_compute_cepstra(p, signal.data(), signal.size(), batch.data(), batch.size(),
                                 ws.data(), ws.size()),
            rt::kOk);
  const CopiedTables copied(p);
  for (size_t chunk : {size_t{1}, size_t{97}, size_t{256}, size_t{320}, size_t{5000}}) {
    const std::vector<float> own = stream_rows(p, nullptr, signal, chunk);
    const std::vector<float> flash = stream_rows(p, &copied.tables, signal, chunk);
    EXPECT_TRUE(bitwise_equal(own, batch)) << "chunk " << chunk;
    EXPECT_TRUE(bitwise_equal(flash, batch)) << "chunk " << chunk;
  }
}

TEST(MfccTables, TargetConfigurationRowsAreIdenticalWithPrecomputedTables) {
  expect_tables_path_identical(target_params());
}

TEST(MfccTables, WindowedOverlappingAndZeroPaddedFramesAreIdenticalToo) {
  MfccParams p = target_params();
  p.audio.window = kWindowHamming;
  p.audio.frame_length = 0.0125f;  // 200 samples: zero-padded to the FFT
  p.audio.frame_stride = 0.01f;    // overlapping frames
  p.pre_shift = 2;
  p.num_filters = 32;
  expect_tables_path_identical(p);
  p.audio.window = kWindowHann;
  p.audio.frame_length = 0.025f;  // 400 samples: truncated to the FFT, frames overlap
  p.audio.fft_length = 512;
  p.pre_cof = 0.0f;
  expect_tables_path_identical(p);
}

TEST(MfccTables, NormalizedWindowIsIdenticalWithPrecomputedTables) {
  const MfccParams p = target_params();
  const std::vector<float> signal = test_signal(16000, 9);
  const int32_t frames = mfcc_num_frames(p, signal.size());
  std::vector<float> want(static_cast<size_t>(frames) * p.num_cepstral);
  AlignedBuffer ws(mfcc_workspace_bytes(p, signal.size()));
  ASSERT_EQ(
      mfcc_compute(p, signal.data(), signal.size(), want.data(), want.size(), ws.data(), ws.size()),
      rt::kOk);
  const CopiedTables copied(p);
  std::vector<float> got = stream_rows(p, &copied.tables, signal, 320);
  ASSERT_EQ(got.size(), want.size());
  AlignedBuffer nws(mfcc_normalize_workspace_bytes(p, frames));
  ASSERT_EQ(mfcc_normalize(p, got.data(), frames, nws.data(), nws.size()), rt::kOk);
  EXPECT_TRUE(bitwise_equal(got, want));
}

TEST(MfccTables, TablesFollowTheirFormulas) {
  const MfccParams p = target_params();
  const CopiedTables t(p);
  const int32_t n = p.audio.fft_length, nf = p.num_filters;
  ASSERT_EQ(t.sizes.twiddle_floats, static_cast<size_t>(n));
  ASSERT_EQ(t.sizes.bit_reverse_count, static_cast<size_t>(n / 2));
  EXPECT_EQ(t.sizes.window_floats, 0u);
  for (int32_t k = 0; k < n / 2; ++k) {
    EXPECT_NEAR(t.twiddle[2 * k], std::cos(2 * kPi * k / n), 1e-7) << k;
    EXPECT_NEAR(t.twiddle[2 * k + 1], -std::sin(2 * kPi * k / n), 1e-7) << k;
  }
  // Bit reversal over 7 bits: an involution; spot values by hand.
  EXPECT_EQ(t.bit_reverse[1], 64);
  EXPECT_EQ(t.bit_reverse[3], 96);
  EXPECT_EQ(t.bit_reverse[6], 48);
  for (int32_t i = 0; i < n / 2; ++i) EXPECT_EQ(t.bit_reverse[t.bit_reverse[i]], i);
  // DCT-II rows are orthonormal.
  for (int32_t a = 0; a < p.num_cepstral; ++a) {
    for (int32_t b = 0; b < p.num_cepstral; ++b) {
      double dot = 0;
      for (int32_t i = 0; i < nf; ++i) dot += double{t.dct[a * nf + i]} * t.dct[b * nf + i];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-6) << a << " " << b;
    }
  }
  // Filterbank: increasing edges, one weight table entry per bin strictly inside each triangle.
  ASSERT_EQ(t.sizes.mel_edges, static_cast<size_t>(nf + 2));
  size_t total = 0;
  for (int32_t i = 0; i < nf; ++i) {
    EXPECT_LE(t.edges[i], t.edges[i + 1]);
    EXPECT_EQ(t.starts[i], static_cast<int32_t>(total));
    const int32_t inside = std::max(0, t.edges[i + 2] - t.edges[i] - 1) -
                           (t.edges[i + 1] > t.edges[i] && t.edges[i + 1] < t.edges[i + 2] ? 1 : 0);
    total += static_cast<size_t>(inside);
  }
  EXPECT_EQ(t.starts[nf], static_cast<int32_t>(total));
  EXPECT_EQ(t.sizes.mel_weights, total);
}

TEST(MfccTables, BuffersAloneAreSmallerAndCheckedForSize) {
  const MfccParams p = target_params();
  const size_t buffers = mfcc_stream_buffers_bytes(p);
  EXPECT_GT(buffers, 0u);
  EXPECT_LT(buffers, mfcc_stream_workspace_bytes(p));
  const CopiedTables copied(p);
  AlignedBuffer ws(buffers);
  MfccStream stream;
  EXPECT_EQ(mfcc_stream_init_with_tables(&stream, p, copied.tables, ws.data(), buffers - 1),
            rt::kBadArgument);
  MfccTables wrong = copied.tables;
  wrong.bank.num_filters = 39;
  EXPECT_EQ(mfcc_stream_init_with_tables(&stream, p, wrong, ws.data(), buffers), rt::kBadArgument);
  EXPECT_EQ(mfcc_stream_init_with_tables(&stream, p, copied.tables, ws.data(), buffers), rt::kOk);
}

}  // namespace
}  // namespace kiln::dsp
