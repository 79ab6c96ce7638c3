#include "eval/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "core/error.h"

namespace kiln::eval {
namespace {

struct Blobs {
  std::vector<float> points;  // n x 2
  std::vector<std::vector<double>> means;
  int count = 0;
};

// Three tight blobs far apart: a 5 x 5 grid of offsets in [-0.5, 0.5] around each centre, so the
// right answer is each blob's own mean, computed here in double.
Blobs three_blobs() {
  const double centres[3][2] = {{0.0, 0.0}, {10.0, 0.0}, {3.0, 12.0}};
  Blobs blobs;
  for (const auto& centre : centres) {
    double sum_x = 0.0, sum_y = 0.0;
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j) {
        // A little skew so the mean is not exactly the centre.
        const float x = static_cast<float>(centre[0] + 0.25 * (i - 2) + 0.03 * j);
        const float y = static_cast<float>(centre[1] + 0.25 * (j - 2));
        blobs.points.push_back(x);
        blobs.points.push_back(y);
        sum_x += x;
        sum_y += y;
        ++blobs.count;
      }
    }
    blobs.means.push_back({sum_x / 25.0, sum_y / 25.0});
  }
  return blobs;
}

std::vector<float> random_points(int n, int f, uint32_t seed) {
  std::mt19937 engine(seed);
  std::vector<float> v;
  for (int i = 0; i < n * f; ++i) v.push_back(static_cast<float>(engine() % 1000) / 100.0f);
  return v;
}

TEST(KMeans, RecoversWellSeparatedBlobs) {
  const Blobs blobs = three_blobs();
  for (uint32_t seed : {1u, 2u, 3u, 17u, 12345u}) {
    KMeansConfig config;
    config.clusters = 3;
    config.seed = seed;
    const KMeansFit fit = train_kmeans(blobs.points, blobs.count, 2, config);
    ASSERT_EQ(fit.clusters, 3);
    ASSERT_EQ(fit.centroids.size(), 6u);
    EXPECT_TRUE(fit.converged);
    // Every blob mean has exactly one centroid on it.
    for (const auto& mean : blobs.means) {
      int matches = 0;
      for (int c = 0; c < 3; ++c) {
        if (std::fabs(fit.centroids[2 * c] - mean[0]) < 1e-5 &&
            std::fabs(fit.centroids[2 * c + 1] - mean[1]) < 1e-5) {
          ++matches;
        }
      }
      EXPECT_EQ(matches, 1) << "seed " << seed << " mean " << mean[0] << "," << mean[1];
    }
  }
}

TEST(KMeans, SameDataAndSeedGiveIdenticalCentroids) {
  const std::vector<float> points = random_points(300, 4, 7);
  KMeansConfig config;
  config.clusters = 6;
  config.seed = 42;
  const KMeansFit a = train_kmeans(points, 300, 4, config);
  const KMeansFit b = train_kmeans(points, 300, 4, config);
  ASSERT_EQ(a.centroids.size(), 24u);
  EXPECT_EQ(a.centroids, b.centroids);  // bit for bit
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_GE(a.iterations, 1);
  EXPECT_LE(a.iterations, config.max_iterations);
}

TEST(KMeans, CentroidsAreMeansOfTheirPointsWhenConverged) {
  const std::vector<float> points = random_points(200, 3, 3);
  KMeansConfig config;
  config.clusters = 4;
  const KMeansFit fit = train_kmeans(points, 200, 3, config);
  ASSERT_TRUE(fit.converged);
  // Recompute assignments with a naive double distance and check the fixed point.
  std::vector<double> sums(12, 0.0);
  std::vector<int> counts(4, 0);
  for (int i = 0; i < 200; ++i) {
    int best = 0;
    double best_d = INFINITY;
    for (int c = 0; c < 4; ++c) {
      double d = 0.0;
      for (int j = 0; j < 3; ++j) {
        const double diff = static_cast<double>(points[i * 3 + j]) - fit.centroids[c * 3 + j];
        d += diff * diff;
      }
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
    ++counts[best];
    for (int j = 0; j < 3; ++j) sums[best * 3 + j] += points[i * 3 + j];
  }
  for (int c = 0; c < 4; ++c) {
    ASSERT_GT(counts[c], 0);
    for (int j = 0; j < 3; ++j) {
      EXPECT_NEAR(fit.centroids[c * 3 + j], sums[c * 3 + j] / counts[c], 1e-4);
    }
  }
}

TEST(KMeans, ZeroIterationsKeepsSeedsOnDataPoints) {
  const std::vector<float> points = random_points(50, 2, 9);
  KMeansConfig config;
  config.clusters = 5;
  config.max_iterations = 0;
  const KMeansFit fit = train_kmeans(points, 50, 2, config);
  EXPECT_EQ(fit.iterations, 0);
  EXPECT_FALSE(fit.converged);
  for (int c = 0; c < 5; ++c) {
    bool found = false;
    for (int i = 0; i < 50; ++i) {
      found |=
          points[i * 2] == fit.centroids[c * 2] && points[i * 2 + 1] == fit.centroids[c * 2 + 1];
    }
    EXPECT_TRUE(found) << "centroid " << c;
  }
}

TEST(KMeans, FewerPointsThanClusters) {
  const std::vector<float> points = {1.0f, 2.0f, -3.0f, 4.0f};
  KMeansConfig config;
  config.clusters = 5;
  const KMeansFit fit = train_kmeans(points, 2, 2, config);
  EXPECT_EQ(fit.clusters, 2);
  ASSERT_EQ(fit.centroids.size(), 4u);
  // Both points are centroids, in some order.
  const bool direct = fit.centroids == points;
  const bool swapped = fit.centroids == std::vector<float>{-3.0f, 4.0f, 1.0f, 2.0f};
  EXPECT_TRUE(direct || swapped);
}

TEST(KMeans, IdenticalPoints) {
  const std::vector<float> points(8, 2.5f);  // 4 points of 2 features, all equal
  KMeansConfig config;
  config.clusters = 3;
  const KMeansFit fit = train_kmeans(points, 4, 2, config);
  EXPECT_EQ(fit.clusters, 3);
  for (float v : fit.centroids) EXPECT_EQ(v, 2.5f);
}

TEST(KMeans, RejectsBadInput) {
  KMeansConfig config;
  const std::vector<float> points = {1.0f, 2.0f, 3.0f, 4.0f};
  EXPECT_THROW(train_kmeans({}, 0, 2, config), Error);
  EXPECT_THROW(train_kmeans(points, 3, 2, config), Error);  // 4 values are not 3 x 2
  std::vector<float> with_nan = points;
  with_nan[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(train_kmeans(with_nan, 2, 2, config), Error);
  config.clusters = 0;
  EXPECT_THROW(train_kmeans(points, 2, 2, config), Error);
}

TEST(KMeansThreshold, NearestRankPercentile) {
  // Scores 1..200 shuffled: the 99th percentile by nearest rank is ceil(0.99 * 200) = rank 198.
  std::vector<float> scores;
  for (int i = 1; i <= 200; ++i) scores.push_back(static_cast<float>((i * 73) % 200 + 1));
  EXPECT_EQ(choose_threshold(scores), 198.0f);
  // 50th percentile of 4 values: rank 2.
  EXPECT_EQ(choose_threshold(std::vector<float>{4.0f, 1.0f, 3.0f, 2.0f}, 50.0), 2.0f);
  EXPECT_EQ(choose_threshold(std::vector<float>{4.0f, 1.0f, 3.0f, 2.0f}, 100.0), 4.0f);
}

TEST(KMeansThreshold, FewScoresGiveTheMaximum) {
  // Below 100 scores, ceil(0.99 * n) = n.
  EXPECT_EQ(choose_threshold(std::vector<float>{0.5f, 2.25f, 1.0f}), 2.25f);
  EXPECT_EQ(choose_threshold(std::vector<float>{3.0f}), 3.0f);
}

TEST(KMeansThreshold, RejectsBadInput) {
  EXPECT_THROW(choose_threshold({}), Error);
  EXPECT_THROW(choose_threshold(std::vector<float>{1.0f, INFINITY}), Error);
  EXPECT_THROW(choose_threshold(std::vector<float>{1.0f}, 0.0), Error);
  EXPECT_THROW(choose_threshold(std::vector<float>{1.0f}, 101.0), Error);
}

TEST(KMeansAnomaly, FitScoresAndThreshold) {
  const Blobs blobs = three_blobs();
  KMeansConfig config;
  config.clusters = 3;
  const KMeansModel model = fit_kmeans_anomaly(blobs.points, blobs.count, 2, config);
  EXPECT_EQ(model.clusters, 3);
  EXPECT_EQ(model.features, 2);

  // Scores against a naive double distance to the nearest blob mean.
  const std::vector<float> scores = kmeans_scores(model, blobs.points, blobs.count);
  float largest = 0.0f;
  for (int i = 0; i < blobs.count; ++i) {
    double best = INFINITY;
    for (const auto& mean : blobs.means) {
      best = std::min(best,
                      std::hypot(blobs.points[2 * i] - mean[0], blobs.points[2 * i + 1] - mean[1]));
    }
    EXPECT_NEAR(scores[i], best, 1e-5);
    largest = std::max(largest, scores[i]);
  }
  // 75 training points: the threshold is the largest training score.
  EXPECT_EQ(model.threshold, largest);
  const std::vector<float> far = {5.0f, 5.0f};
  EXPECT_GT(kmeans_scores(model, far, 1)[0], model.threshold);
}

TEST(KMeansAnomaly, JsonRoundTrip) {
  KMeansModel model;
  model.clusters = 2;
  model.features = 3;
  model.centroids = {0.1f, -2.5f, 3.0e-7f, 1.0f / 3.0f, 7.0f, -0.0f};
  model.threshold = 0.123456789f;
  const nlohmann::json j = model;
  EXPECT_EQ(j.at("centroids").size(), 2u);
  EXPECT_EQ(j.at("centroids")[1].size(), 3u);
  const KMeansModel back = nlohmann::json::parse(j.dump()).get<KMeansModel>();
  EXPECT_EQ(back.clusters, 2);
  EXPECT_EQ(back.features, 3);
  EXPECT_EQ(back.centroids, model.centroids);
  EXPECT_EQ(back.threshold, model.threshold);
}

TEST(KMeansAnomaly, JsonRejectsInconsistentModels) {
  const auto parse = [](const char* text) {
    return nlohmann::json::parse(text).get<KMeansModel>();
  };
  EXPECT_THROW(parse(R"({"clusters": 2, "features": 1, "centroids": [[1]], "threshold": 1})"),
               Error);
  EXPECT_THROW(parse(R"({"clusters": 1, "features": 2, "centroids": [[1]], "threshold": 1})"),
               Error);
  EXPECT_THROW(parse(R"({"clusters": 1, "features": 1, "centroids": [[1]]})"), Error);
  EXPECT_THROW(parse(R"({"clusters": 1, "features": 1, "centroids": [["x"]], "threshold": 1})"),
               Error);
  EXPECT_NO_THROW(parse(R"({"clusters": 1, "features": 1, "centroids": [[1]], "threshold": 1})"));
}

TEST(KMeansAnomaly, ScoresRejectMismatchedModel) {
  KMeansModel model;
  model.clusters = 2;
  model.features = 2;
  model.centroids = {1.0f, 2.0f, 3.0f};
  const std::vector<float> point = {0.0f, 0.0f};
  EXPECT_THROW(kmeans_scores(model, point, 1), Error);
  model.centroids.push_back(4.0f);
  EXPECT_NO_THROW(kmeans_scores(model, point, 1));
  EXPECT_THROW(kmeans_scores(model, point, 2), Error);
}

}  // namespace
}  // namespace kiln::eval
