// kiln deploy: the project's trained pipeline as one self-contained C++ library folder — DSP block,
// normalization, anomaly model and the network (compiled ahead of time, or the .tflite for a
// TensorFlow Lite Micro build), glued behind kiln_run_classifier(), with one static arena, build
// files, examples and a memory report.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "deploy/arena_layout.h"
#include "pipeline/classifier.h"

namespace kiln::deploy {

struct DeployOptions {
  std::string target = "host";  // host | cortex-m4: the Makefile's default TARGET
  std::string engine = "aot";   // aot | tflm
  pipeline::Precision precision = pipeline::Precision::kInt8;
  int slices_per_window = 4;  // continuous mode: slices per window (rounded to frame strides)
  // The AOT model's kernels: fastest (default) or smallest arena (compiler/compile.h).
  bool optimize_memory = false;
};

struct Deployment {
  std::map<std::string, std::string> files;  // relative path -> contents (deterministic)
  ArenaLayout arena;
  int64_t weight_bytes = 0;  // AOT model constants
  int64_t slice_frames = 0;
};

// Everything the library folder holds, from a trained project's out/ folder. `sample_file`
// (optional) is the recording whose first window is built into the Cortex-M4 example.
Deployment generate_deployment(const std::filesystem::path& out_dir,
                               const std::filesystem::path& sample_file,
                               const DeployOptions& options);

// Deploys project `project_dir` into `deploy_dir` (default project/out/deploy), replacing a
// previous deployment there. The built-in sample is the project's first test sample.
Deployment deploy_project(const std::filesystem::path& project_dir,
                          const std::filesystem::path& deploy_dir, const DeployOptions& options);

}  // namespace kiln::deploy
