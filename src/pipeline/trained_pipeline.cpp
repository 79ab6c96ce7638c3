#include "pipeline/trained_pipeline.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "core/error.h"

namespace kiln::pipeline {

using nlohmann::json;

int64_t TrainedPipeline::feature_count() const {
  int64_t n = 1;
  for (int64_t d : feature_shape) n *= d;
  return n;
}

json pipeline_to_json(const TrainedPipeline& p) {
  json j;
  j["version"] = p.version;
  j["input"] = {{"sensor", p.sensor},
                {"sample_rate_hz", p.sample_rate_hz},
                {"axes", p.axes},
                {"axis_names", p.axis_names},
                {"window_frames", p.window_frames},
                {"stride_frames", p.stride_frames},
                {"zero_pad", p.zero_pad},
                {"image_width", p.image_width},
                {"image_height", p.image_height}};
  j["dsp"] = {{"block", p.dsp_block}, {"params", p.dsp_params}};
  j["features"] = {{"shape", p.feature_shape},
                   {"mean", p.normalization.mean},
                   {"inv_std", p.normalization.inv_std}};
  j["labels"] = p.labels;
  if (p.anomaly) {
    j["anomaly"] = {{"type", "kmeans"},
                    {"clusters", p.anomaly->clusters},
                    {"features", p.anomaly->features},
                    {"threshold", p.anomaly->threshold},
                    {"centroids", p.anomaly->centroids}};
  }
  return j;
}

namespace {

template <typename T>
T field(const json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) throw Error(fmt::format("{}: missing field '{}'", where, name));
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw Error(fmt::format("{}: field '{}' has the wrong type", where, name));
  }
}

const json& section(const json& j, const char* name, const std::string& source) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_object()) {
    throw Error(fmt::format("{}: missing object '{}'", source, name));
  }
  return *it;
}

}  // namespace

TrainedPipeline pipeline_from_json(const json& j, const std::string& source) {
  if (!j.is_object()) throw Error(source + ": not a JSON object");
  TrainedPipeline p;
  p.version = field<int>(j, "version", source);
  if (p.version != 1) throw Error(fmt::format("{}: unsupported version {}", source, p.version));
  const json& in = section(j, "input", source);
  const std::string where_in = source + ": input";
  p.sensor = field<std::string>(in, "sensor", where_in);
  p.sample_rate_hz = field<double>(in, "sample_rate_hz", where_in);
  p.axes = field<int>(in, "axes", where_in);
  p.axis_names = field<std::vector<std::string>>(in, "axis_names", where_in);
  p.window_frames = field<int>(in, "window_frames", where_in);
  p.stride_frames = field<int>(in, "stride_frames", where_in);
  p.zero_pad = field<bool>(in, "zero_pad", where_in);
  p.image_width = field<int>(in, "image_width", where_in);
  p.image_height = field<int>(in, "image_height", where_in);
  const json& dsp = section(j, "dsp", source);
  p.dsp_block = field<std::string>(dsp, "block", source + ": dsp");
  p.dsp_params = field<std::map<std::string, std::string>>(dsp, "params", source + ": dsp");
  const json& features = section(j, "features", source);
  const std::string where_f = source + ": features";
  p.feature_shape = field<std::vector<int64_t>>(features, "shape", where_f);
  p.normalization.mean = field<std::vector<float>>(features, "mean", where_f);
  p.normalization.inv_std = field<std::vector<float>>(features, "inv_std", where_f);
  p.labels = field<std::vector<std::string>>(j, "labels", source);
  if (j.contains("anomaly")) {
    const json& a = section(j, "anomaly", source);
    const std::string where_a = source + ": anomaly";
    AnomalyModel m;
    m.clusters = field<int>(a, "clusters", where_a);
    m.features = field<int>(a, "features", where_a);
    m.threshold = field<float>(a, "threshold", where_a);
    m.centroids = field<std::vector<float>>(a, "centroids", where_a);
    if (m.clusters <= 0 || m.features <= 0 ||
        m.centroids.size() != static_cast<size_t>(m.clusters) * static_cast<size_t>(m.features)) {
      throw Error(where_a + ": centroids do not match clusters x features");
    }
    p.anomaly = std::move(m);
  }
  // Consistency: everything later stages index by must agree.
  if (p.sensor != "audio" && p.sensor != "timeseries" && p.sensor != "image") {
    throw Error(
        fmt::format("{}: input.sensor '{}' is not audio, timeseries or image", source, p.sensor));
  }
  if (p.feature_shape.empty()) throw Error(where_f + ": empty shape");
  for (int64_t d : p.feature_shape) {
    if (d <= 0) throw Error(where_f + ": shape has a non-positive dimension");
  }
  const size_t channels = static_cast<size_t>(p.feature_shape.back());
  if (p.normalization.mean.size() != channels || p.normalization.inv_std.size() != channels) {
    throw Error(where_f + ": mean and inv_std need one value per feature channel");
  }
  for (size_t c = 0; c < channels; ++c) {
    if (!std::isfinite(p.normalization.mean[c]) || !std::isfinite(p.normalization.inv_std[c])) {
      throw Error(where_f + ": normalization values must be finite");
    }
  }
  if (p.anomaly && p.anomaly->features != p.feature_count()) {
    throw Error(source + ": anomaly.features does not match the feature shape");
  }
  if (p.labels.empty() && !p.anomaly) throw Error(source + ": neither labels nor anomaly model");
  if (p.sensor != "image" && (p.window_frames <= 0 || p.sample_rate_hz <= 0 || p.axes <= 0)) {
    throw Error(where_in + ": window_frames, sample_rate_hz and axes must be positive");
  }
  return p;
}

TrainedPipeline load_pipeline(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw Error(fmt::format("cannot open {} (train the project first: kiln train)", path.string()));
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: invalid JSON ({})", path.string(), e.what()));
  }
  return pipeline_from_json(j, path.string());
}

void save_pipeline(const TrainedPipeline& pipeline, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary);
  out << pipeline_to_json(pipeline).dump(1) << "\n";
  if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

}  // namespace kiln::pipeline
