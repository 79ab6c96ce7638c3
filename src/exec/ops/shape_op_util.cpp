#include "exec/ops/shape_op_util.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>

#include "core/error.h"

namespace kiln::exec {

std::vector<int64_t> constant_int_values(const ir::Tensor& t, std::string_view op,
                                         std::string_view what) {
  if (!t.is_constant()) throw Error(fmt::format("{}: {} must be constant", op, what));
  const size_t n = static_cast<size_t>(t.num_elements());
  std::vector<int64_t> values(n);
  if (t.dtype == ir::DType::kInt32) {
    if (t.data.size() != n * 4)
      throw Error(fmt::format("{}: {} data has the wrong size", op, what));
    for (size_t i = 0; i < n; ++i) {
      int32_t v;
      std::memcpy(&v, t.data.data() + i * 4, 4);
      values[i] = v;
    }
  } else if (t.dtype == ir::DType::kInt64) {
    if (t.data.size() != n * 8)
      throw Error(fmt::format("{}: {} data has the wrong size", op, what));
    for (size_t i = 0; i < n; ++i) std::memcpy(&values[i], t.data.data() + i * 8, 8);
  } else {
    throw Error(
        fmt::format("{}: {} must be int32 or int64, got {}", op, what, ir::dtype_name(t.dtype)));
  }
  return values;
}

void require_operands(const ir::Operator& op, size_t min_inputs, size_t max_inputs,
                      std::string_view name) {
  const size_t n = op.inputs.size();
  if (n < min_inputs || n > max_inputs) {
    if (min_inputs == max_inputs)
      throw Error(fmt::format("{}: expected {} inputs, got {}", name, min_inputs, n));
    throw Error(
        fmt::format("{}: expected {} to {} inputs, got {}", name, min_inputs, max_inputs, n));
  }
  for (size_t i = 0; i < min_inputs; ++i)
    if (op.inputs[i] == ir::kNoTensor) throw Error(fmt::format("{}: input {} is missing", name, i));
  if (op.outputs.size() != 1)
    throw Error(fmt::format("{}: expected 1 output, got {}", name, op.outputs.size()));
}

std::string shape_text(const std::vector<int32_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, "x"));
}

void require_per_tensor_quantization(const ir::Tensor& t, std::string_view op) {
  if (t.quant.scale.size() != 1 || t.quant.zero_point.size() != 1)
    throw Error(fmt::format("{}: tensor '{}' needs per-tensor quantization ({} scales)", op, t.name,
                            t.quant.scale.size()));
}

}  // namespace kiln::exec
