// Training throughput of Kiln's engine: one epoch of conv1d-small on keyword-spotting-shaped
// synthetic features (49 frames x 13 MFCC, 10 classes), in samples per second. As a yardstick
// measured in the same run, the epoch's floating-point work (about 3x the forward
// multiply-accumulates: forward, input gradient, weight gradient) is also timed as plain Eigen
// float GEMMs; `vs_gemm` = epoch time / GEMM time for the same FLOPs (1.0 would mean the engine
// runs at dense-GEMM speed). Counters use thread CPU time, so a busy machine does not skew them.
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>

#include <Eigen/Core>

#include "nn/presets.h"
#include "nn/random.h"
#include "nn/trainer.h"

namespace {

using kiln::nn::Dataset;
using kiln::nn::Rng;
using kiln::nn::Sequential;
using kiln::nn::Tensor;
using kiln::nn::TrainConfig;

constexpr int kFrames = 49, kCoefficients = 13, kClasses = 10, kSamples = 1024;

Dataset keyword_spotting_data() {
  Rng rng(1);
  Dataset data;
  data.features = Tensor({kSamples, kFrames * kCoefficients});
  for (Eigen::Index i = 0; i < data.features.values.size(); ++i)
    data.features.values[i] = rng.uniform(-1.0f, 1.0f);
  for (int i = 0; i < kSamples; ++i) data.labels.push_back(i % kClasses);
  return data;
}

TrainConfig one_epoch() {
  TrainConfig config;
  config.epochs = 1;
  config.batch_size = 32;
  return config;
}

// CPU time of this thread: the engine is single-threaded, and on a shared machine wall time
// also counts other processes.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Seconds for `flops` floating-point operations as 128x128x128 float GEMMs.
double gemm_seconds(double flops) {
  constexpr int n = 128;
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n);
  Eigen::MatrixXf c(n, n);
  const int64_t repeats = std::max<int64_t>(1, static_cast<int64_t>(flops / (2.0 * n * n * n)));
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    const double start = thread_seconds();
    for (int64_t r = 0; r < repeats; ++r) {
      c.noalias() = a * b;
      benchmark::DoNotOptimize(c.data());
      benchmark::ClobberMemory();
    }
    best = std::min(best, thread_seconds() - start);
  }
  return best;
}

void BM_TrainEpochConv1dSmall(benchmark::State& state) {
  const Dataset data = keyword_spotting_data();
  Sequential model({kFrames * kCoefficients},
                   kiln::nn::preset_layers("conv1d-small", {kFrames, kCoefficients}, kClasses), 1);
  const TrainConfig config = one_epoch();
  double seconds = 0.0;
  int64_t epochs = 0;
  for (auto _ : state) {
    const double start = thread_seconds();
    kiln::nn::train(model, data, nullptr, config);
    seconds += thread_seconds() - start;
    ++epochs;
  }
  const double epoch_seconds = seconds / static_cast<double>(epochs);
  const double flops = 3.0 * 2.0 * static_cast<double>(model.forward_macs()) * kSamples;
  const double reference = gemm_seconds(flops);
  state.SetItemsProcessed(epochs * kSamples);
  state.counters["samples_per_s"] = kSamples / epoch_seconds;
  state.counters["epoch_ms"] = epoch_seconds * 1e3;
  state.counters["gemm_ms"] = reference * 1e3;
  state.counters["vs_gemm"] = epoch_seconds / reference;
  state.counters["train_gflops"] = flops / epoch_seconds * 1e-9;
}
BENCHMARK(BM_TrainEpochConv1dSmall)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Inference alone, for comparison with the training figure.
void BM_PredictConv1dSmall(benchmark::State& state) {
  const Dataset data = keyword_spotting_data();
  Sequential model({kFrames * kCoefficients},
                   kiln::nn::preset_layers("conv1d-small", {kFrames, kCoefficients}, kClasses), 1);
  for (auto _ : state) benchmark::DoNotOptimize(model.predict(data.features, 256).values.data());
  state.SetItemsProcessed(state.iterations() * kSamples);
}
BENCHMARK(BM_PredictConv1dSmall)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
