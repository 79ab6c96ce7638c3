// Training throughput of Kiln's engine on real keyword features: conv1d-small on the MFCC
// features of the Free Spoken Digit Dataset's training split, in samples per second.
//
// It builds a temporary project the way a user would (mfcc block, conv1d-small, import of the
// dataset's split.csv), computes the training windows' features with the pipeline code (no
// augmentation), normalizes them with the training statistics, and trains for a few epochs with
// Adam. The figure is the median epoch, as wall time and as this thread's CPU time (the engine is
// single-threaded, so on a shared machine CPU time is the steadier number).
//
// With --dump DIR it also writes what bench/train_torch.py needs to train the same network in
// PyTorch on the same data: features.f32 (float32 little-endian, [N, frames, coefficients]),
// labels.i32 (int32 little-endian, [N]) and meta.json (shapes, training settings, Kiln's result).
//
// Usage: train_fsdd_bench [--dataset DIR] [--epochs N] [--dump DIR]
// Exits 0 with a message when the dataset is absent.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/trainer.h"
#include "pipeline/normalization.h"
#include "pipeline/train_project.h"
#include "pipeline/window_dataset.h"
#include "pipeline/window_features.h"
#include "project/importer.h"
#include "project/project.h"
#include "project/sample_index.h"

namespace {

namespace fs = std::filesystem;
using kiln::Error;

constexpr int kBatchSize = 32;
constexpr float kLearningRate = 0.005f;
constexpr uint32_t kSeed = 1;

struct Options {
  fs::path dataset = fs::path(KILN_SHARED_DIR) / "testdata" / "datasets" / "fsdd";
  int epochs = 5;
  fs::path dump;  // empty = no dump
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--dataset") {
      o.dataset = value();
    } else if (arg == "--epochs") {
      const std::string v = value();
      o.epochs = std::atoi(v.c_str());
      if (o.epochs < 1) throw Error(fmt::format("--epochs needs a positive number, got '{}'", v));
    } else if (arg == "--dump") {
      o.dump = value();
    } else if (arg == "-h" || arg == "--help") {
      std::printf("usage: train_fsdd_bench [--dataset DIR] [--epochs N] [--dump DIR]\n");
      std::exit(0);
    } else {
      throw Error(fmt::format("unknown argument '{}' (try --help)", arg));
    }
  }
  return o;
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The project lives only for the run; removed on every way out.
struct TemporaryDir {
  fs::path path;
  TemporaryDir()
      : path(fs::temp_directory_path() / fmt::format("kiln_train_fsdd_bench_{}", getpid())) {
    fs::remove_all(path);
  }
  ~TemporaryDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

template <typename T>
void write_raw(const fs::path& path, const T* values, size_t count) {
  static_assert(std::endian::native == std::endian::little, "the dump format is little-endian");
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(count * sizeof(T)));
  if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

int run(const Options& o) {
  const fs::path split_file = o.dataset / "split.csv";
  if (!fs::exists(split_file)) {
    std::printf("train_fsdd_bench: dataset %s is absent (no split.csv): skipping\n",
                o.dataset.string().c_str());
    return 0;
  }

  // kiln init --dsp mfcc --model conv1d-small; kiln import --split-file split.csv
  TemporaryDir dir;
  const auto import_start = std::chrono::steady_clock::now();
  kiln::project::ProjectConfig config;
  config.dsp.block = "mfcc";
  kiln::project::apply_block_defaults(config);
  config.learning.preset = "conv1d-small";
  kiln::project::init_project(dir.path, config);
  kiln::project::Project project = kiln::project::open_project(dir.path);
  kiln::project::ImportOptions import_options;
  import_options.split_file = split_file;
  kiln::project::import_samples(project, import_options);
  const double import_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - import_start).count();

  std::vector<kiln::project::SampleRecord> train_samples;
  for (const auto& s : kiln::project::list_samples(*project.db)) {
    if (s.split == "train") train_samples.push_back(s);
  }

  // Features of the training windows, normalized with their own statistics (as kiln train does
  // when augmentation is off).
  const auto feature_start = std::chrono::steady_clock::now();
  kiln::pipeline::TrainedPipeline pipeline =
      kiln::pipeline::describe_pipeline(project, train_samples);
  kiln::pipeline::WindowSetOptions plain;
  plain.normalize = false;
  kiln::pipeline::WindowSet windows =
      kiln::pipeline::build_window_set(pipeline, project.root, train_samples, plain);
  pipeline.normalization = kiln::pipeline::compute_normalization(
      windows.features, static_cast<int>(pipeline.feature_shape.back()));
  for (auto& f : windows.features) kiln::pipeline::normalize(pipeline, f);
  const double feature_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - feature_start).count();

  kiln::nn::Shape sample_shape;
  for (int64_t d : pipeline.feature_shape) sample_shape.push_back(static_cast<int>(d));
  std::vector<size_t> rows;
  for (size_t i = 0; i < windows.size(); ++i) {
    if (windows.labels[i] >= 0) rows.push_back(i);
  }
  if (rows.empty()) throw Error("the training split gives no labelled windows");
  kiln::nn::Dataset data;
  data.features = kiln::nn::Tensor::batch_of(static_cast<int>(rows.size()), sample_shape);
  const size_t per_sample = static_cast<size_t>(data.features.sample_size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::vector<float>& f = windows.features[rows[r]];
    if (f.size() != per_sample) throw Error("a window's feature count differs from the shape");
    std::copy(f.begin(), f.end(), data.features.data() + r * per_sample);
    data.labels.push_back(windows.labels[rows[r]]);
  }
  const int samples = data.size();
  const int classes = static_cast<int>(pipeline.labels.size());

  std::printf("dataset:  %s: %zu training samples -> %d windows of [%s], %d classes\n",
              o.dataset.string().c_str(), train_samples.size(), samples,
              fmt::format("{}", fmt::join(pipeline.feature_shape, ", ")).c_str(), classes);
  std::printf("prepare:  import %.1f s, features + normalization %.1f s\n", import_seconds,
              feature_seconds);

  if (!o.dump.empty()) {
    fs::create_directories(o.dump);
    write_raw(o.dump / "features.f32", data.features.data(), data.features.values.size());
    write_raw(o.dump / "labels.i32", data.labels.data(), data.labels.size());
  }

  kiln::nn::Sequential model(
      sample_shape, kiln::pipeline::network_layers(config, pipeline.feature_shape, classes), kSeed);
  kiln::nn::TrainConfig train_config;
  train_config.epochs = o.epochs;
  train_config.batch_size = kBatchSize;
  train_config.learning_rate = kLearningRate;
  train_config.optimizer = "adam";
  train_config.seed = kSeed;
  train_config.validation_fraction = 0.0f;
  train_config.early_stopping_patience = 0;

  // The callback runs at the end of each epoch, so successive readings bracket one epoch.
  std::vector<double> wall, cpu;
  double cpu_mark = thread_cpu_seconds();
  const kiln::nn::TrainResult result =
      kiln::nn::train(model, data, nullptr, train_config, [&](const kiln::nn::EpochStats& e) {
        const double now = thread_cpu_seconds();
        cpu.push_back(now - cpu_mark);
        wall.push_back(e.seconds);
        std::printf("epoch %d/%d: loss %.4f, accuracy %.4f, %.3f s wall, %.3f s CPU\n", e.epoch,
                    e.epochs, e.loss, e.accuracy, e.seconds, now - cpu_mark);
        std::fflush(stdout);
        cpu_mark = thread_cpu_seconds();
      });
  if (wall.empty()) throw Error("training ran no epoch");

  const double wall_rate = samples / median(wall);
  const double cpu_rate = samples / median(cpu);
  std::printf("network:  conv1d-small, %lld parameters, %lld MACs per sample\n",
              static_cast<long long>(model.num_trainable_parameters()),
              static_cast<long long>(model.forward_macs()));
  std::printf("training: %d epochs, batch %d, Adam lr %g, seed %u, 1 thread\n", o.epochs,
              kBatchSize, static_cast<double>(kLearningRate), kSeed);
  std::printf("kiln samples/s (median epoch): %.0f wall, %.0f thread CPU\n", wall_rate, cpu_rate);

  if (!o.dump.empty()) {
    nlohmann::json meta;
    std::vector<int64_t> shape = {samples};
    shape.insert(shape.end(), pipeline.feature_shape.begin(), pipeline.feature_shape.end());
    meta["features"] = {{"file", "features.f32"}, {"dtype", "float32"}, {"shape", shape}};
    meta["labels"] = {{"file", "labels.i32"}, {"dtype", "int32"}, {"shape", {samples}}};
    meta["classes"] = pipeline.labels;
    meta["network"] = "conv1d-small";
    meta["training"] = {{"epochs", o.epochs},
                        {"batch_size", kBatchSize},
                        {"optimizer", "adam"},
                        {"learning_rate", kLearningRate},
                        {"seed", kSeed}};
    meta["kiln"] = {{"parameters", model.num_trainable_parameters()},
                    {"samples_per_s_wall", wall_rate},
                    {"samples_per_s_cpu", cpu_rate},
                    {"epoch_seconds_wall", wall},
                    {"epoch_seconds_cpu", cpu},
                    {"final_loss", result.history.back().loss},
                    {"final_accuracy", result.history.back().accuracy}};
    std::ofstream out(o.dump / "meta.json");
    out << meta.dump(2) << "\n";
    if (!out) throw Error(fmt::format("cannot write {}", (o.dump / "meta.json").string()));
    std::printf("dumped:   %s (features.f32, labels.i32, meta.json)\n", o.dump.string().c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_options(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_fsdd_bench: %s\n", e.what());
    return 1;
  }
}
