#include "pipeline/normalization.h"

#include <cmath>

#include "core/error.h"

namespace kiln::pipeline {

NormalizationStats compute_normalization(const std::vector<std::vector<float>>& features,
                                         int channels) {
  if (channels <= 0) throw Error("normalization: no feature channels");
  const size_t c_count = static_cast<size_t>(channels);
  std::vector<double> sum(c_count, 0.0), sum_sq(c_count, 0.0);
  std::vector<size_t> count(c_count, 0);
  for (const std::vector<float>& f : features) {
    if (f.size() % c_count != 0) throw Error("normalization: ragged feature vectors");
    for (size_t i = 0; i < f.size(); ++i) {
      const size_t c = i % c_count;
      sum[c] += f[i];
      count[c] += 1;
    }
  }
  NormalizationStats stats;
  stats.mean.resize(c_count);
  stats.inv_std.resize(c_count);
  std::vector<double> mean(c_count);
  for (size_t c = 0; c < c_count; ++c) {
    if (count[c] == 0) throw Error("normalization: no training windows");
    mean[c] = sum[c] / static_cast<double>(count[c]);
    stats.mean[c] = static_cast<float>(mean[c]);
  }
  // Second pass around the mean: no cancellation for features with a large offset.
  for (const std::vector<float>& f : features) {
    for (size_t i = 0; i < f.size(); ++i) {
      const double d = f[i] - mean[i % c_count];
      sum_sq[i % c_count] += d * d;
    }
  }
  for (size_t c = 0; c < c_count; ++c) {
    const double sd = std::sqrt(sum_sq[c] / static_cast<double>(count[c]));
    const double floor = 1e-6 * std::max(1.0, std::fabs(mean[c]));
    stats.inv_std[c] = sd > floor ? static_cast<float>(1.0 / sd) : 1.0f;
  }
  return stats;
}

}  // namespace kiln::pipeline
