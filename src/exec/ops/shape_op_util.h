// Small helpers shared by the prepare functions of the data-movement operators (reshape
// family, pad, concatenation, strided slice, transpose, relu): reading constant index tensors
// and checking operand counts, with messages that name the operator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/model.h"

namespace kiln::exec {

// Values of a constant int32 or int64 tensor, widened to int64. Throws kiln::Error
// "<op>: <what> must be constant" for an activation tensor, and a similar message for any
// other element type.
std::vector<int64_t> constant_int_values(const ir::Tensor& t, std::string_view op,
                                         std::string_view what);

// Throws unless `op` has between min_inputs and max_inputs inputs (none of the first
// min_inputs absent) and exactly one output.
void require_operands(const ir::Operator& op, size_t min_inputs, size_t max_inputs,
                      std::string_view name);

// "[1x2x3]"-style text of a shape, for messages.
std::string shape_text(const std::vector<int32_t>& shape);

// Throws unless `t` has one scale and one zero point (per-tensor quantization).
void require_per_tensor_quantization(const ir::Tensor& t, std::string_view op);

}  // namespace kiln::exec
