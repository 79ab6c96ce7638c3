#include "runtime/anomaly_kmeans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace kiln::rt {
namespace {

TEST(AnomalyKMeans, DistanceToNearestCentroid) {
  // Two centroids in 2-D; the point (3, 4) is 5 from the origin and sqrt(4 + 16) from (5, 0).
  const std::vector<float> centroids = {0.0f, 0.0f, 5.0f, 0.0f};
  const float point[] = {3.0f, 4.0f};
  int32_t cluster = -1;
  float squared = -1.0f;
  ASSERT_EQ(kmeans_nearest_centroid(point, 2, centroids.data(), 2, &cluster, &squared), kOk);
  EXPECT_EQ(cluster, 1);
  EXPECT_EQ(squared, 20.0f);
  EXPECT_EQ(kmeans_anomaly_score(point, 2, centroids.data(), 2), std::sqrt(20.0f));

  // With only the first centroid the answer is the 3-4-5 triangle, exactly.
  EXPECT_EQ(kmeans_anomaly_score(point, 2, centroids.data(), 1), 5.0f);
}

TEST(AnomalyKMeans, PointOnACentroidScoresZero) {
  const std::vector<float> centroids = {1.5f, -2.0f, 0.25f, 7.0f, 8.0f, 9.0f};
  const float point[] = {7.0f, 8.0f, 9.0f};
  EXPECT_EQ(kmeans_anomaly_score(point, 3, centroids.data(), 2), 0.0f);
}

TEST(AnomalyKMeans, TieGoesToLowestCluster) {
  // (0, 0) is 1 from (1, 0), (-1, 0) and (0, 1).
  const std::vector<float> centroids = {1.0f, 0.0f, -1.0f, 0.0f, 0.0f, 1.0f};
  const float point[] = {0.0f, 0.0f};
  int32_t cluster = -1;
  float squared = 0.0f;
  ASSERT_EQ(kmeans_nearest_centroid(point, 2, centroids.data(), 3, &cluster, &squared), kOk);
  EXPECT_EQ(cluster, 0);
  EXPECT_EQ(squared, 1.0f);
}

TEST(AnomalyKMeans, AccumulatesInFloatInIndexOrder) {
  // 4096^2 = 2^24: adding 1 to it in float rounds back to 2^24, so summing in index order gives
  // exactly 2^24 for {4096, 1, 1}, while {1, 1, 4096} first makes 2 and then 2^24 + 2 (exact).
  const float origin[] = {0.0f, 0.0f, 0.0f};
  const float big_first[] = {4096.0f, 1.0f, 1.0f};
  const float big_last[] = {1.0f, 1.0f, 4096.0f};
  int32_t cluster = -1;
  float squared = 0.0f;
  ASSERT_EQ(kmeans_nearest_centroid(big_first, 3, origin, 1, &cluster, &squared), kOk);
  EXPECT_EQ(squared, 16777216.0f);
  ASSERT_EQ(kmeans_nearest_centroid(big_last, 3, origin, 1, &cluster, &squared), kOk);
  EXPECT_EQ(squared, 16777218.0f);
  EXPECT_EQ(kmeans_anomaly_score(big_first, 3, origin, 1), 4096.0f);
  // sqrt(2^24 + 2) is 4096 + 2^-12 to first order: half a float ulp, so it rounds to even.
  EXPECT_EQ(kmeans_anomaly_score(big_last, 3, origin, 1), std::sqrt(16777218.0f));
}

TEST(AnomalyKMeans, NaNFeaturesGiveNaN) {
  const float centroids[] = {0.0f, 1.0f};
  const float point[] = {std::numeric_limits<float>::quiet_NaN()};
  EXPECT_TRUE(std::isnan(kmeans_anomaly_score(point, 1, centroids, 2)));
}

TEST(AnomalyKMeans, BadArguments) {
  const float centroids[] = {0.0f, 1.0f};
  const float point[] = {0.5f};
  int32_t cluster = 0;
  float squared = 0.0f;
  EXPECT_EQ(kmeans_nearest_centroid(nullptr, 1, centroids, 2, &cluster, &squared), kBadArgument);
  EXPECT_EQ(kmeans_nearest_centroid(point, 1, nullptr, 2, &cluster, &squared), kBadArgument);
  EXPECT_EQ(kmeans_nearest_centroid(point, 1, centroids, 2, nullptr, &squared), kBadArgument);
  EXPECT_EQ(kmeans_nearest_centroid(point, 1, centroids, 2, &cluster, nullptr), kBadArgument);
  EXPECT_EQ(kmeans_nearest_centroid(point, 0, centroids, 2, &cluster, &squared), kBadArgument);
  EXPECT_EQ(kmeans_nearest_centroid(point, 1, centroids, 0, &cluster, &squared), kBadArgument);
  EXPECT_EQ(kmeans_anomaly_score(point, 1, centroids, -3), -1.0f);
  EXPECT_EQ(kmeans_anomaly_score(nullptr, 1, centroids, 2), -1.0f);
}

}  // namespace
}  // namespace kiln::rt
