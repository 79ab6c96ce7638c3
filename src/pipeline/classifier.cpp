#include "pipeline/classifier.h"

#include <fmt/format.h>

#include "core/error.h"
#include "pipeline/window_features.h"
#include "runtime/anomaly_kmeans.h"

namespace kiln::pipeline {

const char* precision_name(Precision p) {
  return p == Precision::kInt8 ? "int8" : "float32";
}

Precision parse_precision(const std::string& text) {
  if (text == "int8") return Precision::kInt8;
  if (text == "float32" || text == "f32" || text == "float") return Precision::kFloat32;
  throw Error(fmt::format("unknown precision '{}' (int8 or float32)", text));
}

std::filesystem::path model_path(const std::filesystem::path& out_dir, Precision precision) {
  return out_dir / (precision == Precision::kInt8 ? kInt8ModelFile : kFloatModelFile);
}

PipelineClassifier::PipelineClassifier(const std::filesystem::path& out_dir, Precision precision)
    : PipelineClassifier(load_pipeline(out_dir / kPipelineFile), model_path(out_dir, precision)) {}

PipelineClassifier::PipelineClassifier(TrainedPipeline pipeline,
                                       const std::filesystem::path& model_file)
    : pipeline_(std::move(pipeline)) {
  if (pipeline_.has_classifier()) {
    if (!std::filesystem::exists(model_file)) {
      throw Error(fmt::format("{} is missing (run kiln train)", model_file.string()));
    }
    network_ = std::make_unique<NetworkRunner>(model_file, pipeline_.feature_count(),
                                               static_cast<int64_t>(pipeline_.labels.size()));
  }
}

WindowResult PipelineClassifier::classify_features(std::span<const float> features) {
  if (static_cast<int64_t>(features.size()) != pipeline_.feature_count()) {
    throw Error(fmt::format("{} features given, the pipeline takes {}", features.size(),
                            pipeline_.feature_count()));
  }
  WindowResult r;
  if (network_) {
    r.scores = network_->scores(features);
    r.predicted = 0;
    for (size_t c = 1; c < r.scores.size(); ++c) {
      if (r.scores[c] > r.scores[static_cast<size_t>(r.predicted)]) {
        r.predicted = static_cast<int32_t>(c);
      }
    }
  }
  if (pipeline_.anomaly) {
    r.anomaly =
        rt::kmeans_anomaly_score(features.data(), pipeline_.anomaly->features,
                                 pipeline_.anomaly->centroids.data(), pipeline_.anomaly->clusters);
  }
  return r;
}

std::vector<WindowResult> PipelineClassifier::classify_file(const std::filesystem::path& file) {
  std::vector<WindowResult> out;
  for (const std::vector<float>& f : file_features(pipeline_, file)) {
    out.push_back(classify_features(f));
  }
  return out;
}

}  // namespace kiln::pipeline
