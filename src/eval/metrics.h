// Classification and anomaly-detection metrics for `kiln test`: accuracy, per-class precision,
// recall and F1, the confusion matrix, majority vote over a sample's windows, and ROC AUC.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kiln::eval {

struct ClassificationMetrics {
  std::vector<std::string> labels;
  std::vector<std::vector<int64_t>> confusion;  // [true class][predicted class]
  int64_t total = 0;
  double accuracy = 0.0;  // fraction 0..1; 0 when there are no predictions
  // Per class. Undefined ratios are 0: precision when the class is never predicted, recall when
  // it never occurs, F1 when precision + recall is 0.
  std::vector<double> precision;
  std::vector<double> recall;
  std::vector<double> f1;
  // Mean F1 over the classes that occur in the true labels or the predictions: a class absent
  // from both says nothing about the classifier and would only pull the mean towards 0.
  double macro_f1 = 0.0;
};

// truth[i] and predicted[i] are class indices into `labels`. Throws kiln::Error on different
// lengths or an index out of range.
ClassificationMetrics classification_metrics(std::span<const int32_t> truth,
                                             std::span<const int32_t> predicted,
                                             const std::vector<std::string>& labels);

// The confusion matrix as text, rows = true class, columns = predicted, aligned columns headed
// by the label names.
std::string format_confusion(const ClassificationMetrics& metrics);

// {"accuracy": A, "f1": macro F1, "precision": [...], "recall": [...], "f1_per_class": [...],
//  "confusion": [[...]], "labels": [...]}
nlohmann::json metrics_json(const ClassificationMetrics& metrics);

struct SampleVote {
  int64_t sample_id = 0;
  int32_t truth = 0;
  int32_t predicted = 0;
  int32_t windows = 0;
};

// One vote per window for its predicted class; a sample gets the class with the most votes. Ties
// go to the tied class with the highest score summed over the sample's windows, then to the
// lowest class index. `scores` is windows x num_classes (row-major) or empty (then ties go straight
// to the lowest index). Windows need not be contiguous; the result is ordered by sample id.
// Throws kiln::Error on inconsistent sizes, a class index out of range, or a sample whose windows
// disagree on the true class.
std::vector<SampleVote> majority_vote(std::span<const int64_t> sample_ids,
                                      std::span<const int32_t> truth,
                                      std::span<const int32_t> predicted,
                                      std::span<const float> scores, int num_classes);

struct AnomalyScore {
  float score = 0.0f;  // higher = more anomalous
  bool is_anomaly = false;
};

// Area under the ROC curve, exactly: the fraction of (anomaly, normal) pairs in which the anomaly
// scores higher, a tie counting 1/2 (the Mann-Whitney U statistic over P * N). nullopt when there
// are no anomalies or no normal samples. Throws kiln::Error on a NaN score.
std::optional<double> roc_auc(std::span<const AnomalyScore> scores);

}  // namespace kiln::eval
