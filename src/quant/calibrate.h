// Calibration for post-training quantization: runs a float model over sample inputs with Kiln's
// executor and records the range of values every activation tensor takes.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "ir/model.h"

namespace kiln::quant {

struct TensorRange {
  float min = 0.0f;
  float max = 0.0f;
  bool operator==(const TensorRange&) const = default;
};

// One flat float sample per entry, holding the model's single input.
using CalibrationSet = std::vector<std::vector<float>>;

// Range of each tensor by index over all samples: set for the model input and every operator
// output, empty for constants. Throws kiln::Error if the model does not have exactly one float32
// input, a sample has the wrong size, the set is empty, or a value is not finite.
std::vector<std::optional<TensorRange>> calibrate(const ir::Model& model,
                                                  std::span<const std::vector<float>> samples);

}  // namespace kiln::quant
