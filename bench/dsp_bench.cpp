// Host timings of the audio DSP blocks: microseconds per 1 s window at 16 kHz with the reference
// parameters of the shared test data (MFCC v4, MFE v4, spectrogram v3). Two baselines are measured
// in the same run and the blocks are reported relative to them:
//   - MemcpyWindow: copying the 16000-sample window (a floor: touching the data once);
//   - NaiveDftMfeFraming: the power spectra of the MFE framing (99 frames, 256 points) computed
//     with a table-driven O(N^2) DFT, i.e. what the blocks would cost without an FFT.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/spectrogram.h"

namespace {

using namespace kiln::dsp;

constexpr int kRate = 16000;

std::vector<float> one_second_window() {
  // Deterministic test audio (tone + chirp + noise) in int16 units, like the shared synth1.
  std::vector<float> x(kRate);
  uint32_t s = 0x12345678;
  for (int n = 0; n < kRate; ++n) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    const double t = static_cast<double>(n) / kRate;
    x[n] = static_cast<float>(6000 * std::sin(2 * M_PI * 440 * t) +
                              3000 * std::sin(2 * M_PI * (200 * t + 2900 * t * t)) +
                              static_cast<double>(s % 1001) - 500);
  }
  return x;
}

AudioFrameParams audio(float length, float stride, int32_t fft, int32_t version) {
  AudioFrameParams a{};
  a.sampling_frequency = kRate;
  a.frame_length = length;
  a.frame_stride = stride;
  a.fft_length = fft;
  a.implementation_version = version;
  return a;
}

struct Workspace {
  explicit Workspace(size_t bytes) : words(bytes / 8 + 1) {}
  void* data() { return words.data(); }
  size_t size() const { return words.size() * 8; }
  std::vector<uint64_t> words;
};

void BM_Mfcc(benchmark::State& state) {
  MfccParams p{};
  p.audio = audio(0.02f, 0.02f, 256, 4);
  p.num_filters = 40;
  p.num_cepstral = 13;
  p.low_frequency = 300;
  p.pre_cof = 0.98f;
  p.pre_shift = 1;
  p.win_size = 101;
  const std::vector<float> x = one_second_window();
  Workspace ws(mfcc_workspace_bytes(p, x.size()));
  std::vector<float> out(mfcc_num_frames(p, x.size()) * 13);
  for (auto _ : state) {
    mfcc_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["workspace_bytes"] = static_cast<double>(mfcc_workspace_bytes(p, x.size()));
}

void BM_Mfe(benchmark::State& state) {
  MfeParams p{};
  p.audio = audio(0.02f, 0.01f, 256, 4);
  p.num_filters = 40;
  p.noise_floor_db = -52;
  const std::vector<float> x = one_second_window();
  Workspace ws(mfe_workspace_bytes(p));
  std::vector<float> out(mfe_num_frames(p, x.size()) * 40);
  for (auto _ : state) {
    mfe_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["workspace_bytes"] = static_cast<double>(mfe_workspace_bytes(p));
}

void BM_Spectrogram(benchmark::State& state) {
  SpectrogramParams p{};
  p.audio = audio(0.02f, 0.01f, 128, 3);
  p.noise_floor_db = -52;
  const std::vector<float> x = one_second_window();
  Workspace ws(spectrogram_workspace_bytes(p));
  std::vector<float> out(spectrogram_num_frames(p, x.size()) * 65);
  for (auto _ : state) {
    spectrogram_compute(p, x.data(), x.size(), out.data(), out.size(), ws.data(), ws.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["workspace_bytes"] = static_cast<double>(spectrogram_workspace_bytes(p));
}

void BM_MemcpyWindow(benchmark::State& state) {
  const std::vector<float> x = one_second_window();
  std::vector<float> y(x.size());
  for (auto _ : state) {
    std::memcpy(y.data(), x.data(), x.size() * sizeof(float));
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
}

void BM_NaiveDftMfeFraming(benchmark::State& state) {
  const int n = 256, bins = n / 2 + 1, frame = 320, stride = 160;
  const int frames = (kRate - (frame - stride)) / stride;
  std::vector<float> cos_table(n), sin_table(n);
  for (int i = 0; i < n; ++i) {
    cos_table[i] = static_cast<float>(std::cos(2 * M_PI * i / n));
    sin_table[i] = static_cast<float>(std::sin(2 * M_PI * i / n));
  }
  const std::vector<float> x = one_second_window();
  std::vector<float> power(frames * bins);
  for (auto _ : state) {
    for (int f = 0; f < frames; ++f) {
      const float* in = x.data() + f * stride;
      for (int k = 0; k < bins; ++k) {
        float re = 0, im = 0;
        for (int t = 0, idx = 0; t < n; ++t, idx = (idx + k) & (n - 1)) {
          re += in[t] * cos_table[idx];
          im -= in[t] * sin_table[idx];
        }
        power[f * bins + k] = (re * re + im * im) / n;
      }
    }
    benchmark::DoNotOptimize(power.data());
  }
}

BENCHMARK(BM_MemcpyWindow)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NaiveDftMfeFraming)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Mfcc)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Mfe)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Spectrogram)->Unit(benchmark::kMicrosecond);

// Console output plus a ratio table against the two baselines of this run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && run.iterations > 0) {
        // CPU time: the build machine is shared, so wall time is noisy.
        microseconds_[run.benchmark_name()] = run.GetAdjustedCPUTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const double copy = microseconds_["BM_MemcpyWindow"];
    const double naive = microseconds_["BM_NaiveDftMfeFraming"];
    std::printf("\nper 1 s window at 16 kHz (CPU time)   us   x memcpy   x naive-DFT framing\n");
    for (const char* name : {"BM_Mfcc", "BM_Mfe", "BM_Spectrogram"}) {
      const double us = microseconds_[name];
      std::printf("%-28s %10.1f %10.1f %12.3f\n", name + 3, us, copy > 0 ? us / copy : 0.0,
                  naive > 0 ? us / naive : 0.0);
    }
  }

 private:
  std::map<std::string, double> microseconds_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
