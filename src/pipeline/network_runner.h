// Runs a trained network (.tflite with float32 input and output, int8 inside or not) on one
// normalized feature vector with Kiln's executor: the device kernels, so int8 scores equal what the
// deployed library computes.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "exec/executor.h"
#include "ir/model.h"

namespace kiln::pipeline {

class NetworkRunner {
 public:
  // Throws kiln::Error if the file cannot be read or the model does not take `features` float32
  // inputs and give `classes` float32 outputs.
  NetworkRunner(const std::filesystem::path& model_file, int64_t features, int64_t classes);
  NetworkRunner(ir::Model model, int64_t features, int64_t classes);

  // Class probabilities.
  std::vector<float> scores(std::span<const float> features);

 private:
  void check(int64_t features, int64_t classes);

  std::unique_ptr<ir::Model> model_;  // stable address: the executor keeps a reference
  std::unique_ptr<exec::Executor> executor_;
};

}  // namespace kiln::pipeline
