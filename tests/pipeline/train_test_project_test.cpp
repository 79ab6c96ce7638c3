// End to end on a small generated project: two tone classes (with noise, random phase and length)
// that a trained pipeline must separate, determinism of the written models, and the test and
// classify paths agreeing with each other.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "core/error.h"
#include "pipeline/classifier.h"
#include "pipeline/test_project.h"
#include "pipeline/train_project.h"
#include "pipeline/window_features.h"
#include "project/importer.h"
#include "project/project.h"
#include "project/project_test_util.h"
#include "tone_project.h"

namespace kiln::pipeline {
namespace {

namespace fs = std::filesystem;
using project::testing::ScratchDir;
using project::testing::write_wav;

project::Project make_project(const fs::path& root, const fs::path& source, uint64_t seed) {
  project::ProjectConfig config;
  config.dsp.block = "mfe";
  config.learning.preset = "conv1d-small";
  config.input.window_ms = 500;
  config.input.stride_ms = 250;
  config.training.epochs = 12;
  config.training.seed = seed;
  config.augmentation.copies = 1;
  config.augmentation.time_shift_ms = 50;
  config.augmentation.noise_snr_db = 20;
  project::init_project(root, config);
  project::Project p = project::open_project(root);
  project::ImportOptions options;
  options.inputs = {source};
  options.test_fraction = 0.25;
  project::import_samples(p, options);
  return p;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(TrainTestProject, LearnsTonesDeterministicallyAndTestMatchesClassify) {
  ScratchDir dir("pipeline_tones");
  const fs::path source = dir.path() / "source";
  std::mt19937 rng(7);
  for (int i = 0; i < 24; ++i) {
    testing::write_tone(source / "low" / fmt::format("low_{}.wav", i), 300.0, rng, 2400, 3200, 400);
    testing::write_tone(source / "high" / fmt::format("high_{}.wav", i), 1500.0, rng, 2400, 3200,
                        400);
  }
  project::Project a = make_project(dir.path() / "a", source, 3);
  const TrainReport report = train_project(a);
  ASSERT_EQ(report.pipeline.labels, (std::vector<std::string>{"high", "low"}));
  EXPECT_EQ(report.pipeline.window_frames, 4000);
  EXPECT_EQ(report.pipeline.stride_frames, 2000);
  EXPECT_GT(report.augmented_windows, 0u);
  EXPECT_EQ(report.pipeline.normalization.mean.size(),
            static_cast<size_t>(report.pipeline.feature_shape.back()));

  const TestReport test = test_project(a);
  ASSERT_EQ(test.precisions.size(), 2u);
  EXPECT_GE(test.precisions[0].windows.accuracy, 0.9);
  EXPECT_GE(test.precisions[1].windows.accuracy, 0.9);
  EXPECT_EQ(test.precisions[1].windows.total, static_cast<int64_t>(test.test_windows));

  // The same configuration and seed give byte-identical files.
  project::Project b = make_project(dir.path() / "b", source, 3);
  train_project(b);
  for (const char* name : {kFloatModelFile, kInt8ModelFile, kPipelineFile}) {
    EXPECT_EQ(file_bytes(a.root / kOutputDir / name), file_bytes(b.root / kOutputDir / name))
        << name;
  }

  // classify on a test file gives the scores the test pass computed for its windows.
  PipelineClassifier int8(a.root / kOutputDir, Precision::kInt8);
  const auto samples = project::list_samples(*a.db);
  const auto it =
      std::find_if(samples.begin(), samples.end(), [](const auto& s) { return s.split == "test"; });
  ASSERT_NE(it, samples.end());
  const auto windows = int8.classify_file(a.root / it->path);
  ASSERT_FALSE(windows.empty());
  const auto features = file_features(int8.pipeline(), a.root / it->path);
  const WindowResult again = int8.classify_features(features[0]);
  EXPECT_EQ(windows[0].scores, again.scores);
  const int32_t label = static_cast<int32_t>(
      std::find(int8.pipeline().labels.begin(), int8.pipeline().labels.end(), it->label) -
      int8.pipeline().labels.begin());
  EXPECT_EQ(windows[0].predicted, label);
}

TEST(TrainTestProject, AnomalyOnlyPipelineScoresOutliersHigher) {
  ScratchDir dir("pipeline_anomaly");
  const fs::path source = dir.path() / "source";
  std::mt19937 rng(11);
  for (int i = 0; i < 20; ++i)
    testing::write_tone(source / "normal" / fmt::format("n_{}.wav", i), 400, rng, 2400, 3200, 400);
  for (int i = 0; i < 8; ++i)
    testing::write_tone(source / "fault" / fmt::format("f_{}.wav", i), 2500, rng, 2400, 3200, 400);
  project::ProjectConfig config;
  config.dsp.block = "mfe";
  config.input.window_ms = 250;
  config.input.stride_ms = 250;
  config.anomaly.type = "kmeans";
  config.anomaly.clusters = 3;
  config.anomaly.normal_labels = {"normal"};
  project::init_project(dir.path() / "p", config);
  project::Project p = project::open_project(dir.path() / "p");
  project::ImportOptions normal_import;
  normal_import.inputs = {source / "normal"};
  normal_import.test_fraction = 0.25;
  project::import_samples(p, normal_import);
  project::ImportOptions fault_import;
  fault_import.inputs = {source / "fault"};
  fault_import.test_fraction = 0.99;  // faults only in the test split
  project::import_samples(p, fault_import);

  const TrainReport report = train_project(p);
  EXPECT_FALSE(report.pipeline.has_classifier());
  ASSERT_TRUE(report.pipeline.anomaly.has_value());
  const TestReport test = test_project(p);
  EXPECT_TRUE(test.precisions.empty());
  ASSERT_TRUE(test.anomaly.has_value());
  ASSERT_TRUE(test.anomaly->auc.has_value());
  EXPECT_GE(*test.anomaly->auc, 0.95);
}

// A callback that throws during feature extraction (how the Studio cancels) stops training with
// that very exception, on the caller's thread, and writes no model.
TEST(TrainTestProject, FeatureProgressCallbackCanStopTraining) {
  ScratchDir dir("pipeline_stop");
  const fs::path source = dir.path() / "source";
  testing::write_tone_dataset(source, 12, 3);
  project::Project p = make_project(dir.path() / "p", source, 1);
  struct Stop {};
  std::atomic<int> calls{0};
  TrainCallbacks callbacks;
  callbacks.on_features = [&](size_t done, size_t) {
    ++calls;
    if (done >= 3) throw Stop{};
  };
  EXPECT_THROW(train_project(p, callbacks), Stop);
  EXPECT_GE(calls.load(), 3);
  EXPECT_FALSE(fs::exists(p.root / kOutputDir / "model.int8.tflite"));
}

TEST(TrainTestProject, RefusesMixedRates) {
  ScratchDir dir("pipeline_rates");
  write_wav(dir.path() / "src" / "a" / "1.wav", 8000, std::vector<int16_t>(4000, 100));
  write_wav(dir.path() / "src" / "b" / "2.wav", 16000, std::vector<int16_t>(8000, 100));
  project::ProjectConfig config;
  project::init_project(dir.path() / "p", config);
  project::Project p = project::open_project(dir.path() / "p");
  project::ImportOptions options;
  options.inputs = {dir.path() / "src"};
  options.test_fraction = 0.0;
  project::import_samples(p, options);
  try {
    train_project(p);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different rates"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::pipeline
