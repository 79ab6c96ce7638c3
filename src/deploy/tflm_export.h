// --engine tflm: the files for teams that run the network with their own TensorFlow Lite Micro
// build: the .tflite flatbuffer as an aligned C array, and the operators its resolver must
// register (Kiln does not vendor TFLM).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/model.h"

namespace kiln::deploy {

// MicroMutableOpResolver method names for the model's operators ("AddFullyConnected", ...),
// sorted, each once. Throws kiln::Error for an operator without a known TFLM registration.
std::vector<std::string> tflm_resolver_ops(const ir::Model& model);

// kiln_model_data.h, kiln_model_data.cpp and kiln_tflm_resolver.h.
std::map<std::string, std::string> tflm_files(const std::vector<uint8_t>& tflite_bytes,
                                              const std::vector<std::string>& ops);

}  // namespace kiln::deploy
