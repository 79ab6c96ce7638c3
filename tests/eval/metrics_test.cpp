#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "core/error.h"

namespace kiln::eval {
namespace {

double f1_of(double p, double r) {
  return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

TEST(ClassificationMetrics, ThreeClassHandComputed) {
  // truth:     a a a b b c c c c
  // predicted: a a b b b c c a b
  const std::vector<int32_t> truth = {0, 0, 0, 1, 1, 2, 2, 2, 2};
  const std::vector<int32_t> predicted = {0, 0, 1, 1, 1, 2, 2, 0, 1};
  const ClassificationMetrics m = classification_metrics(truth, predicted, {"a", "b", "c"});
  const std::vector<std::vector<int64_t>> confusion = {{2, 1, 0}, {0, 2, 0}, {1, 1, 2}};
  EXPECT_EQ(m.confusion, confusion);
  EXPECT_EQ(m.total, 9);
  EXPECT_DOUBLE_EQ(m.accuracy, 6.0 / 9.0);
  // Column sums 3, 4, 2 (predictions); row sums 3, 2, 4 (occurrences).
  const double precision[] = {2.0 / 3.0, 2.0 / 4.0, 2.0 / 2.0};
  const double recall[] = {2.0 / 3.0, 2.0 / 2.0, 2.0 / 4.0};
  double f1_sum = 0.0;
  for (int c = 0; c < 3; ++c) {
    EXPECT_DOUBLE_EQ(m.precision[c], precision[c]) << c;
    EXPECT_DOUBLE_EQ(m.recall[c], recall[c]) << c;
    EXPECT_NEAR(m.f1[c], f1_of(precision[c], recall[c]), 1e-12) << c;
    f1_sum += f1_of(precision[c], recall[c]);
  }
  EXPECT_NEAR(m.macro_f1, f1_sum / 3.0, 1e-12);
}

TEST(ClassificationMetrics, UndefinedRatiosAreZero) {
  // Class c never occurs and is never predicted; class d occurs but is never predicted.
  const std::vector<int32_t> truth = {0, 0, 1, 3};
  const std::vector<int32_t> predicted = {0, 1, 1, 1};
  const ClassificationMetrics m = classification_metrics(truth, predicted, {"a", "b", "c", "d"});
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.precision[0], 1.0);
  EXPECT_DOUBLE_EQ(m.recall[0], 0.5);
  EXPECT_DOUBLE_EQ(m.precision[1], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall[1], 1.0);
  EXPECT_EQ(m.precision[2], 0.0);
  EXPECT_EQ(m.recall[2], 0.0);
  EXPECT_EQ(m.f1[2], 0.0);
  EXPECT_EQ(m.precision[3], 0.0);  // never predicted
  EXPECT_EQ(m.recall[3], 0.0);
  EXPECT_EQ(m.f1[3], 0.0);
  // The macro mean skips c (absent from both) but keeps d.
  const double expected = (f1_of(1.0, 0.5) + f1_of(1.0 / 3.0, 1.0) + 0.0) / 3.0;
  EXPECT_NEAR(m.macro_f1, expected, 1e-12);
}

TEST(ClassificationMetrics, NoPredictions) {
  const ClassificationMetrics m = classification_metrics({}, {}, {"x", "y"});
  EXPECT_EQ(m.total, 0);
  EXPECT_EQ(m.accuracy, 0.0);
  EXPECT_EQ(m.macro_f1, 0.0);
  EXPECT_EQ(m.confusion, (std::vector<std::vector<int64_t>>{{0, 0}, {0, 0}}));
}

TEST(ClassificationMetrics, RejectsBadInput) {
  const std::vector<int32_t> one = {0};
  const std::vector<int32_t> two = {0, 1};
  const std::vector<int32_t> out_of_range = {2};
  const std::vector<int32_t> negative = {-1};
  EXPECT_THROW(classification_metrics(one, two, {"a", "b"}), Error);
  EXPECT_THROW(classification_metrics(out_of_range, one, {"a", "b"}), Error);
  EXPECT_THROW(classification_metrics(one, negative, {"a", "b"}), Error);
}

TEST(ClassificationMetrics, ConfusionText) {
  const std::vector<int32_t> truth = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const std::vector<int32_t> predicted = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  const ClassificationMetrics m = classification_metrics(truth, predicted, {"yes", "unknown"});
  const std::string expected =
      "true \\ predicted  yes  unknown\n"
      "yes                 2        1\n"
      "unknown             1       11\n";
  EXPECT_EQ(format_confusion(m), expected);
}

TEST(ClassificationMetrics, ConfusionTextWidensForLongLabelsAndCounts) {
  std::vector<int32_t> truth(1234, 0), predicted(1234, 0);
  const ClassificationMetrics m =
      classification_metrics(truth, predicted, {"a_rather_long_label", "b"});
  const std::string expected =
      "true \\ predicted     a_rather_long_label  b\n"
      "a_rather_long_label                 1234  0\n"
      "b                                      0  0\n";
  EXPECT_EQ(format_confusion(m), expected);
}

TEST(ClassificationMetrics, Json) {
  const std::vector<int32_t> truth = {0, 1, 1, 1};
  const std::vector<int32_t> predicted = {0, 1, 0, 1};
  const nlohmann::json j = metrics_json(classification_metrics(truth, predicted, {"on", "off"}));
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), 0.75);
  // on: P = 1/2, R = 1; off: P = 1, R = 2/3.
  EXPECT_NEAR(j.at("f1").get<double>(), (f1_of(0.5, 1.0) + f1_of(1.0, 2.0 / 3.0)) / 2.0, 1e-12);
  EXPECT_EQ(j.at("precision"), nlohmann::json::parse("[0.5, 1.0]"));
  EXPECT_DOUBLE_EQ(j.at("recall")[1].get<double>(), 2.0 / 3.0);
  EXPECT_EQ(j.at("f1_per_class").size(), 2u);
  EXPECT_EQ(j.at("confusion"), nlohmann::json::parse("[[1, 0], [1, 2]]"));
  EXPECT_EQ(j.at("labels"), nlohmann::json::parse(R"(["on", "off"])"));
}

TEST(MajorityVote, VotesAndTieBreaks) {
  // Windows of samples 7, 3 and 5, interleaved. 3 classes.
  const std::vector<int64_t> ids = {7, 3, 7, 5, 3, 7, 5};
  const std::vector<int32_t> truth = {1, 2, 1, 0, 2, 1, 0};
  const std::vector<int32_t> predicted = {1, 0, 0, 1, 2, 1, 0};
  const std::vector<float> scores = {
      0.1f, 0.8f, 0.1f,  // 7: votes 1
      0.5f, 0.1f, 0.4f,  // 3: votes 0
      0.6f, 0.3f, 0.1f,  // 7: votes 0
      0.2f, 0.7f, 0.1f,  // 5: votes 1
      0.1f, 0.2f, 0.7f,  // 3: votes 2
      0.2f, 0.7f, 0.1f,  // 7: votes 1
      0.7f, 0.2f, 0.1f,  // 5: votes 0
  };
  const std::vector<SampleVote> votes = majority_vote(ids, truth, predicted, scores, 3);
  ASSERT_EQ(votes.size(), 3u);
  // Ordered by id. Sample 3: one vote each for 0 and 2; summed scores 0.6 vs 1.1 -> class 2.
  EXPECT_EQ(votes[0].sample_id, 3);
  EXPECT_EQ(votes[0].truth, 2);
  EXPECT_EQ(votes[0].predicted, 2);
  EXPECT_EQ(votes[0].windows, 2);
  // Sample 5: one vote each for 1 and 0; summed scores 0.9 and 0.9 tie -> lowest index 0.
  EXPECT_EQ(votes[1].sample_id, 5);
  EXPECT_EQ(votes[1].predicted, 0);
  // Sample 7: two votes for 1, one for 0 -> 1, though class 0's summed score is not lowest.
  EXPECT_EQ(votes[2].sample_id, 7);
  EXPECT_EQ(votes[2].truth, 1);
  EXPECT_EQ(votes[2].predicted, 1);
  EXPECT_EQ(votes[2].windows, 3);
}

TEST(MajorityVote, WithoutScoresTiesGoToLowestIndex) {
  const std::vector<int64_t> ids = {1, 1, 2};
  const std::vector<int32_t> truth = {0, 0, 1};
  const std::vector<int32_t> predicted = {2, 1, 1};
  const std::vector<SampleVote> votes = majority_vote(ids, truth, predicted, {}, 3);
  ASSERT_EQ(votes.size(), 2u);
  EXPECT_EQ(votes[0].predicted, 1);
  EXPECT_EQ(votes[1].predicted, 1);
}

TEST(MajorityVote, ScoresBreakTiesInFavourOfAHigherIndex) {
  const std::vector<int64_t> ids = {4, 4};
  const std::vector<int32_t> truth = {1, 1};
  const std::vector<int32_t> predicted = {0, 1};
  const std::vector<float> scores = {0.6f, 0.4f, 0.3f, 0.7f};  // sums 0.9 vs 1.1
  EXPECT_EQ(majority_vote(ids, truth, predicted, scores, 2)[0].predicted, 1);
}

TEST(MajorityVote, RejectsBadInput) {
  const std::vector<int64_t> ids = {1, 1};
  const std::vector<int32_t> conflicting_truth = {0, 1};
  const std::vector<int32_t> predicted = {0, 0};
  EXPECT_THROW(majority_vote(ids, conflicting_truth, predicted, {}, 2), Error);
  const std::vector<int32_t> truth = {0, 0};
  const std::vector<float> short_scores = {0.5f, 0.5f, 0.5f};
  EXPECT_THROW(majority_vote(ids, truth, predicted, short_scores, 2), Error);
  const std::vector<int32_t> out_of_range = {0, 2};
  EXPECT_THROW(majority_vote(ids, truth, out_of_range, {}, 2), Error);
  EXPECT_THROW(majority_vote(ids, truth, predicted, {}, 0), Error);
}

TEST(RocAuc, HandComputedWithTies) {
  // Normal 0.1, 0.4, 0.35; anomalies 0.8, 0.35. 0.8 beats all 3 normals; 0.35 beats 0.1, ties
  // 0.35 and loses to 0.4: 1.5. AUC = 4.5 / 6.
  const std::vector<AnomalyScore> scores = {
      {0.1f, false}, {0.8f, true}, {0.4f, false}, {0.35f, true}, {0.35f, false}};
  const std::optional<double> auc = roc_auc(scores);
  ASSERT_TRUE(auc.has_value());
  EXPECT_DOUBLE_EQ(*auc, 0.75);
}

TEST(RocAuc, ExtremesAndAllTied) {
  const std::vector<AnomalyScore> perfect = {{1.0f, false}, {2.0f, false}, {3.0f, true}};
  EXPECT_DOUBLE_EQ(*roc_auc(perfect), 1.0);
  const std::vector<AnomalyScore> reversed = {{1.0f, true}, {2.0f, false}, {3.0f, false}};
  EXPECT_DOUBLE_EQ(*roc_auc(reversed), 0.0);
  const std::vector<AnomalyScore> tied = {{5.0f, true}, {5.0f, false}, {5.0f, false}, {5.0f, true}};
  EXPECT_DOUBLE_EQ(*roc_auc(tied), 0.5);
  // 1/3: one anomaly, three normals, beating exactly one of them.
  const std::vector<AnomalyScore> third = {
      {0.0f, false}, {1.0f, true}, {2.0f, false}, {INFINITY, false}};
  EXPECT_DOUBLE_EQ(*roc_auc(third), 1.0 / 3.0);
}

TEST(RocAuc, MatchesPairCountingOnManyTies) {
  std::mt19937 engine(5);
  std::vector<AnomalyScore> scores;
  for (int i = 0; i < 400; ++i) {
    const bool anomaly = engine() % 3 == 0;
    // Anomalies score a little higher on average; only 12 distinct values, so ties abound.
    const float score = static_cast<float>(engine() % 10 + (anomaly ? 2 : 0)) * 0.5f;
    scores.push_back({score, anomaly});
  }
  double wins = 0.0;
  int64_t pairs = 0;
  for (const AnomalyScore& a : scores) {
    if (!a.is_anomaly) continue;
    for (const AnomalyScore& n : scores) {
      if (n.is_anomaly) continue;
      ++pairs;
      wins += a.score > n.score ? 1.0 : (a.score == n.score ? 0.5 : 0.0);
    }
  }
  ASSERT_GT(pairs, 0);
  EXPECT_NEAR(*roc_auc(scores), wins / static_cast<double>(pairs), 1e-12);
}

TEST(RocAuc, UndefinedWithoutBothKinds) {
  EXPECT_FALSE(roc_auc({}).has_value());
  const std::vector<AnomalyScore> normal_only = {{1.0f, false}, {2.0f, false}};
  EXPECT_FALSE(roc_auc(normal_only).has_value());
  const std::vector<AnomalyScore> anomalies_only = {{1.0f, true}};
  EXPECT_FALSE(roc_auc(anomalies_only).has_value());
  const std::vector<AnomalyScore> with_nan = {{std::numeric_limits<float>::quiet_NaN(), true},
                                              {1.0f, false}};
  EXPECT_THROW(roc_auc(with_nan), Error);
}

}  // namespace
}  // namespace kiln::eval
