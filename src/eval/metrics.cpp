#include "eval/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace kiln::eval {

namespace {

void check_class(int32_t index, size_t num_classes, const char* what) {
  if (index < 0 || static_cast<size_t>(index) >= num_classes) {
    throw Error(
        fmt::format("metrics: {} class index {} is not in [0, {})", what, index, num_classes));
  }
}

double ratio_or_zero(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

ClassificationMetrics classification_metrics(std::span<const int32_t> truth,
                                             std::span<const int32_t> predicted,
                                             const std::vector<std::string>& labels) {
  if (truth.size() != predicted.size()) {
    throw Error(
        fmt::format("metrics: {} true labels but {} predictions", truth.size(), predicted.size()));
  }
  const size_t k = labels.size();
  ClassificationMetrics m;
  m.labels = labels;
  m.confusion.assign(k, std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < truth.size(); ++i) {
    check_class(truth[i], k, "true");
    check_class(predicted[i], k, "predicted");
    ++m.confusion[truth[i]][predicted[i]];
  }
  m.total = static_cast<int64_t>(truth.size());

  int64_t correct = 0;
  m.precision.assign(k, 0.0);
  m.recall.assign(k, 0.0);
  m.f1.assign(k, 0.0);
  double f1_sum = 0.0;
  int present = 0;
  for (size_t c = 0; c < k; ++c) {
    const int64_t tp = m.confusion[c][c];
    int64_t row = 0, column = 0;  // occurrences of c, predictions of c
    for (size_t o = 0; o < k; ++o) {
      row += m.confusion[c][o];
      column += m.confusion[o][c];
    }
    correct += tp;
    m.precision[c] = ratio_or_zero(tp, column);
    m.recall[c] = ratio_or_zero(tp, row);
    // 2PR / (P + R) written with counts: 2TP / (2TP + FP + FN) = 2TP / (row + column).
    m.f1[c] = ratio_or_zero(2 * tp, row + column);
    if (row + column > 0) {
      f1_sum += m.f1[c];
      ++present;
    }
  }
  m.accuracy = ratio_or_zero(correct, m.total);
  m.macro_f1 = present == 0 ? 0.0 : f1_sum / present;
  return m;
}

std::string format_confusion(const ClassificationMetrics& m) {
  const std::string corner = "true \\ predicted";
  size_t first_width = corner.size();
  for (const std::string& label : m.labels) first_width = std::max(first_width, label.size());
  std::vector<size_t> widths(m.labels.size());
  for (size_t c = 0; c < m.labels.size(); ++c) {
    widths[c] = m.labels[c].size();
    for (const auto& row : m.confusion) {
      widths[c] = std::max(widths[c], fmt::formatted_size("{}", row[c]));
    }
  }
  std::string out = fmt::format("{:<{}}", corner, first_width);
  for (size_t c = 0; c < m.labels.size(); ++c)
    out += fmt::format("  {:>{}}", m.labels[c], widths[c]);
  out += '\n';
  for (size_t r = 0; r < m.labels.size(); ++r) {
    out += fmt::format("{:<{}}", m.labels[r], first_width);
    for (size_t c = 0; c < m.labels.size(); ++c) {
      out += fmt::format("  {:>{}}", m.confusion[r][c], widths[c]);
    }
    out += '\n';
  }
  return out;
}

nlohmann::json metrics_json(const ClassificationMetrics& m) {
  return nlohmann::json{{"accuracy", m.accuracy},   {"f1", m.macro_f1},
                        {"precision", m.precision}, {"recall", m.recall},
                        {"f1_per_class", m.f1},     {"confusion", m.confusion},
                        {"labels", m.labels}};
}

std::vector<SampleVote> majority_vote(std::span<const int64_t> sample_ids,
                                      std::span<const int32_t> truth,
                                      std::span<const int32_t> predicted,
                                      std::span<const float> scores, int num_classes) {
  const size_t n = sample_ids.size();
  if (num_classes < 1) throw Error("majority vote: need at least one class");
  const size_t k = static_cast<size_t>(num_classes);
  if (truth.size() != n || predicted.size() != n || (!scores.empty() && scores.size() != n * k)) {
    throw Error(
        fmt::format("majority vote: {} windows but {} true labels, {} predictions and {} scores "
                    "({} classes)",
                    n, truth.size(), predicted.size(), scores.size(), num_classes));
  }
  struct Tally {
    int32_t truth = 0;
    int32_t windows = 0;
    std::vector<int64_t> votes;
    std::vector<double> score_sums;  // summed in window order, so the result is reproducible
  };
  std::map<int64_t, Tally> tallies;
  for (size_t i = 0; i < n; ++i) {
    check_class(truth[i], k, "true");
    check_class(predicted[i], k, "predicted");
    auto [it, inserted] = tallies.try_emplace(sample_ids[i]);
    Tally& t = it->second;
    if (inserted) {
      t.truth = truth[i];
      t.votes.assign(k, 0);
      t.score_sums.assign(k, 0.0);
    } else if (t.truth != truth[i]) {
      throw Error(fmt::format("majority vote: sample {} has windows of true classes {} and {}",
                              sample_ids[i], t.truth, truth[i]));
    }
    ++t.windows;
    ++t.votes[predicted[i]];
    if (!scores.empty()) {
      for (size_t c = 0; c < k; ++c) t.score_sums[c] += scores[i * k + c];
    }
  }
  std::vector<SampleVote> out;
  out.reserve(tallies.size());
  for (const auto& [id, t] : tallies) {
    size_t best = 0;
    for (size_t c = 1; c < k; ++c) {
      // Strict comparisons keep the lowest index when votes and summed scores both tie.
      if (t.votes[c] > t.votes[best] ||
          (t.votes[c] == t.votes[best] && t.score_sums[c] > t.score_sums[best])) {
        best = c;
      }
    }
    out.push_back(SampleVote{id, t.truth, static_cast<int32_t>(best), t.windows});
  }
  return out;
}

std::optional<double> roc_auc(std::span<const AnomalyScore> scores) {
  std::vector<AnomalyScore> sorted(scores.begin(), scores.end());
  for (const AnomalyScore& s : sorted) {
    if (std::isnan(s.score)) throw Error("ROC AUC: a score is NaN");
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const AnomalyScore& a, const AnomalyScore& b) { return a.score < b.score; });
  // Walk groups of equal scores from the lowest up. Each anomaly beats every normal sample below
  // its group and ties with those inside it: twice its share is 2 * below + in_group, kept in
  // integers so the only rounding is the final division.
  unsigned __int128 twice_wins = 0;
  uint64_t normals_below = 0, anomalies = 0;
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = begin;
    uint64_t group_normals = 0, group_anomalies = 0;
    while (end < sorted.size() && sorted[end].score == sorted[begin].score) {
      (sorted[end].is_anomaly ? group_anomalies : group_normals) += 1;
      ++end;
    }
    twice_wins += static_cast<unsigned __int128>(group_anomalies) *
                  (2 * static_cast<unsigned __int128>(normals_below) + group_normals);
    normals_below += group_normals;
    anomalies += group_anomalies;
    begin = end;
  }
  const uint64_t normals = normals_below;
  if (anomalies == 0 || normals == 0) return std::nullopt;
  return static_cast<double>(twice_wins) /
         (2.0 * static_cast<double>(anomalies) * static_cast<double>(normals));
}

}  // namespace kiln::eval
