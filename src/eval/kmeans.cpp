#include "eval/kmeans.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/error.h"
#include "runtime/anomaly_kmeans.h"

namespace kiln::eval {

namespace {

void check_points(std::span<const float> points, int num_points, int num_features) {
  if (num_points < 1 || num_features < 1) {
    throw Error(fmt::format("k-means: need at least one point and one feature (got {} x {})",
                            num_points, num_features));
  }
  if (points.size() != static_cast<size_t>(num_points) * static_cast<size_t>(num_features)) {
    throw Error(fmt::format("k-means: {} values do not make {} points of {} features",
                            points.size(), num_points, num_features));
  }
}

// The standard fixes std::mt19937's output but not std::uniform_*_distribution's, so the
// conversions are written out to keep runs identical across standard libraries.
class SeededDraws {
 public:
  explicit SeededDraws(uint32_t seed) : engine_(seed) {}

  // Uniform in [0, n) by rejection, no value favoured. n > 0.
  uint32_t below(uint32_t n) {
    const uint32_t limit = UINT32_MAX - UINT32_MAX % n;  // largest multiple of n, exclusive
    uint32_t v;
    do {
      v = static_cast<uint32_t>(engine_());
    } while (v >= limit);
    return v % n;
  }

  // Uniform in [0, 1) with 53 random bits.
  double unit() {
    const uint64_t high = static_cast<uint32_t>(engine_()) >> 5;  // 27 bits
    const uint64_t low = static_cast<uint32_t>(engine_()) >> 6;   // 26 bits
    return static_cast<double>((high << 26) | low) * 0x1.0p-53;
  }

 private:
  std::mt19937 engine_;
};

float squared_distance(const float* a, const float* b, int num_features) {
  int32_t cluster = 0;
  float squared = 0.0f;
  rt::kmeans_nearest_centroid(a, num_features, b, 1, &cluster, &squared);
  return squared;
}

// k-means++ (Arthur & Vassilvitskii): the first centroid is a uniformly drawn point, each further
// one a point drawn with probability proportional to its squared distance to the nearest centroid
// chosen so far, which spreads the seeds over the data.
std::vector<float> seed_centroids(std::span<const float> points, int num_points, int num_features,
                                  int clusters, SeededDraws& draws) {
  const size_t f = static_cast<size_t>(num_features);
  std::vector<float> centroids;
  centroids.reserve(static_cast<size_t>(clusters) * f);
  auto add_centroid = [&](size_t point) {
    centroids.insert(centroids.end(), points.begin() + point * f, points.begin() + (point + 1) * f);
  };
  add_centroid(draws.below(static_cast<uint32_t>(num_points)));

  std::vector<float> nearest(num_points, INFINITY);
  for (int c = 1; c < clusters; ++c) {
    const float* newest = centroids.data() + (static_cast<size_t>(c) - 1) * f;
    double total = 0.0;
    for (int i = 0; i < num_points; ++i) {
      const float d = squared_distance(points.data() + i * f, newest, num_features);
      nearest[i] = std::min(nearest[i], d);
      total += nearest[i];
    }
    if (!std::isfinite(total)) {
      throw Error("k-means: feature values too large for float distances (normalize them)");
    }
    size_t chosen = 0;
    if (total == 0.0) {
      // Every point sits on a centroid already: fewer distinct points than clusters.
      chosen = draws.below(static_cast<uint32_t>(num_points));
    } else {
      const double target = draws.unit() * total;
      double cumulative = 0.0;
      chosen = static_cast<size_t>(num_points);
      size_t last_positive = 0;
      for (int i = 0; i < num_points; ++i) {
        if (nearest[i] <= 0.0f) continue;
        last_positive = static_cast<size_t>(i);
        cumulative += nearest[i];
        if (cumulative > target) {
          chosen = static_cast<size_t>(i);
          break;
        }
      }
      if (chosen == static_cast<size_t>(num_points)) chosen = last_positive;  // rounding at the end
    }
    add_centroid(chosen);
  }
  return centroids;
}

// Assigns every point to its nearest centroid; returns how many assignments changed.
int assign_points(std::span<const float> points, int num_points, int num_features,
                  const std::vector<float>& centroids, int clusters,
                  std::vector<int32_t>& assignment) {
  int changed = 0;
  for (int i = 0; i < num_points; ++i) {
    int32_t cluster = 0;
    float squared = 0.0f;
    rt::kmeans_nearest_centroid(points.data() + static_cast<size_t>(i) * num_features, num_features,
                                centroids.data(), clusters, &cluster, &squared);
    if (assignment[i] != cluster) {
      assignment[i] = cluster;
      ++changed;
    }
  }
  return changed;
}

// Moves every centroid to the mean of its points, summed in double in point order.
void update_centroids(std::span<const float> points, int num_points, int num_features,
                      const std::vector<int32_t>& assignment, int clusters,
                      std::vector<float>& centroids) {
  const size_t f = static_cast<size_t>(num_features);
  std::vector<double> sums(static_cast<size_t>(clusters) * f, 0.0);
  std::vector<int64_t> counts(clusters, 0);
  for (int i = 0; i < num_points; ++i) {
    const size_t c = static_cast<size_t>(assignment[i]);
    ++counts[c];
    for (size_t j = 0; j < f; ++j) sums[c * f + j] += points[i * f + j];
  }
  for (int c = 0; c < clusters; ++c) {
    if (counts[c] == 0) continue;  // an emptied cluster keeps its centroid
    for (size_t j = 0; j < f; ++j) {
      centroids[c * f + j] = static_cast<float>(sums[c * f + j] / static_cast<double>(counts[c]));
    }
  }
}

}  // namespace

KMeansFit train_kmeans(std::span<const float> points, int num_points, int num_features,
                       const KMeansConfig& config) {
  check_points(points, num_points, num_features);
  if (config.clusters < 1) throw Error("k-means: clusters must be at least 1");
  if (config.max_iterations < 0) throw Error("k-means: max_iterations must not be negative");
  for (float v : points) {
    if (!std::isfinite(v)) throw Error("k-means: the features hold a NaN or infinity");
  }

  KMeansFit fit;
  fit.clusters = std::min(config.clusters, num_points);
  SeededDraws draws(config.seed);
  fit.centroids = seed_centroids(points, num_points, num_features, fit.clusters, draws);

  std::vector<int32_t> assignment(num_points, -1);
  assign_points(points, num_points, num_features, fit.centroids, fit.clusters, assignment);
  for (int iteration = 1; iteration <= config.max_iterations; ++iteration) {
    update_centroids(points, num_points, num_features, assignment, fit.clusters, fit.centroids);
    fit.iterations = iteration;
    if (assign_points(points, num_points, num_features, fit.centroids, fit.clusters, assignment) ==
        0) {
      fit.converged = true;
      break;
    }
  }
  return fit;
}

std::vector<float> kmeans_scores(const KMeansModel& model, std::span<const float> points,
                                 int num_points) {
  if (model.clusters < 1 || model.features < 1 ||
      model.centroids.size() !=
          static_cast<size_t>(model.clusters) * static_cast<size_t>(model.features)) {
    throw Error(fmt::format("k-means: model of {} clusters x {} features has {} centroid values",
                            model.clusters, model.features, model.centroids.size()));
  }
  check_points(points, num_points, model.features);
  std::vector<float> scores(num_points);
  for (int i = 0; i < num_points; ++i) {
    scores[i] = rt::kmeans_anomaly_score(points.data() + static_cast<size_t>(i) * model.features,
                                         model.features, model.centroids.data(), model.clusters);
  }
  return scores;
}

float choose_threshold(std::span<const float> training_scores, double percentile) {
  if (training_scores.empty()) throw Error("anomaly threshold: no training scores");
  if (!(percentile > 0.0 && percentile <= 100.0)) {
    throw Error(fmt::format("anomaly threshold: percentile {} is not in (0, 100]", percentile));
  }
  std::vector<float> sorted(training_scores.begin(), training_scores.end());
  for (float s : sorted) {
    if (!std::isfinite(s)) throw Error("anomaly threshold: a training score is not finite");
  }
  std::sort(sorted.begin(), sorted.end());
  // Nearest rank: the smallest score with at least `percentile`% of the scores at or below it.
  const double n = static_cast<double>(sorted.size());
  const size_t rank = static_cast<size_t>(std::ceil(percentile * n / 100.0));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

KMeansModel fit_kmeans_anomaly(std::span<const float> points, int num_points, int num_features,
                               const KMeansConfig& config, double percentile) {
  KMeansFit fit = train_kmeans(points, num_points, num_features, config);
  KMeansModel model;
  model.clusters = fit.clusters;
  model.features = num_features;
  model.centroids = std::move(fit.centroids);
  model.threshold = choose_threshold(kmeans_scores(model, points, num_points), percentile);
  return model;
}

void to_json(nlohmann::json& j, const KMeansModel& model) {
  nlohmann::json rows = nlohmann::json::array();
  const size_t f = static_cast<size_t>(std::max(model.features, 0));
  for (size_t start = 0; f > 0 && start + f <= model.centroids.size(); start += f) {
    rows.push_back(
        std::vector<float>(model.centroids.begin() + start, model.centroids.begin() + start + f));
  }
  j = nlohmann::json{{"clusters", model.clusters},
                     {"features", model.features},
                     {"centroids", std::move(rows)},
                     {"threshold", model.threshold}};
}

void from_json(const nlohmann::json& j, KMeansModel& model) {
  KMeansModel parsed;
  try {
    parsed.clusters = j.at("clusters").get<int>();
    parsed.features = j.at("features").get<int>();
    parsed.threshold = j.at("threshold").get<float>();
    const nlohmann::json& rows = j.at("centroids");
    if (parsed.clusters < 1 || parsed.features < 1 || !rows.is_array() ||
        rows.size() != static_cast<size_t>(parsed.clusters)) {
      throw Error(fmt::format("anomaly model: expected {} centroids of {} features",
                              parsed.clusters, parsed.features));
    }
    for (const nlohmann::json& row : rows) {
      if (!row.is_array() || row.size() != static_cast<size_t>(parsed.features)) {
        throw Error(
            fmt::format("anomaly model: a centroid does not have {} features", parsed.features));
      }
      for (const nlohmann::json& v : row) parsed.centroids.push_back(v.get<float>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("anomaly model: {}", e.what()));
  }
  model = std::move(parsed);
}

}  // namespace kiln::eval
