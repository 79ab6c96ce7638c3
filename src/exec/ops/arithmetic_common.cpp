#include "exec/ops/arithmetic_common.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

void require_io(const ir::Operator& op, size_t inputs, size_t outputs, std::string_view name) {
  if (op.inputs.size() != inputs)
    throw Error(fmt::format("{}: expected {} inputs, got {}", name, inputs, op.inputs.size()));
  for (size_t i = 0; i < inputs; ++i)
    if (op.inputs[i] == ir::kNoTensor) throw Error(fmt::format("{}: input {} is missing", name, i));
  if (op.outputs.size() != outputs)
    throw Error(fmt::format("{}: expected {} outputs, got {}", name, outputs, op.outputs.size()));
}

TensorQuant tensor_quant(const ir::Tensor& t, std::string_view name) {
  if (t.quant.scale.size() != 1 || t.quant.zero_point.size() != 1)
    throw Error(
        fmt::format("{}: tensor '{}' needs per-tensor quantization, has {} scales and {} "
                    "zero points",
                    name, t.name, t.quant.scale.size(), t.quant.zero_point.size()));
  const float scale = t.quant.scale[0];
  if (!(scale > 0.0f) || !std::isfinite(scale))
    throw Error(fmt::format("{}: tensor '{}' has scale {}, must be positive and finite", name,
                            t.name, scale));
  int64_t lo = 0, hi = 0;
  switch (t.dtype) {
    case ir::DType::kInt8:
      lo = -128;
      hi = 127;
      break;
    case ir::DType::kUInt8:
      lo = 0;
      hi = 255;
      break;
    case ir::DType::kInt16:
      lo = -32768;
      hi = 32767;
      break;
    default:
      throw Error(fmt::format("{}: tensor '{}' of type {} cannot be quantized", name, t.name,
                              ir::dtype_name(t.dtype)));
  }
  const int64_t zp = t.quant.zero_point[0];
  if (zp < lo || zp > hi)
    throw Error(fmt::format("{}: tensor '{}' has zero point {}, outside the {} range", name, t.name,
                            zp, ir::dtype_name(t.dtype)));
  return {scale, static_cast<int32_t>(zp)};
}

int32_t element_count(const ir::Tensor& t, std::string_view name) {
  const int64_t n = t.num_elements();
  if (n < 0 || n > std::numeric_limits<int32_t>::max())
    throw Error(
        fmt::format("{}: tensor '{}' has {} elements, more than supported", name, t.name, n));
  return static_cast<int32_t>(n);
}

void require_dtype(const ir::Tensor& t, ir::DType want, std::string_view name) {
  if (t.dtype != want)
    throw Error(fmt::format("{}: tensor '{}' is {}, expected {}", name, t.name,
                            ir::dtype_name(t.dtype), ir::dtype_name(want)));
}

void require_same_size(const ir::Tensor& a, const ir::Tensor& b, std::string_view name) {
  if (a.num_elements() != b.num_elements())
    throw Error(fmt::format("{}: '{}' {} and '{}' {} differ in element count", name, a.name,
                            shape_string(a.shape), b.name, shape_string(b.shape)));
}

ir::Activation elementwise_activation(const ir::Operator& op) {
  if (const auto* options = std::get_if<ir::ElementwiseOptions>(&op.options))
    return options->activation;
  return ir::Activation::kNone;
}

rt::FloatActivationParams float_activation(ir::Activation act) {
  const FloatRange range = activation_range_float(act);
  const float largest = std::numeric_limits<float>::max();
  return {std::max(range.min, -largest), std::min(range.max, largest)};
}

rt::BroadcastShape broadcast_operands(const ir::Tensor& input1, const ir::Tensor& input2,
                                      const ir::Tensor& output, std::string_view name) {
  rt::BroadcastShape shape{};
  const rt::Status status = rt::broadcast_shape_init(
      input1.shape.data(), static_cast<int32_t>(input1.shape.size()), input2.shape.data(),
      static_cast<int32_t>(input2.shape.size()), &shape);
  if (status != rt::kOk)
    throw Error(fmt::format("{}: input shapes {} and {} do not broadcast (at most {} dimensions)",
                            name, shape_string(input1.shape), shape_string(input2.shape),
                            rt::kMaxBroadcastRank));
  // The output must have the broadcast extents, possibly with fewer leading 1s.
  const size_t rank = output.shape.size();
  bool matches = rank <= static_cast<size_t>(rt::kMaxBroadcastRank);
  for (size_t i = 0; matches && i < static_cast<size_t>(rt::kMaxBroadcastRank); ++i) {
    const size_t from_end = rt::kMaxBroadcastRank - 1 - i;
    const int32_t want = shape.dims[i];
    const int32_t have = from_end < rank ? output.shape[rank - 1 - from_end] : 1;
    matches = want == have;
  }
  if (!matches)
    throw Error(fmt::format("{}: output shape {} is not the broadcast of {} and {}", name,
                            shape_string(output.shape), shape_string(input1.shape),
                            shape_string(input2.shape)));
  return shape;
}

Q4InputScaling q4_input_scaling(float input_scale, std::string_view name) {
  constexpr int kInputIntegerBits = 4;
  const double real = static_cast<double>(input_scale) *
                      static_cast<double>(int64_t{1} << (31 - kInputIntegerBits));
  int shift = 0;
  const double mantissa = std::frexp(real, &shift);
  // Only shifts in [0, 31] keep the kernel's arithmetic and the radius below well defined; they
  // cover input scales from 2^-28 to 16.
  if (shift < 0 || shift > 31)
    throw Error(fmt::format("{}: input scale {} is out of the supported range", name, input_scale));
  int64_t fixed = std::llround(mantissa * static_cast<double>(int64_t{1} << 31));
  // A mantissa of a float scale has 24 bits, so rounding can never carry to 2^31; guard anyway.
  if (fixed >= (int64_t{1} << 31)) fixed = (int64_t{1} << 31) - 1;
  const double radius = std::floor(static_cast<double>((1 << kInputIntegerBits) - 1) *
                                   static_cast<double>(int64_t{1} << (31 - kInputIntegerBits)) /
                                   static_cast<double>(int64_t{1} << shift));
  return {static_cast<int32_t>(fixed), shift, static_cast<int32_t>(radius)};
}

std::string shape_string(const std::vector<int32_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, "x"));
}

}  // namespace kiln::exec
