#include "pipeline/network_runner.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "tflite/reader.h"

namespace kiln::pipeline {

NetworkRunner::NetworkRunner(const std::filesystem::path& model_file, int64_t features,
                             int64_t classes)
    : NetworkRunner(tflite::read_model_file(model_file.string()), features, classes) {}

NetworkRunner::NetworkRunner(ir::Model model, int64_t features, int64_t classes)
    : model_(std::make_unique<ir::Model>(std::move(model))) {
  check(features, classes);
  executor_ = std::make_unique<exec::Executor>(*model_);
}

void NetworkRunner::check(int64_t features, int64_t classes) {
  auto elements = [](const ir::Tensor& t) {
    int64_t n = 1;
    for (int32_t d : t.shape) n *= d;
    return n;
  };
  if (model_->inputs.size() != 1 || model_->outputs.size() != 1) {
    throw Error("the network must have one input and one output");
  }
  const ir::Tensor& in = model_->tensors.at(static_cast<size_t>(model_->inputs[0]));
  const ir::Tensor& out = model_->tensors.at(static_cast<size_t>(model_->outputs[0]));
  if (in.dtype != ir::DType::kFloat32 || out.dtype != ir::DType::kFloat32) {
    throw Error("the network must take and give float32 (quantized models keep float32 edges)");
  }
  if (elements(in) != features) {
    throw Error(fmt::format("the network takes {} values but the DSP block gives {}", elements(in),
                            features));
  }
  if (elements(out) != classes) {
    throw Error(fmt::format("the network gives {} scores for {} labels", elements(out), classes));
  }
}

std::vector<float> NetworkRunner::scores(std::span<const float> features) {
  executor_->set_input(0,
                       std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(features.data()),
                                                features.size_bytes()));
  executor_->invoke();
  const std::span<const uint8_t> bytes = executor_->output(0);
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

}  // namespace kiln::pipeline
