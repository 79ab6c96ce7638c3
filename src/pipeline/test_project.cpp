#include "pipeline/test_project.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "eval/plots.h"
#include "pipeline/window_dataset.h"
#include "project/sample_index.h"

namespace kiln::pipeline {

TestReport test_project(const project::Project& project,
                        const std::function<void(size_t, size_t)>& progress) {
  const std::filesystem::path out_dir = project.root / kOutputDir;
  const TrainedPipeline pipeline = load_pipeline(out_dir / kPipelineFile);
  std::vector<project::SampleRecord> samples;
  for (auto& s : project::list_samples(*project.db)) {
    if (s.split == "test") samples.push_back(std::move(s));
  }
  if (samples.empty()) throw Error("the project has no test samples");
  WindowSetOptions options;
  options.progress = progress;
  const WindowSet set = build_window_set(pipeline, project.root, samples, options);

  TestReport report;
  report.test_samples = samples.size();
  report.test_windows = set.size();
  for (Precision precision : {Precision::kFloat32, Precision::kInt8}) {
    PipelineClassifier classifier(pipeline, model_path(out_dir, precision));
    std::vector<WindowResult> results;
    results.reserve(set.size());
    for (const auto& f : set.features) results.push_back(classifier.classify_features(f));

    if (pipeline.anomaly && precision == Precision::kFloat32) {
      // The anomaly model does not depend on the network precision: report it once.
      const auto& normal = project.config.anomaly.normal_labels;
      std::vector<eval::AnomalyScore> scores;
      AnomalyReport a;
      a.threshold = pipeline.anomaly->threshold;
      int64_t right = 0;
      for (size_t i = 0; i < set.size(); ++i) {
        const std::string& label = samples[static_cast<size_t>(set.sample_of[i])].label;
        const bool anomalous = std::find(normal.begin(), normal.end(), label) == normal.end();
        scores.push_back({*results[i].anomaly, anomalous});
        a.anomalous_windows += anomalous ? 1 : 0;
        right += ((*results[i].anomaly > a.threshold) == anomalous) ? 1 : 0;
      }
      a.windows = static_cast<int64_t>(set.size());
      a.auc = eval::roc_auc(scores);
      a.accuracy_at_threshold = a.windows ? static_cast<double>(right) / a.windows : 0;
      report.anomaly = a;
    }
    if (!pipeline.has_classifier()) break;

    // Windows of labels the classifier never saw (anomaly classes) are not classification errors.
    std::vector<int32_t> truth, predicted;
    std::vector<int64_t> sample_ids;
    std::vector<float> scores;
    for (size_t i = 0; i < set.size(); ++i) {
      if (set.labels[i] < 0) continue;
      truth.push_back(set.labels[i]);
      predicted.push_back(results[i].predicted);
      sample_ids.push_back(set.sample_of[i]);
      scores.insert(scores.end(), results[i].scores.begin(), results[i].scores.end());
    }
    if (truth.empty()) {
      throw Error("no test sample has a label the classifier was trained on");
    }
    PrecisionReport pr;
    pr.precision = precision;
    pr.windows = eval::classification_metrics(truth, predicted, pipeline.labels);
    const auto votes = eval::majority_vote(sample_ids, truth, predicted, scores,
                                           static_cast<int>(pipeline.labels.size()));
    std::vector<int32_t> vote_truth, vote_predicted;
    for (const auto& v : votes) {
      vote_truth.push_back(v.truth);
      vote_predicted.push_back(v.predicted);
      if (v.truth != v.predicted) {
        const auto& s = samples[static_cast<size_t>(v.sample_id)];
        pr.misclassified.push_back({s.id, s.source, pipeline.labels[static_cast<size_t>(v.truth)],
                                    pipeline.labels[static_cast<size_t>(v.predicted)]});
      }
    }
    pr.samples = eval::classification_metrics(vote_truth, vote_predicted, pipeline.labels);
    const std::filesystem::path png =
        out_dir / (precision == Precision::kInt8
                       ? std::string("confusion.png")
                       : fmt::format("confusion_{}.png", precision_name(precision)));
    eval::write_confusion_png(png, pr.windows,
                              fmt::format("{} confusion (per window)", precision_name(precision)));
    report.written.push_back(png);
    report.precisions.push_back(std::move(pr));
  }
  return report;
}

nlohmann::json test_report_json(const TestReport& report) {
  nlohmann::json j = nlohmann::json::object();
  j["test_samples"] = report.test_samples;
  j["test_windows"] = report.test_windows;
  for (const PrecisionReport& pr : report.precisions) {
    nlohmann::json m = eval::metrics_json(pr.windows);
    m["sample_accuracy"] = pr.samples.accuracy;
    m["sample_f1"] = pr.samples.macro_f1;
    m["sample_confusion"] = pr.samples.confusion;
    nlohmann::json wrong = nlohmann::json::array();
    for (const auto& w : pr.misclassified) {
      wrong.push_back({{"id", w.sample_id},
                       {"source", w.source},
                       {"label", w.truth},
                       {"predicted", w.predicted}});
    }
    m["misclassified"] = wrong;
    j[precision_name(pr.precision)] = m;
  }
  if (report.anomaly) {
    const AnomalyReport& a = *report.anomaly;
    j["anomaly"] = {{"auc", a.auc ? nlohmann::json(*a.auc) : nlohmann::json(nullptr)},
                    {"threshold", a.threshold},
                    {"windows", a.windows},
                    {"anomalous_windows", a.anomalous_windows},
                    {"accuracy_at_threshold", a.accuracy_at_threshold}};
  }
  return j;
}

}  // namespace kiln::pipeline
