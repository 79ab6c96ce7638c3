// A small int8 image classifier built directly in IR with deterministic pseudo-random weights:
// CONV_2D → DEPTHWISE_CONV_2D → AVERAGE_POOL_2D → RESHAPE → FULLY_CONNECTED → SOFTMAX.
// It lets the demo and tests exercise the whole path without any downloaded model.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/model.h"

namespace kiln::ir {

Model make_example_model(uint32_t seed = 1);

// A deterministic input for the example model (int8 [1,16,16,1]).
std::vector<uint8_t> make_example_input(uint32_t seed = 1);

}  // namespace kiln::ir
