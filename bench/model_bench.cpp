// Host latency of every golden model with Kiln's portable kernels.
//
// Reports per model: time per inference (use the *_median row), MAC/s, and `x_dot_loop`: the
// model's time divided by the time of a plain int8 dot-product loop doing the same number of
// MACs, measured in the same run. The ratio is what to compare across machines and commits.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "ir/op_stats.h"
#include "tflite/reader.h"

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A plain int8 multiply-accumulate loop: the reference the models are measured against.
int32_t dot_loop(const int8_t* a, const int8_t* b, int64_t macs, size_t n) {
  int32_t acc = 0;
  for (int64_t done = 0; done < macs; done += static_cast<int64_t>(n)) {
    const size_t len = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), macs - done));
    for (size_t i = 0; i < len; ++i) acc += int32_t{a[i]} * int32_t{b[i]};
    benchmark::DoNotOptimize(acc);
  }
  return acc;
}

double median_seconds_of_dot_loop(int64_t macs) {
  std::vector<int8_t> a(4096), b(4096);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<int8_t>(i * 7);
    b[i] = static_cast<int8_t>(i * 13);
  }
  std::vector<double> times;
  for (int r = 0; r < 21; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(dot_loop(a.data(), b.data(), macs, a.size()));
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(times.begin(), times.begin() + 10, times.end());
  return times[10];
}

void run_model(benchmark::State& state, const fs::path& dir) {
  const kiln::ir::Model model = kiln::tflite::read_model_file((dir / "model.tflite").string());
  kiln::exec::Executor executor(model);
  executor.set_input(0, read_bytes(dir / "input_0.bin"));
  const int64_t macs = kiln::ir::model_stats(model).macs;
  const double reference = median_seconds_of_dot_loop(macs);
  double total = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    executor.invoke();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double per_run = total / static_cast<double>(state.iterations());
  state.counters["MACs"] = static_cast<double>(macs);
  state.counters["MAC/s"] =
      benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["x_dot_loop"] = reference > 0 ? per_run / reference : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path root = fs::path(KILN_SHARED_DIR) / "testdata" / "tflite";
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (fs::exists(e.path() / "model.tflite")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty()) fprintf(stderr, "model_bench: no golden models under %s\n", root.c_str());
  for (const auto& dir : dirs)
    benchmark::RegisterBenchmark(dir.filename().c_str(), run_model, dir)
        ->Unit(benchmark::kMicrosecond)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
