// Issue 5's accuracy targets on the shared datasets (../shared/testdata/datasets): each test builds
// a project the way a user would (kiln init defaults + import of the dataset's split file), trains
// it with Kiln's engine and tests it on the held-out split with the float32 and the int8 model.
// These train real networks for up to a couple of minutes, so CI runs them in the optimized build
// only (label "accuracy"); the sanitizer build covers the same code with the small pipeline tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "pipeline/test_project.h"
#include "pipeline/train_project.h"
#include "project/importer.h"
#include "project/project.h"
#include "project/project_test_util.h"

namespace kiln::pipeline {
namespace {

namespace fs = std::filesystem;

fs::path dataset(const std::string& name) {
  return fs::path(KILN_SHARED_DIR) / "testdata" / "datasets" / name;
}

#define REQUIRE_DATASET(name)                                                     \
  if (!fs::exists(dataset(name) / "split.csv")) {                                 \
    GTEST_SKIP() << "shared dataset " << dataset(name) << " is absent: skipping"; \
  }

// kiln init [--dsp BLOCK] [--model PRESET] [--window-ms N] + kiln import --split-file.
project::Project make_project(const fs::path& root, const std::string& name,
                              const std::string& block, const std::string& preset,
                              int window_ms = 0) {
  project::ProjectConfig config;
  config.dsp.block = block;
  project::apply_block_defaults(config);
  if (!preset.empty()) config.learning.preset = preset;
  if (window_ms > 0) {
    config.input.window_ms = window_ms;
    config.input.stride_ms = window_ms / 2;
  }
  project::init_project(root, config);
  project::Project p = project::open_project(root);
  project::ImportOptions options;
  options.split_file = dataset(name) / "split.csv";
  project::import_samples(p, options);
  return p;
}

const PrecisionReport& result(const TestReport& r, Precision p) {
  for (const auto& pr : r.precisions) {
    if (pr.precision == p) return pr;
  }
  throw std::runtime_error("precision missing from the report");
}

void print(const char* what, const TestReport& r) {
  const auto& f = result(r, Precision::kFloat32);
  const auto& q = result(r, Precision::kInt8);
  std::printf("[ accuracy ] %s: float32 %.4f (per sample %.4f), int8 %.4f (per sample %.4f)\n",
              what, f.windows.accuracy, f.samples.accuracy, q.windows.accuracy, q.samples.accuracy);
}

TEST(DatasetAccuracy, FsddDefaultAudioPipeline) {
  REQUIRE_DATASET("fsdd");
  project::testing::ScratchDir dir("acc_fsdd_default");
  project::Project p = make_project(dir.path() / "p", "fsdd", "mfcc", "");
  EXPECT_EQ(p.config.learning.preset, "conv1d-medium");
  train_project(p);
  const TestReport r = test_project(p);
  print("fsdd default (mfcc, conv1d-medium)", r);
  // Issue 5's target. With speed perturbation in the defaults eight seeds measured 0.878-0.924
  // int8 (mean 0.904, docs/pipeline.md); this runs seed 1.
  EXPECT_GE(result(r, Precision::kInt8).windows.accuracy, 0.88);
  EXPECT_NEAR(result(r, Precision::kInt8).windows.accuracy,
              result(r, Precision::kFloat32).windows.accuracy, 0.015);
}

TEST(DatasetAccuracy, FsddConv1dSmall) {
  REQUIRE_DATASET("fsdd");
  project::testing::ScratchDir dir("acc_fsdd_small");
  project::Project p = make_project(dir.path() / "p", "fsdd", "mfcc", "conv1d-small");
  train_project(p);
  const TestReport r = test_project(p);
  print("fsdd conv1d-small", r);
  EXPECT_GE(result(r, Precision::kInt8).windows.accuracy, 0.76);
  EXPECT_NEAR(result(r, Precision::kInt8).windows.accuracy,
              result(r, Precision::kFloat32).windows.accuracy, 0.015);
}

TEST(DatasetAccuracy, GesturesSpectralDense) {
  REQUIRE_DATASET("xiao_gestures_acc");
  project::testing::ScratchDir dir("acc_gestures");
  project::Project p =
      make_project(dir.path() / "p", "xiao_gestures_acc", "spectral", "dense", 2000);
  train_project(p);
  const TestReport r = test_project(p);
  print("xiao_gestures_acc spectral + dense, 2 s windows", r);
  EXPECT_GE(result(r, Precision::kInt8).windows.accuracy, 0.85);
  EXPECT_GT(result(r, Precision::kInt8).samples.total, 0);
}

TEST(DatasetAccuracy, MnistConv2dSmall) {
  REQUIRE_DATASET("mnist_t10k_subset");
  project::testing::ScratchDir dir("acc_mnist");
  project::Project p = make_project(dir.path() / "p", "mnist_t10k_subset", "image", "conv2d-small");
  train_project(p);
  const TestReport r = test_project(p);
  print("mnist image + conv2d-small", r);
  EXPECT_GE(result(r, Precision::kInt8).windows.accuracy, 0.91);
}

TEST(DatasetAccuracy, FanVibrationKMeansAnomaly) {
  REQUIRE_DATASET("st_fan_vibration");
  project::testing::ScratchDir dir("acc_fan");
  project::ProjectConfig config;
  config.dsp.block = "spectral";
  project::apply_block_defaults(config);
  config.anomaly.type = "kmeans";
  config.anomaly.normal_labels = {"fan_on"};
  project::init_project(dir.path() / "p", config);
  project::Project p = project::open_project(dir.path() / "p");
  project::ImportOptions options;
  options.split_file = dataset("st_fan_vibration") / "split.csv";
  project::import_samples(p, options);
  train_project(p);
  const TestReport r = test_project(p);
  ASSERT_TRUE(r.anomaly.has_value());
  ASSERT_TRUE(r.anomaly->auc.has_value());
  std::printf("[ accuracy ] st_fan_vibration K-means anomaly: AUC %.4f\n", *r.anomaly->auc);
  EXPECT_GE(*r.anomaly->auc, 0.95);
}

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(DatasetAccuracy, SameSeedGivesByteIdenticalModels) {
  REQUIRE_DATASET("xiao_gestures_acc");
  project::testing::ScratchDir dir("acc_determinism");
  project::Project a =
      make_project(dir.path() / "a", "xiao_gestures_acc", "spectral", "dense", 2000);
  project::Project b =
      make_project(dir.path() / "b", "xiao_gestures_acc", "spectral", "dense", 2000);
  train_project(a);
  train_project(b);
  for (const char* name : {kFloatModelFile, kInt8ModelFile}) {
    const std::string x = bytes(a.root / kOutputDir / name);
    EXPECT_FALSE(x.empty());
    EXPECT_EQ(x, bytes(b.root / kOutputDir / name)) << name;
  }
}

}  // namespace
}  // namespace kiln::pipeline
