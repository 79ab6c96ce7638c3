#include "pipeline/train_project.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "core/error.h"
#include "eval/kmeans.h"
#include "eval/plots.h"
#include "nn/export.h"
#include "nn/presets.h"
#include "nn/qat.h"
#include "pipeline/normalization.h"
#include "pipeline/window_dataset.h"
#include "pipeline/window_features.h"
#include "project/sample_index.h"
#include "quant/quantize_model.h"
#include "tflite/writer.h"

namespace kiln::pipeline {

namespace fs = std::filesystem;

namespace {

int frames_for_ms(int ms, double rate_hz) {
  return std::max(1, static_cast<int>(std::lround(ms * rate_hz / 1000.0)));
}

std::vector<project::SampleRecord> split_of(const std::vector<project::SampleRecord>& all,
                                            const std::string& split) {
  std::vector<project::SampleRecord> out;
  for (const auto& s : all) {
    if (s.split == split) out.push_back(s);
  }
  return out;
}

// The evenly spread subset of original (not augmented) windows used for calibration.
std::vector<std::vector<float>> calibration_windows(const WindowSet& set, size_t wanted) {
  std::vector<size_t> originals;
  for (size_t i = 0; i < set.size(); ++i) {
    if (!set.augmented[i]) originals.push_back(i);
  }
  std::vector<std::vector<float>> out;
  const size_t n = std::min(wanted, originals.size());
  for (size_t k = 0; k < n; ++k) out.push_back(set.features[originals[k * originals.size() / n]]);
  return out;
}

nn::Dataset to_dataset(const WindowSet& set, const std::vector<int64_t>& feature_shape,
                       const std::vector<size_t>& rows) {
  nn::Shape sample;
  for (int64_t d : feature_shape) sample.push_back(static_cast<int>(d));
  nn::Dataset data;
  data.features = nn::Tensor::batch_of(static_cast<int>(rows.size()), sample);
  const size_t per = static_cast<size_t>(data.features.sample_size());
  for (size_t r = 0; r < rows.size(); ++r) {
    std::copy(set.features[rows[r]].begin(), set.features[rows[r]].end(),
              data.features.data() + r * per);
    data.labels.push_back(set.labels[rows[r]]);
  }
  return data;
}

// Which training samples validate: whole groups when any sample has a group (a speaker never
// sits on both sides), otherwise samples per label; chosen by a seeded shuffle.
std::vector<bool> validation_samples(const std::vector<project::SampleRecord>& samples,
                                     double fraction, uint64_t seed) {
  std::vector<bool> held_out(samples.size(), false);
  if (fraction <= 0) return held_out;
  std::mt19937_64 rng(seed ^ 0x5EEDull);
  const bool grouped =
      std::any_of(samples.begin(), samples.end(), [](const auto& s) { return !s.group.empty(); });
  if (grouped) {
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i = 0; i < samples.size(); ++i) groups[samples[i].group].push_back(i);
    std::vector<std::string> names;
    for (const auto& [name, members] : groups) names.push_back(name);
    if (names.size() >= 2) {
      for (size_t i = names.size() - 1; i > 0; --i) std::swap(names[i], names[rng() % (i + 1)]);
      const size_t wanted = static_cast<size_t>(std::lround(fraction * samples.size()));
      size_t taken = 0;
      // Always keep at least one group for training.
      for (size_t g = 0; g + 1 < names.size() && taken < std::max<size_t>(wanted, 1); ++g) {
        for (size_t i : groups[names[g]]) held_out[i] = true;
        taken += groups[names[g]].size();
      }
      return held_out;
    }
  }
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t i = 0; i < samples.size(); ++i) by_label[samples[i].label].push_back(i);
  for (auto& [label, members] : by_label) {
    for (size_t i = members.size() - 1; i > 0; --i) std::swap(members[i], members[rng() % (i + 1)]);
    const size_t n = static_cast<size_t>(std::lround(fraction * members.size()));
    for (size_t k = 0; k < n && k + 1 < members.size(); ++k) held_out[members[k]] = true;
  }
  return held_out;
}

}  // namespace

TrainedPipeline describe_pipeline(const project::Project& project,
                                  const std::vector<project::SampleRecord>& samples) {
  const project::ProjectConfig& config = project.config;
  if (samples.empty()) {
    throw Error("the project has no training samples (kiln import some first)");
  }
  TrainedPipeline p;
  const project::SampleRecord& first = samples.front();
  p.sensor = first.sensor;
  for (const auto& s : samples) {
    if (s.sensor != p.sensor) {
      throw Error(fmt::format("the project mixes sensor kinds ({} and {}, sample {})", p.sensor,
                              s.sensor, s.id));
    }
    if (s.sample_rate_hz != first.sample_rate_hz) {
      throw Error(fmt::format(
          "samples have different rates ({} Hz and {} Hz, sample {}): resample them to one rate",
          first.sample_rate_hz, s.sample_rate_hz, s.id));
    }
    if (s.axes != first.axes) {
      throw Error(fmt::format("samples have different axis counts ({} and {}, sample {})",
                              first.axes, s.axes, s.id));
    }
  }
  p.sample_rate_hz = first.sample_rate_hz;
  p.axes = static_cast<int>(first.axes);
  if (!first.axis_names.empty()) {
    size_t start = 0;
    while (start <= first.axis_names.size()) {
      const size_t comma = first.axis_names.find(',', start);
      p.axis_names.push_back(first.axis_names.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  p.zero_pad = config.input.zero_pad;
  p.dsp_block = config.dsp.block;
  p.dsp_params = config.dsp.params;
  if (p.sensor == "image") {
    if (p.dsp_block != "image") {
      throw Error(fmt::format("dsp.block '{}' cannot process images; use 'image'", p.dsp_block));
    }
    p.image_width = static_cast<int>(first.width);
    p.image_height = static_cast<int>(first.height);
    // Default to the data's own size and colour instead of the block's 96x96 RGB.
    if (!p.dsp_params.count("width")) p.dsp_params["width"] = std::to_string(first.width);
    if (!p.dsp_params.count("height")) p.dsp_params["height"] = std::to_string(first.height);
    if (!p.dsp_params.count("channels")) {
      p.dsp_params["channels"] = first.axes >= 3 ? "rgb" : "grayscale";
    }
  } else {
    if (p.dsp_block == "image") throw Error("dsp.block 'image' needs image samples");
    p.window_frames = frames_for_ms(config.input.window_ms, p.sample_rate_hz);
    p.stride_frames = frames_for_ms(config.input.stride_ms, p.sample_rate_hz);
  }
  std::set<std::string> labels;
  for (const auto& s : samples) labels.insert(s.label);
  if (labels.size() >= 2) p.labels.assign(labels.begin(), labels.end());

  // The feature shape: run the block on the first window of the first sample.
  const data::BlockInput input = load_sample(p, project.root / first.path);
  const std::vector<data::BlockInput> windows = sample_windows(p, input, true);
  if (windows.empty()) throw Error(fmt::format("sample {} gives no window", first.id));
  raw_features(p, windows.front(), &p.feature_shape);
  return p;
}

std::vector<nn::LayerSpec> network_layers(const project::ProjectConfig& config,
                                          const std::vector<int64_t>& feature_shape,
                                          int num_classes) {
  nn::Shape shape;
  for (int64_t d : feature_shape) shape.push_back(static_cast<int>(d));
  if (!config.learning.layers.empty()) {
    return nn::layer_specs_from_json(config.learning.layers, "learning.layers");
  }
  return nn::preset_layers(config.learning.preset, shape, num_classes);
}

TrainReport train_project(const project::Project& project, const TrainCallbacks& callbacks) {
  const auto start = std::chrono::steady_clock::now();
  const project::ProjectConfig& config = project.config;
  auto stage = [&](const std::string& s) {
    if (callbacks.on_stage) callbacks.on_stage(s);
  };
  const std::vector<project::SampleRecord> all = project::list_samples(*project.db);
  const std::vector<project::SampleRecord> train_samples = split_of(all, "train");
  TrainReport report;
  TrainedPipeline& p = report.pipeline;
  p = describe_pipeline(project, train_samples);
  const bool anomaly = config.anomaly.type == "kmeans";
  if (!p.has_classifier() && !anomaly) {
    throw Error(fmt::format(
        "the training split has only the label '{}': a classifier needs two or more labels "
        "(or set up anomaly detection: kiln init --anomaly kmeans --normal LABEL)",
        train_samples.front().label));
  }

  // Statistics come from original windows only; augmented copies are normalized with them.
  stage("features");
  WindowSetOptions plain;
  plain.normalize = false;
  plain.progress = callbacks.on_features;
  const WindowSet raw = build_window_set(p, project.root, train_samples, plain);
  if (raw.size() == 0) throw Error("the training samples give no windows");
  p.normalization = compute_normalization(raw.features, static_cast<int>(p.feature_shape.back()));
  WindowSetOptions opts;
  opts.copies = p.sensor == "image" ? 0 : config.augmentation.copies;
  opts.augmentation = config.augmentation;
  opts.seed = config.training.seed;
  opts.progress = callbacks.on_features;
  WindowSet train_set;
  if (opts.copies > 0) {
    stage("augmenting");
    train_set = build_window_set(p, project.root, train_samples, opts);
  } else {
    train_set = raw;
    for (auto& f : train_set.features) normalize(p, f);
  }
  for (size_t i = 0; i < train_set.size(); ++i) {
    (train_set.augmented[i] ? report.augmented_windows : report.train_windows) += 1;
  }

  const fs::path out_dir = project.root / kOutputDir;
  fs::create_directories(out_dir);
  if (p.has_classifier()) {
    // Validation holds out whole samples (whole groups when the samples have them) and only their
    // original windows: augmented copies or sibling windows of a training sample would make the
    // validation loss, and so early stopping, judge memorization.
    const std::vector<bool> held_out = validation_samples(
        train_samples, config.training.validation_fraction, config.training.seed);
    std::vector<size_t> rows, val_rows;
    for (size_t i = 0; i < train_set.size(); ++i) {
      if (train_set.labels[i] < 0) continue;
      if (!held_out[static_cast<size_t>(train_set.sample_of[i])]) {
        rows.push_back(i);
      } else if (!train_set.augmented[i]) {
        val_rows.push_back(i);
      }
    }
    const nn::Dataset data = to_dataset(train_set, p.feature_shape, rows);
    const nn::Dataset validation = to_dataset(train_set, p.feature_shape, val_rows);
    const int classes = static_cast<int>(p.labels.size());
    const std::vector<nn::LayerSpec> layers = network_layers(config, p.feature_shape, classes);
    nn::Shape input_shape;
    for (int64_t d : p.feature_shape) input_shape.push_back(static_cast<int>(d));
    nn::Sequential model(input_shape, layers, static_cast<uint32_t>(config.training.seed));
    report.parameters = model.num_trainable_parameters();
    report.macs = model.forward_macs();

    nn::TrainConfig tc;
    tc.epochs = config.training.epochs;
    tc.batch_size = config.training.batch_size;
    tc.learning_rate = static_cast<float>(config.training.learning_rate);
    tc.optimizer = config.training.optimizer;
    tc.momentum = static_cast<float>(config.training.momentum);
    tc.lr_schedule = config.training.lr_schedule;
    tc.seed = static_cast<uint32_t>(config.training.seed);
    tc.validation_fraction = 0.0f;  // given explicitly below
    tc.early_stopping_patience =
        config.training.early_stopping.enabled ? config.training.early_stopping.patience : 0;
    if (config.training.class_weighting) {
      tc.class_weights = nn::balanced_class_weights(data.labels, classes);
    }
    if (config.training.qat) {
      nn::add_fake_quantization(model);
      tc.qat_start_epoch = nn::qat_start_epoch(tc.epochs);
    }
    stage("training");
    report.training = nn::train(model, data, validation.size() > 0 ? &validation : nullptr, tc,
                                callbacks.on_epoch);

    eval::TrainingHistory history;
    for (const nn::EpochStats& e : report.training.history) {
      history.loss.push_back(e.loss);
      history.accuracy.push_back(e.accuracy);
      if (e.has_validation) {
        history.val_loss.push_back(e.val_loss);
        history.val_accuracy.push_back(e.val_accuracy);
      }
    }
    eval::write_training_png(out_dir / "train.png", history);
    report.written.push_back(out_dir / "train.png");

    stage("export");
    const ir::Model float_model = nn::export_float_model(
        model, fmt::format("Kiln {} on {} features",
                           config.learning.preset.empty() ? std::string("custom network")
                                                          : config.learning.preset,
                           p.dsp_block));
    tflite::write_model_file(float_model, (out_dir / kFloatModelFile).string());
    report.written.push_back(out_dir / kFloatModelFile);

    stage("quantizing");
    const auto calibration = calibration_windows(
        train_set, static_cast<size_t>(config.quantization.calibration_samples));
    // With QAT the int8 model takes the ranges training quantized with.
    const ir::Model int8_model =
        config.training.qat
            ? quant::quantize_model_with_ranges(
                  float_model, nn::quantization_ranges(model, float_model, calibration))
            : quant::quantize_model(float_model, calibration);
    tflite::write_model_file(int8_model, (out_dir / kInt8ModelFile).string());
    report.written.push_back(out_dir / kInt8ModelFile);
  }

  if (!p.has_classifier()) {
    // An anomaly-only pipeline: models from an earlier classifier run would be stale.
    for (const char* name : {kFloatModelFile, kInt8ModelFile, "train.png"}) {
      fs::remove(out_dir / name);
    }
  }
  if (anomaly) {
    stage("anomaly");
    const auto& normal = config.anomaly.normal_labels;
    std::vector<float> points;
    int num_points = 0;
    for (size_t i = 0; i < train_set.size(); ++i) {
      const std::string& label = train_samples[static_cast<size_t>(train_set.sample_of[i])].label;
      if (train_set.augmented[i] ||
          std::find(normal.begin(), normal.end(), label) == normal.end()) {
        continue;
      }
      points.insert(points.end(), train_set.features[i].begin(), train_set.features[i].end());
      ++num_points;
    }
    if (num_points == 0) {
      throw Error(fmt::format("anomaly.normal_labels ({}) match no training sample",
                              fmt::join(normal, ", ")));
    }
    eval::KMeansConfig kc;
    kc.clusters = config.anomaly.clusters;
    kc.seed = static_cast<uint32_t>(config.training.seed);
    const int features = static_cast<int>(p.feature_count());
    const eval::KMeansModel km = eval::fit_kmeans_anomaly(points, num_points, features, kc);
    p.anomaly = AnomalyModel{km.clusters, km.features, km.centroids, km.threshold};
  }

  save_pipeline(p, out_dir / kPipelineFile);
  report.written.push_back(out_dir / kPipelineFile);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace kiln::pipeline
