// K-means anomaly score: how far a feature vector lies from the clusters of normal data.
//
// The score is the Euclidean distance to the nearest centroid. The host trains the centroids
// (src/eval/kmeans.h) and scores its own data with these same functions, so a threshold chosen on
// the host means exactly the same thing on the device: squared differences are summed in float,
// feature by feature in index order, and the square root is taken once at the end (sqrtf is
// correctly rounded on both sides, and FMA contraction is off).
#ifndef KILN_RUNTIME_ANOMALY_KMEANS_H_
#define KILN_RUNTIME_ANOMALY_KMEANS_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

// Finds the centroid nearest to `features`. centroids: num_clusters x num_features, row-major.
// Ties go to the lowest cluster index. Writes the cluster index and the squared distance to it
// (NaN if the features hold a NaN). Returns kBadArgument for null pointers or counts < 1.
Status kmeans_nearest_centroid(const float* features, int32_t num_features, const float* centroids,
                               int32_t num_clusters, int32_t* cluster, float* squared_distance);

// The anomaly score: sqrt of the smallest squared distance to a centroid. A distance is never
// negative, so bad arguments (as for kmeans_nearest_centroid) return -1.0f.
float kmeans_anomaly_score(const float* features, int32_t num_features, const float* centroids,
                           int32_t num_clusters);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_ANOMALY_KMEANS_H_
