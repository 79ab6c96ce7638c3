#include "studio/feature_explorer.h"

#include <fmt/format.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "pipeline/train_project.h"
#include "pipeline/window_features.h"
#include "project/sample_index.h"
#include "studio/path_guard.h"

namespace kiln::studio {

bool FeatureExplorerCache::get(const std::string& key, std::vector<float>& out) const {
  std::lock_guard lock(mutex_);
  const auto it = vectors_.find(key);
  if (it == vectors_.end()) return false;
  out = it->second;
  return true;
}

void FeatureExplorerCache::put(const std::string& key, std::vector<float> value) {
  std::lock_guard lock(mutex_);
  if (vectors_.size() >= kMaxEntries) vectors_.clear();  // crude, but bounded
  vectors_[key] = std::move(value);
}

namespace {

constexpr int kPowerIterations = 200;

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

// X^T (X v) for the centred rows, without forming the d x d covariance.
std::vector<double> gram_times(const std::vector<std::vector<double>>& x,
                               const std::vector<double>& v) {
  std::vector<double> out(v.size(), 0.0);
  for (const auto& row : x) {
    double dot = 0;
    for (size_t j = 0; j < v.size(); ++j) dot += row[j] * v[j];
    for (size_t j = 0; j < v.size(); ++j) out[j] += row[j] * dot;
  }
  return out;
}

void remove_component(std::vector<double>& w, const std::vector<double>& along) {
  double dot = 0;
  for (size_t j = 0; j < w.size(); ++j) dot += w[j] * along[j];
  for (size_t j = 0; j < w.size(); ++j) w[j] -= dot * along[j];
}

}  // namespace

std::vector<std::pair<double, double>> principal_components_2d(
    const std::vector<std::vector<float>>& rows, double explained[2]) {
  explained[0] = explained[1] = 0;
  const size_t n = rows.size();
  if (n == 0) return {};
  const size_t d = rows.front().size();
  std::vector<double> mean(d, 0.0);
  for (const auto& r : rows) {
    if (r.size() != d) throw Error("feature explorer: vectors of different lengths");
    for (size_t j = 0; j < d; ++j) mean[j] += r[j];
  }
  for (double& m : mean) m /= static_cast<double>(n);
  std::vector<std::vector<double>> x(n, std::vector<double>(d));
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) {
      x[i][j] = rows[i][j] - mean[j];
      total += x[i][j] * x[i][j];
    }
  }
  std::vector<std::vector<double>> components;
  for (int k = 0; k < 2 && d > 0; ++k) {
    // A fixed, uneven start so no component is orthogonal to it by symmetry.
    std::vector<double> v(d);
    for (size_t j = 0; j < d; ++j) v[j] = 1.0 + 0.1 * static_cast<double>(j % 7);
    for (const auto& c : components) remove_component(v, c);
    if (norm(v) == 0) break;
    const double start_len = norm(v);
    for (double& e : v) e /= start_len;
    for (int it = 0; it < kPowerIterations; ++it) {
      std::vector<double> w = gram_times(x, v);
      for (const auto& c : components) remove_component(w, c);
      const double len = norm(w);
      // No variance left in the remaining directions (only rounding noise): keep v as it is.
      if (len <= 1e-12 * total) break;
      double change = 0;
      for (size_t j = 0; j < d; ++j) {
        const double next = w[j] / len;
        change += (next - v[j]) * (next - v[j]);
        v[j] = next;
      }
      if (change < 1e-20) break;  // converged to double precision
    }
    // Rounding lets earlier components creep back in; project them out once more.
    for (const auto& c : components) remove_component(v, c);
    const double len = norm(v);
    if (len == 0) break;
    for (double& e : v) e /= len;
    size_t largest = 0;
    for (size_t j = 1; j < d; ++j) {
      if (std::abs(v[j]) > std::abs(v[largest])) largest = j;
    }
    if (v[largest] < 0) {
      for (double& e : v) e = -e;
    }
    components.push_back(std::move(v));
  }
  std::vector<std::pair<double, double>> points(n, {0.0, 0.0});
  double variance[2] = {0, 0};
  for (size_t i = 0; i < n; ++i) {
    double coords[2] = {0, 0};
    for (size_t k = 0; k < components.size(); ++k) {
      for (size_t j = 0; j < d; ++j) coords[k] += x[i][j] * components[k][j];
      variance[k] += coords[k] * coords[k];
    }
    points[i] = {coords[0], coords[1]};
  }
  if (total > 0) {
    explained[0] = variance[0] / total;
    explained[1] = variance[1] / total;
  }
  return points;
}

ExplorerResult explore_features(project::Project& project, const std::string& block,
                                const data::ParamMap& params, FeatureExplorerCache& cache) {
  ExplorerResult result;
  project.config.dsp.block = block;
  project.config.dsp.params = params;
  const std::vector<project::SampleRecord> samples = project::list_samples(*project.db);
  if (samples.empty()) return result;
  const pipeline::TrainedPipeline p = pipeline::describe_pipeline(project, samples);
  result.feature_count = static_cast<int64_t>(p.feature_count());
  const std::string settings = fmt::format("{}|{}|{}|{}|{}|", block, nlohmann::json(params).dump(),
                                           p.window_frames, p.stride_frames, p.zero_pad);
  std::vector<std::vector<float>> rows;
  for (const project::SampleRecord& s : samples) {
    const std::string key = settings + s.content_hash;
    std::vector<float> mean;
    if (!cache.get(key, mean)) {
      try {
        const data::BlockInput input =
            pipeline::load_sample(p, resolve_inside(project.root, s.path));
        const std::vector<data::BlockInput> windows =
            pipeline::sample_windows(p, input, p.zero_pad);
        if (windows.empty()) throw Error("no whole window");
        mean.assign(static_cast<size_t>(result.feature_count), 0.0f);
        for (const data::BlockInput& w : windows) {
          const std::vector<float> f = pipeline::raw_features(p, w);
          for (size_t j = 0; j < mean.size(); ++j) mean[j] += f[j];
        }
        for (float& m : mean) m /= static_cast<float>(windows.size());
      } catch (const std::exception& e) {
        result.skipped.push_back(fmt::format("sample {}: {}", s.id, e.what()));
        continue;
      }
      cache.put(key, mean);
      ++result.computed;
    }
    rows.push_back(std::move(mean));
    result.points.push_back({s.id, s.label, s.split, 0, 0});
  }
  const auto coords = principal_components_2d(rows, result.explained);
  for (size_t i = 0; i < coords.size(); ++i) {
    result.points[i].x = coords[i].first;
    result.points[i].y = coords[i].second;
  }
  return result;
}

}  // namespace kiln::studio
