// Writes Kiln's model IR as a TensorFlow Lite flatbuffer (schema version 3, identifier "TFL3")
// that TFLM can load: buffer 0 is the empty sentinel, every constant tensor has its own buffer
// whose data starts on a 16-byte boundary, and activations use buffer 0. The same IR always
// gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/model.h"

namespace kiln::tflite {

// Throws kiln::Error if the model fails ir::validate, an operator's options do not match its
// type, or the model is too large for a flatbuffer (2 GB).
std::vector<uint8_t> write_model(const ir::Model& model);

void write_model_file(const ir::Model& model, const std::string& path);

}  // namespace kiln::tflite
