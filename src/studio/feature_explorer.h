// The Features page's 2-D explorer: every sample's DSP features (the mean over its windows, as
// the pipeline computes them) projected on their first two principal components. Per-sample
// feature vectors are cached by content hash and DSP settings, so moving back to settings seen
// before, or reloading the page, costs only the projection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "data/feature_blocks.h"
#include "project/project.h"

namespace kiln::studio {

struct ExplorerPoint {
  int64_t id = 0;
  std::string label;
  std::string split;
  double x = 0, y = 0;
};

struct ExplorerResult {
  std::vector<ExplorerPoint> points;
  double explained[2] = {0, 0};  // fraction of the total variance along each axis
  int64_t feature_count = 0;
  size_t computed = 0;               // vectors computed now (the rest came from the cache)
  std::vector<std::string> skipped;  // "sample N: reason"
};

class FeatureExplorerCache {
 public:
  bool get(const std::string& key, std::vector<float>& out) const;
  void put(const std::string& key, std::vector<float> value);

 private:
  static constexpr size_t kMaxEntries = 50000;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<float>> vectors_;
};

// Projections of `rows` (n x d, centred here) on their first two principal components, found by
// power iteration; explained[k] receives the share of the variance along component k. Each
// component's sign is fixed so its largest-magnitude entry is positive (deterministic output).
std::vector<std::pair<double, double>> principal_components_2d(
    const std::vector<std::vector<float>>& rows, double explained[2]);

// The explorer for the project's samples with DSP block `block` and `params` in place of the
// project's own (the project's window settings apply).
ExplorerResult explore_features(project::Project& project, const std::string& block,
                                const data::ParamMap& params, FeatureExplorerCache& cache);

}  // namespace kiln::studio
