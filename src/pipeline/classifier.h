// Host classification with a trained pipeline: normalized features -> network scores (float32 or
// int8 model, through Kiln's executor) and the K-means anomaly score (the device function).
// `kiln test`, `kiln classify` and the deploy equality tests all go through this class.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pipeline/network_runner.h"
#include "pipeline/trained_pipeline.h"

namespace kiln::pipeline {

enum class Precision { kFloat32, kInt8 };
const char* precision_name(Precision p);  // "float32" / "int8"
Precision parse_precision(const std::string& text);

struct WindowResult {
  std::vector<float> scores;     // one per label; empty without a classifier
  std::optional<float> anomaly;  // K-means score when the pipeline has an anomaly model
  int32_t predicted = -1;        // argmax of scores (lowest index on ties), -1 without classifier
};

class PipelineClassifier {
 public:
  // Loads out_dir/pipeline.json and the model of the given precision.
  PipelineClassifier(const std::filesystem::path& out_dir, Precision precision);
  PipelineClassifier(TrainedPipeline pipeline, const std::filesystem::path& model_file);

  const TrainedPipeline& pipeline() const { return pipeline_; }

  WindowResult classify_features(std::span<const float> normalized_features);
  // Every window of a sample file.
  std::vector<WindowResult> classify_file(const std::filesystem::path& file);

 private:
  TrainedPipeline pipeline_;
  std::unique_ptr<NetworkRunner> network_;
};

std::filesystem::path model_path(const std::filesystem::path& out_dir, Precision precision);

}  // namespace kiln::pipeline
