#include "runtime/anomaly_kmeans.h"

#include <math.h>

namespace kiln {
namespace rt {

namespace {

// The one place the summation order is fixed: index order, float accumulator.
float squared_distance_f32(const float* a, const float* b, int32_t size) {
  float sum = 0.0f;
  for (int32_t i = 0; i < size; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

}  // namespace

Status kmeans_nearest_centroid(const float* features, int32_t num_features, const float* centroids,
                               int32_t num_clusters, int32_t* cluster, float* squared_distance) {
  if (features == NULL || centroids == NULL || cluster == NULL || squared_distance == NULL ||
      num_features < 1 || num_clusters < 1) {
    return kBadArgument;
  }
  // Step the centroid pointer rather than computing c * num_features, which could overflow.
  const float* centroid = centroids;
  int32_t best = 0;
  float best_distance = squared_distance_f32(features, centroid, num_features);
  for (int32_t c = 1; c < num_clusters; ++c) {
    centroid += num_features;
    const float d = squared_distance_f32(features, centroid, num_features);
    if (d < best_distance) {  // strict: the lowest index wins a tie
      best = c;
      best_distance = d;
    }
  }
  *cluster = best;
  *squared_distance = best_distance;
  return kOk;
}

float kmeans_anomaly_score(const float* features, int32_t num_features, const float* centroids,
                           int32_t num_clusters) {
  int32_t cluster = 0;
  float squared = 0.0f;
  if (kmeans_nearest_centroid(features, num_features, centroids, num_clusters, &cluster,
                              &squared) != kOk) {
    return -1.0f;
  }
  return sqrtf(squared);
}

}  // namespace rt
}  // namespace kiln
