// Reads a TensorFlow Lite flatbuffer (.tflite, schema version 3) into Kiln's model IR.
//
// The input is treated as untrusted: every offset, index and size is checked before use, so any
// byte sequence either yields a model that passed ir::validate or throws kiln::Error with a
// one-line reason. Only single-subgraph models whose operators Kiln implements are accepted.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ir/model.h"

namespace kiln::tflite {

// Parses a whole .tflite file held in memory. Constant data is copied into the IR, so `bytes`
// need not outlive the result.
ir::Model read_model(std::span<const uint8_t> bytes);

// Reads and parses a .tflite file; error messages start with the path.
ir::Model read_model_file(const std::string& path);

}  // namespace kiln::tflite
