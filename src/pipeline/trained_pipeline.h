// The description of a trained pipeline that every later stage reads: what the input window is,
// which DSP block turns it into features, how features are normalized before the network, the
// labels, and the optional anomaly model. `kiln train` writes it as out/pipeline.json next to
// out/model.f32.tflite and out/model.int8.tflite; `kiln test`, `kiln classify` and `kiln deploy`
// read it, so the host and the device apply exactly the same steps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln::pipeline {

struct NormalizationStats {
  // Per feature channel (the last dimension of feature_shape): x' = (x - mean[c]) * inv_std[c].
  // Multiplying by a stored reciprocal keeps the host and device arithmetic identical.
  std::vector<float> mean;
  std::vector<float> inv_std;
};

struct AnomalyModel {
  int clusters = 0;
  int features = 0;              // = product of feature_shape
  std::vector<float> centroids;  // clusters x features, on normalized features
  float threshold = 0.0f;        // scores above it are anomalies
};

struct TrainedPipeline {
  int version = 1;
  // Input window.
  std::string sensor;         // "audio", "timeseries" or "image"
  double sample_rate_hz = 0;  // 0 for images
  int axes = 1;               // values per time step (channels for images)
  std::vector<std::string> axis_names;
  int window_frames = 0;  // time steps per window (0 for images)
  int stride_frames = 0;  // between training windows of a long sample
  bool zero_pad = true;   // a sample shorter than a window is padded, not dropped
  int image_width = 0, image_height = 0;
  // Features.
  std::string dsp_block;
  std::map<std::string, std::string> dsp_params;  // as kiln.json gives them
  std::vector<int64_t> feature_shape;
  NormalizationStats normalization;
  // Outputs.
  std::vector<std::string> labels;  // empty for an anomaly-only pipeline
  std::optional<AnomalyModel> anomaly;

  int64_t feature_count() const;
  bool has_classifier() const { return !labels.empty(); }
};

inline constexpr const char* kOutputDir = "out";
inline constexpr const char* kPipelineFile = "pipeline.json";
inline constexpr const char* kFloatModelFile = "model.f32.tflite";
inline constexpr const char* kInt8ModelFile = "model.int8.tflite";

nlohmann::json pipeline_to_json(const TrainedPipeline& pipeline);
TrainedPipeline pipeline_from_json(const nlohmann::json& json, const std::string& source);

// Throws kiln::Error with a one-line message if the file is missing or invalid.
TrainedPipeline load_pipeline(const std::filesystem::path& path);
void save_pipeline(const TrainedPipeline& pipeline, const std::filesystem::path& path);

}  // namespace kiln::pipeline
