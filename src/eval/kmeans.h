// K-means anomaly detection, host side: training the centroids on features of normal data and
// choosing the score threshold. Scoring itself is the device function
// (runtime/anomaly_kmeans.h), used here too so host and device scores agree bit for bit.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace kiln::eval {

struct KMeansModel {
  int clusters = 0;
  int features = 0;
  std::vector<float> centroids;  // clusters x features, row-major
  float threshold = 0.0f;        // scores above this are anomalies
};

// {"clusters": K, "features": F, "centroids": [[...], ...], "threshold": T}. from_json checks
// that the centroid rows match the counts and throws kiln::Error otherwise.
void to_json(nlohmann::json& j, const KMeansModel& model);
void from_json(const nlohmann::json& j, KMeansModel& model);

struct KMeansConfig {
  int clusters = 8;
  int max_iterations = 100;
  uint32_t seed = 1;
};

struct KMeansFit {
  std::vector<float> centroids;  // clusters x features, row-major
  int clusters = 0;              // min(config.clusters, number of points)
  int iterations = 0;            // Lloyd iterations run
  bool converged = false;        // the last iteration changed no assignment
};

// Trains K-means on `points` (num_points x num_features, row-major): k-means++ seeding from
// std::mt19937(seed), then Lloyd iterations until no point changes cluster or max_iterations.
// Same data and seed give identical centroids (fixed summation order, no library distributions).
// A cluster that loses all its points keeps its previous centroid. With fewer points than
// clusters, each point becomes a centroid. Throws kiln::Error on empty or non-finite data.
KMeansFit train_kmeans(std::span<const float> points, int num_points, int num_features,
                       const KMeansConfig& config);

// The anomaly score of every point: distance to the nearest centroid.
std::vector<float> kmeans_scores(const KMeansModel& model, std::span<const float> points,
                                 int num_points);

// The threshold is the nearest-rank `percentile` of the training scores (99 by default): the
// largest training score would let one unusual training window (a glitch, a mislabelled sample)
// set the threshold and hide real anomalies, while the 99th percentile flags about 1% of normal
// training windows, a usual operating point. With fewer than 100 scores it equals the maximum.
// Throws kiln::Error on no scores, a non-finite score or a percentile outside (0, 100].
float choose_threshold(std::span<const float> training_scores, double percentile = 99.0);

// train_kmeans, then the threshold from the training points' own scores.
KMeansModel fit_kmeans_anomaly(std::span<const float> points, int num_points, int num_features,
                               const KMeansConfig& config, double percentile = 99.0);

}  // namespace kiln::eval
