// Host inference time of every golden model with the portable kernels and with the AVX2 host
// kernels (src/exec/host_simd), measured in the same run on the same inputs.
//
//   host_kernels_bench [--seconds S] [--avx2-only] [model ...]
//
// For each model two executors are built, one with KILN_HOST_SIMD=0 (portable kernels) and one
// with the default dispatch; their outputs on the first golden vector must agree byte for byte.
// Each is then timed in alternating rounds; the table shows the median time per inference and
// the speed-up (portable / AVX2). --avx2-only leaves AVX-VNNI unused (KILN_HOST_SIMD=avx2), to
// measure what CPUs without it run.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "exec/executor.h"
#include "exec/host_simd/host_simd.h"
#include "ir/op_stats.h"
#include "tflite/reader.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 7;

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The first golden vector's file for input i (either naming scheme of the shared folder).
fs::path input_file(const fs::path& dir, size_t i, size_t count) {
  const fs::path single = dir / "input_0.bin";
  if (count == 1 && fs::exists(single)) return single;
  return dir / fmt::format("input_0_{}.bin", i);
}

void load_inputs(kiln::exec::Executor& executor, const fs::path& dir) {
  for (size_t i = 0; i < executor.num_inputs(); ++i)
    executor.set_input(i, read_bytes(input_file(dir, i, executor.num_inputs())));
}

bool same_outputs(const kiln::exec::Executor& a, const kiln::exec::Executor& b) {
  for (size_t i = 0; i < a.num_outputs(); ++i)
    if (!std::ranges::equal(a.output(i), b.output(i))) return false;
  return true;
}

// Seconds per inference over `iterations` invocations.
double time_invocations(kiln::exec::Executor& executor, int64_t iterations) {
  const auto start = Clock::now();
  for (int64_t i = 0; i < iterations; ++i) executor.invoke();
  return std::chrono::duration<double>(Clock::now() - start).count() /
         static_cast<double>(iterations);
}

// Enough invocations for a round of about `seconds`.
int64_t calibrate(kiln::exec::Executor& executor, double seconds) {
  int64_t iterations = 1;
  while (true) {
    const double per_run = time_invocations(executor, iterations);
    if (per_run * static_cast<double>(iterations) >= seconds / 4 || iterations >= (1 << 24))
      return std::max<int64_t>(1, static_cast<int64_t>(seconds / per_run));
    iterations *= 4;
  }
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

struct Row {
  std::string model;
  int64_t macs = 0;
  double portable_us = 0;
  double simd_us = 0;
};

Row measure(const fs::path& dir, double seconds, bool avx2_only) {
  const kiln::ir::Model model = kiln::tflite::read_model_file((dir / "model.tflite").string());
  std::optional<kiln::exec::Executor> portable, simd;
  {
    kiln::exec::host_simd::ScopedSetting off("0");
    portable.emplace(model);
  }
  {
    kiln::exec::host_simd::ScopedSetting on(avx2_only ? "avx2" : nullptr);
    simd.emplace(model);
  }
  load_inputs(*portable, dir);
  load_inputs(*simd, dir);
  portable->invoke();
  simd->invoke();
  if (!same_outputs(*portable, *simd))
    throw kiln::Error(
        fmt::format("{}: the AVX2 and portable outputs differ", dir.filename().string()));

  const double round_seconds = seconds / (2 * kRounds);
  const int64_t portable_runs = calibrate(*portable, round_seconds);
  const int64_t simd_runs = calibrate(*simd, round_seconds);
  std::vector<double> portable_times, simd_times;
  for (int r = 0; r < kRounds; ++r) {  // alternating, so drifts in clock speed hit both alike
    portable_times.push_back(time_invocations(*portable, portable_runs));
    simd_times.push_back(time_invocations(*simd, simd_runs));
  }
  Row row;
  row.model = dir.filename().string();
  row.macs = kiln::ir::model_stats(model).macs;
  row.portable_us = median(portable_times) * 1e6;
  row.simd_us = median(simd_times) * 1e6;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;  // per model, both variants together
  std::vector<std::string> names;
  bool avx2_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (arg == "--avx2-only") {
      avx2_only = true;
    } else if (arg == "--help" || arg == "-h") {
      fmt::print("usage: {} [--seconds S] [--avx2-only] [model ...]\n", argv[0]);
      return 0;
    } else {
      names.push_back(arg);
    }
  }
  const fs::path root = fs::path(KILN_SHARED_DIR) / "testdata" / "tflite";
  std::vector<fs::path> dirs;
  if (names.empty()) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec))
      if (fs::exists(e.path() / "model.tflite")) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
  } else {
    for (const auto& n : names) dirs.push_back(root / n);
  }
  if (dirs.empty()) {
    fmt::print(stderr, "host_kernels_bench: no golden models under {}\n", root.string());
    return 1;
  }
  if (!kiln::exec::host_simd::avx2_available())
    fmt::print("note: this CPU (or build) has no AVX2; both columns run the portable kernels\n");

  fmt::print("{:<36} {:>10} {:>13} {:>13} {:>9}\n", "model", "MACs", "portable us", "avx2 us",
             "speed-up");
  double log_sum = 0;
  int count = 0;
  try {
    for (const auto& dir : dirs) {
      const Row row = measure(dir, seconds, avx2_only);
      const double speedup = row.portable_us / row.simd_us;
      fmt::print("{:<36} {:>10} {:>13.3f} {:>13.3f} {:>8.1f}x\n", row.model, row.macs,
                 row.portable_us, row.simd_us, speedup);
      std::fflush(stdout);
      log_sum += std::log(speedup);
      ++count;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "host_kernels_bench: {}\n", e.what());
    return 1;
  }
  fmt::print("geometric mean speed-up: {:.1f}x\n", std::exp(log_sum / count));
  return 0;
}
