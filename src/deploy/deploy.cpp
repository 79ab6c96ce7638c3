#include "deploy/deploy.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "compiler/c_literals.h"
#include "compiler/compile.h"
#include "core/error.h"
#include "deploy/build_files.h"
#include "deploy/classifier_source.h"
#include "deploy/device_sources.h"
#include "deploy/dsp_plan.h"
#include "deploy/example_sources.h"
#include "deploy/tflm_export.h"
#include "pipeline/window_features.h"
#include "project/project.h"
#include "project/sample_index.h"
#include "tflite/reader.h"

namespace kiln::deploy {

namespace fs = std::filesystem;

namespace {

constexpr const char* kModelName = "kiln_model";
constexpr int kSmoothingMax = 8;
constexpr const char* kMemoryFile = "kiln_memory.json";

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read {}", path.string()));
  return {std::istreambuf_iterator<char>(in), {}};
}

// The network must take the normalized features and give one float score per label.
void check_network(const ir::Model& m, const pipeline::TrainedPipeline& p) {
  if (m.inputs.size() != 1 || m.outputs.size() != 1) {
    throw Error("deploy: the model must have exactly one input and one output");
  }
  const ir::Tensor& in = m.tensor(m.inputs[0]);
  const ir::Tensor& out = m.tensor(m.outputs[0]);
  if (in.dtype != ir::DType::kFloat32 || out.dtype != ir::DType::kFloat32 ||
      in.num_bytes() != p.feature_count() * 4 ||
      out.num_bytes() != static_cast<int64_t>(p.labels.size()) * 4) {
    throw Error(fmt::format("deploy: the model does not map {} float features to {} float scores",
                            p.feature_count(), p.labels.size()));
  }
}

BuiltInSample built_in_sample(const fs::path& out_dir, const fs::path& file,
                              const pipeline::TrainedPipeline& p, pipeline::Precision precision) {
  BuiltInSample s;
  s.values.assign(static_cast<size_t>(p.window_frames) * static_cast<size_t>(p.axes), 0.0f);
  if (file.empty()) return s;
  const data::BlockInput input = pipeline::load_sample(p, file);
  const std::vector<data::BlockInput> windows = pipeline::sample_windows(p, input, p.zero_pad);
  if (windows.empty()) return s;
  s.values = std::get<data::Signal>(windows[0]).samples;
  s.source = compiler::comment_safe(file.filename().string());
  pipeline::PipelineClassifier classifier(out_dir, precision);
  const pipeline::WindowResult r =
      classifier.classify_features(pipeline::file_features(p, file).front());
  s.expected_scores = r.scores;
  s.expected_anomaly = r.anomaly;
  return s;
}

nlohmann::json memory_json(const ArenaLayout& a, const DeployOptions& o, int64_t weight_bytes) {
  nlohmann::json j;
  j["engine"] = o.engine;
  j["precision"] = pipeline::precision_name(o.precision);
  j["dsp_phase_bytes"] = a.dsp_phase_bytes;
  j["nn_phase_bytes"] = a.nn_phase_bytes;
  j["sum_of_phases_bytes"] = a.dsp_phase_bytes + a.nn_phase_bytes;
  j["shared_arena_bytes"] = a.shared_arena_bytes;
  j["continuous_state_bytes"] = a.state_bytes;
  j["total_arena_bytes"] = a.total_arena_bytes;
  j["model_weight_bytes"] = weight_bytes;
  j["features"] = {{"offset", a.features_offset}, {"bytes", a.features_bytes}};
  auto blocks = [](const std::vector<ArenaBlock>& list) {
    nlohmann::json arr = nlohmann::json::array();
    for (const ArenaBlock& b : list)
      arr.push_back({{"name", b.name}, {"offset", b.offset}, {"bytes", b.bytes}});
    return arr;
  };
  j["dsp_phase_blocks"] = blocks(a.dsp_blocks);
  j["continuous_step_blocks"] = blocks(a.continuous_blocks);
  j["continuous_state_blocks"] = blocks(a.state_blocks);
  return j;
}

}  // namespace

Deployment generate_deployment(const fs::path& out_dir, const fs::path& sample_file,
                               const DeployOptions& o) {
  if (o.target != "host" && o.target != "cortex-m4") {
    throw Error(fmt::format("unknown target '{}' (host or cortex-m4)", o.target));
  }
  if (o.engine != "aot" && o.engine != "tflm") {
    throw Error(fmt::format("unknown engine '{}' (aot or tflm)", o.engine));
  }
  const pipeline::TrainedPipeline p = pipeline::load_pipeline(out_dir / pipeline::kPipelineFile);
  const DspPlan dsp = plan_dsp(p, o.slices_per_window);
  Deployment d;
  d.slice_frames = dsp.slice_frames;
  NetworkEngine engine = NetworkEngine::kNone;
  int64_t model_arena = 0, input_offset = 0;
  std::vector<std::string> sources = {"kiln_classifier.cpp"};
  std::vector<std::string> tflm_ops;
  if (p.has_classifier()) {
    const fs::path model_file = pipeline::model_path(out_dir, o.precision);
    if (!fs::exists(model_file)) {
      throw Error(fmt::format("{} is missing (run kiln train)", model_file.string()));
    }
    const std::vector<uint8_t> bytes = read_bytes(model_file);
    const ir::Model model = tflite::read_model(bytes);
    check_network(model, p);
    if (o.engine == "aot") {
      engine = NetworkEngine::kAot;
      compiler::CompileOptions co;
      co.name = kModelName;
      co.target = o.target;
      co.optimize_memory = o.optimize_memory;
      const compiler::CompiledModel compiled = compiler::compile_model(model, co);
      const int32_t buffer =
          compiled.buffers.buffer_of_tensor.at(static_cast<size_t>(model.inputs[0]));
      if (buffer < 0) throw Error("deploy: the model's input is not in its arena");
      input_offset = compiled.plan.offsets.at(static_cast<size_t>(buffer));
      model_arena = compiled.arena_bytes;
      d.weight_bytes = compiled.weight_bytes;
      const std::string n = kModelName;
      for (const std::string& name :
           {n + ".h", n + ".cpp", n + "_weights.h", n + "_weights.cpp", n + "_memory.json"}) {
        d.files[name] = compiled.files.at(name);
      }
      for (const auto& [path, text] : compiled.files) {
        if (path.starts_with("runtime/") || path.starts_with("dsp/")) d.files[path] = text;
      }
      sources.push_back(n + ".cpp");
      sources.push_back(n + "_weights.cpp");
    } else {
      engine = NetworkEngine::kTflm;
      tflm_ops = tflm_resolver_ops(model);
      for (auto& [path, text] : tflm_files(bytes, tflm_ops)) d.files[path] = std::move(text);
      sources.push_back("kiln_model_data.cpp");
    }
  }
  d.arena =
      plan_arena(dsp, model_arena, input_offset, static_cast<int>(p.labels.size()), kSmoothingMax);
  const ClassifierSource glue =
      classifier_source(p, dsp, d.arena, engine, kModelName, kSmoothingMax);
  d.files["kiln_classifier.h"] = glue.header;
  d.files["kiln_classifier.cpp"] = glue.source;

  std::set<std::string> headers = {device_block_header(dsp.resolved), "dsp/normalize.h"};
  if (dsp.streaming) headers.insert("dsp/audio_stream.h");
  if (p.anomaly) headers.insert("runtime/anomaly_kmeans.h");
  add_device_sources(headers, d.files);
  for (const auto& [path, text] : d.files) {
    if ((path.starts_with("runtime/") || path.starts_with("dsp/")) && path.ends_with(".cpp")) {
      sources.push_back(path);
    }
  }

  const bool host_example = engine != NetworkEngine::kTflm;
  d.files["example/cortex_m4_main.cpp"] = cortex_m4_main_example();
  d.files["example/kiln_sample.h"] =
      sample_header(built_in_sample(out_dir, sample_file, p, o.precision),
                    std::max(static_cast<int>(p.labels.size()), 1));
  if (host_example) d.files["example/classify_file.cpp"] = classify_file_example();

  LibraryDescription lib;
  lib.sources = sources;
  lib.target = o.target;
  lib.host_example = host_example;
  lib.engine = o.engine;
  lib.precision = pipeline::precision_name(o.precision);
  lib.block = dsp.resolved.block;
  lib.labels = p.labels;
  lib.tflm_ops = tflm_ops;
  d.files["CMakeLists.txt"] = cmake_lists(lib);
  d.files["Makefile"] = makefile(lib);
  d.files["README.md"] = readme(lib, d.arena, dsp.slice_frames);
  d.files[kMemoryFile] = memory_json(d.arena, o, d.weight_bytes).dump(2) + "\n";
  return d;
}

Deployment deploy_project(const fs::path& project_dir, const fs::path& deploy_dir,
                          const DeployOptions& options) {
  const project::Project project = project::open_project(project_dir);
  const fs::path out_dir = project.root / pipeline::kOutputDir;
  if (!fs::exists(out_dir / pipeline::kPipelineFile)) {
    throw Error(fmt::format("{} is missing (train the project first: kiln train)",
                            (out_dir / pipeline::kPipelineFile).string()));
  }
  // The built-in sample: the first test sample, else the first sample.
  fs::path sample;
  for (const project::SampleRecord& r : project::list_samples(*project.db)) {
    if (r.split == "test") {
      sample = project.root / r.path;
      break;
    }
    if (sample.empty()) sample = project.root / r.path;
  }
  const Deployment d = generate_deployment(out_dir, sample, options);
  const fs::path dir = deploy_dir.empty() ? out_dir / "deploy" : deploy_dir;
  if (fs::exists(dir)) {
    if (!fs::is_directory(dir)) throw Error(fmt::format("{} is not a folder", dir.string()));
    if (!fs::is_empty(dir) && !fs::exists(dir / kMemoryFile)) {
      throw Error(fmt::format("{} is not empty and holds no earlier deployment; not overwriting it",
                              dir.string()));
    }
    fs::remove_all(dir);
  }
  for (const auto& [path, text] : d.files) {
    const fs::path full = dir / path;
    fs::create_directories(full.parent_path());
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw Error(fmt::format("cannot write {}", full.string()));
  }
  return d;
}

}  // namespace kiln::deploy
