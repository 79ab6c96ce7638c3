// kiln test: the trained pipeline on the project's test split, for the float32 and the int8
// model, per window and per sample (majority vote over the windows of a sample), plus the anomaly
// model's ROC AUC when there is one. The int8 scores come from the device kernels.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/metrics.h"
#include "pipeline/classifier.h"
#include "project/project.h"

namespace kiln::pipeline {

struct Misclassified {
  int64_t sample_id = 0;
  std::string source;
  std::string truth;
  std::string predicted;
};

struct PrecisionReport {
  Precision precision = Precision::kFloat32;
  eval::ClassificationMetrics windows;       // per window
  eval::ClassificationMetrics samples;       // majority vote per sample
  std::vector<Misclassified> misclassified;  // samples whose vote is wrong
};

struct AnomalyReport {
  std::optional<double> auc;  // per window; nullopt without both normal and anomalous windows
  float threshold = 0;
  int64_t windows = 0, anomalous_windows = 0;
  double accuracy_at_threshold = 0;  // windows flagged correctly by score > threshold
};

struct TestReport {
  size_t test_samples = 0;
  size_t test_windows = 0;
  std::vector<PrecisionReport> precisions;  // float32, then int8
  std::optional<AnomalyReport> anomaly;
  std::vector<std::filesystem::path> written;  // out/confusion_<precision>.png
};

TestReport test_project(const project::Project& project,
                        const std::function<void(size_t, size_t)>& progress = {});

// {"float32": {"accuracy", "sample_accuracy", "f1", "confusion", "labels", ...}, "int8": {...},
//  "anomaly": {"auc", ...}}
nlohmann::json test_report_json(const TestReport& report);

}  // namespace kiln::pipeline
