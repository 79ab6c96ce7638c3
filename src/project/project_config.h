// kiln.json: the pipeline configuration of a project (windowing, DSP block, learning block,
// training, augmentation, quantization, splitting). docs/project.md documents every field.
// Loading validates the whole file and rejects anything invalid with a message naming the field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln::project {

struct InputConfig {
  int window_ms = 1000;
  int stride_ms = 500;
  bool zero_pad = true;  // pad samples shorter than one window with zeros
};

struct DspConfig {
  std::string block = "mfcc";
  std::map<std::string, std::string> params;  // names as in docs/dsp.md, values as text
};

struct LearningConfig {
  std::string preset = "conv1d-small";              // empty when `layers` is given
  nlohmann::json layers = nlohmann::json::array();  // explicit layer list, each {"type": ...}
};

struct EarlyStoppingConfig {
  bool enabled = true;
  int patience = 10;  // epochs without validation improvement
};

struct TrainingConfig {
  int epochs = 60;
  double learning_rate = 0.005;
  int batch_size = 32;
  std::string optimizer = "adam";  // adam | sgd
  double momentum = 0.9;           // sgd only
  uint64_t seed = 1;
  double validation_fraction = 0.2;
  EarlyStoppingConfig early_stopping;
  bool class_weighting = false;
  bool qat = false;
  std::string lr_schedule = "cosine";  // constant | cosine (decays to 0 over the epochs)
};

struct AugmentationConfig {
  double noise_snr_db = 0;  // 0 = no additive noise
  int time_shift_ms = 0;
  int time_masks = 0;
  int frequency_masks = 0;
  int mask_width = 0;        // frames or bins per mask
  double gain_db = 0;        // random gain in [-gain_db, +gain_db]
  double speed_percent = 0;  // random speed change in [-speed_percent, +speed_percent] %
  int copies = 0;            // augmented copies of every training window (0 = no augmentation)
};

struct AnomalyConfig {
  std::string type;                        // "" (none) or "kmeans"
  int clusters = 8;                        // K of K-means
  std::vector<std::string> normal_labels;  // labels the model learns as normal
};

struct QuantizationConfig {
  int calibration_samples = 200;
};

struct SplitConfig {
  double test_fraction = 0.2;
  uint64_t seed = 1;
};

struct ProjectConfig {
  int version = 1;
  InputConfig input;
  DspConfig dsp;
  LearningConfig learning;
  TrainingConfig training;
  AugmentationConfig augmentation;
  QuantizationConfig quantization;
  SplitConfig split;
  AnomalyConfig anomaly;
};

// The learning presets, and the one chosen for a DSP block when --model is not given.
const std::vector<std::string>& learning_presets();
std::string default_preset_for_block(const std::string& dsp_block);
bool is_audio_block(const std::string& dsp_block);  // mfcc, mfe, spectrogram
// The defaults `kiln init` writes for the project's DSP block: its preset, and for audio blocks
// augmentation and a learning rate measured to work (see docs/pipeline.md).
void apply_block_defaults(ProjectConfig& config);

nlohmann::json config_to_json(const ProjectConfig& config);
// `source` names the file in error messages.
ProjectConfig config_from_json(const nlohmann::json& json, const std::string& source);

ProjectConfig load_config(const std::filesystem::path& path);
void save_config(const ProjectConfig& config, const std::filesystem::path& path);

// Throws kiln::Error naming the first invalid field.
void validate_config(const ProjectConfig& config, const std::string& source);

}  // namespace kiln::project
