#include "quant/quant_params.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace kiln::quant {

namespace {

constexpr double kQMin = -128.0;
constexpr double kQMax = 127.0;
constexpr double kWeightMax = 127.0;

int8_t clamp_to_int8(double q, double low, double high) {
  return static_cast<int8_t>(std::clamp(q, low, high));
}

}  // namespace

ir::Quantization asymmetric_int8(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max)
    throw Error(fmt::format("quantize: invalid range [{}, {}]", min, max));
  // 0 must map to an integer exactly (zero padding, relu), so the range always contains it.
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  if (min == max) max = 1.0f;
  // TFLite's calibration rule, in float as it computes it: the zero point comes from the
  // minimum, rounded half away from zero and kept in range.
  const float scale = (max - min) / static_cast<float>(kQMax - kQMin);
  const float zp = static_cast<float>(kQMin) - min / scale;
  ir::Quantization q;
  q.scale = {scale};
  q.zero_point = {static_cast<int64_t>(
      std::round(std::clamp(zp, static_cast<float>(kQMin), static_cast<float>(kQMax))))};
  return q;
}

QuantizedWeights quantize_symmetric_int8(std::span<const float> values,
                                         const std::vector<int32_t>& shape, int32_t axis) {
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  if (count != static_cast<int64_t>(values.size()))
    throw Error(
        fmt::format("quantize: {} weights for a shape of {} elements", values.size(), count));
  if (axis >= static_cast<int32_t>(shape.size()))
    throw Error(
        fmt::format("quantize: channel axis {} out of range for rank {}", axis, shape.size()));
  // Element i belongs to channel (i / inner) % channels, where inner is the product of the
  // dimensions after the axis.
  int64_t channels = 1, inner = 1;
  if (axis >= 0) {
    channels = shape[static_cast<size_t>(axis)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  } else {
    inner = std::max<int64_t>(count, 1);
  }
  auto channel_of = [&](size_t i) {
    return static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
  };

  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) throw Error("quantize: weights hold a non-finite value");
    float& m = max_abs[channel_of(i)];
    m = std::max(m, std::abs(values[i]));
  }
  QuantizedWeights out;
  out.quant.axis = std::max(axis, 0);
  for (float m : max_abs) {
    out.quant.scale.push_back(m > 0.0f ? static_cast<float>(m / kWeightMax) : 1.0f);
    out.quant.zero_point.push_back(0);
  }
  out.values.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double scale = out.quant.scale[channel_of(i)];
    out.values[i] = clamp_to_int8(std::round(values[i] / scale), -kWeightMax, kWeightMax);
  }
  return out;
}

QuantizedWeights quantize_asymmetric_int8(std::span<const float> values) {
  if (values.empty()) throw Error("quantize: empty constant");
  float min = values[0], max = values[0];
  for (float v : values) {
    if (!std::isfinite(v)) throw Error("quantize: constant holds a non-finite value");
    min = std::min(min, v);
    max = std::max(max, v);
  }
  QuantizedWeights out;
  out.quant = asymmetric_int8(min, max);
  const double scale = out.quant.scale[0];
  const double zp = static_cast<double>(out.quant.zero_point[0]);
  out.values.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out.values[i] = clamp_to_int8(std::round(values[i] / scale) + zp, kQMin, kQMax);
  return out;
}

QuantizedBias quantize_bias_int32(std::span<const float> values, float input_scale,
                                  const std::vector<float>& weight_scales) {
  const size_t n = values.size();
  if (weight_scales.size() != 1 && weight_scales.size() != n)
    throw Error(
        fmt::format("quantize: {} weight scales for {} bias values", weight_scales.size(), n));
  QuantizedBias out;
  out.quant.axis = 0;
  const size_t scales = weight_scales.size();
  for (size_t c = 0; c < scales; ++c) {
    out.quant.scale.push_back(input_scale * weight_scales[c]);
    out.quant.zero_point.push_back(0);
  }
  constexpr double kLimit = 2147483647.0;
  out.values.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) throw Error("quantize: bias holds a non-finite value");
    const double scale = out.quant.scale[scales == 1 ? 0 : i];
    out.values[i] =
        static_cast<int32_t>(std::clamp(std::round(values[i] / scale), -kLimit, kLimit));
  }
  return out;
}

}  // namespace kiln::quant
