#include "runtime/relu.h"

#include "runtime/fixed_point.h"

namespace kiln {
namespace rt {

namespace {

// Shared by int8 and int16: the arithmetic is the same, only the storage type differs.
template <typename T>
Status relu_quantized(const ReluQuantizedParams& p, const T* input, T* output) {
  if (p.size < 0 || p.activation_min > p.activation_max) return kBadArgument;
  // A shift outside [-31, 31] cannot come from quantize_multiplier and would overflow the
  // fixed-point helpers.
  if (p.output_shift > 31 || p.output_shift < -31) return kBadArgument;
  if (p.size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  for (int32_t i = 0; i < p.size; ++i) {
    const int32_t centered = static_cast<int32_t>(input[i]) - p.input_zero_point;
    int32_t value = p.output_zero_point +
                    multiply_by_quantized_multiplier(centered, p.output_multiplier, p.output_shift);
    value = clamp_i32(value, p.activation_min, p.activation_max);
    output[i] = static_cast<T>(value);
  }
  return kOk;
}

template <typename T>
Status relu6_quantized(const Relu6QuantizedParams& p, const T* input, T* output) {
  if (p.size < 0 || p.lower > p.upper) return kBadArgument;
  if (p.size > 0 && (input == NULL || output == NULL)) return kBadArgument;
  const T lower = static_cast<T>(p.lower);
  const T upper = static_cast<T>(p.upper);
  for (int32_t i = 0; i < p.size; ++i) {
    const T v = input[i];
    output[i] = v > upper ? upper : (v < lower ? lower : v);
  }
  return kOk;
}

}  // namespace

Status relu_float(int32_t size, const float* input, float* output) {
  if (size < 0 || (size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  for (int32_t i = 0; i < size; ++i) {
    const float v = input[i];
    output[i] = v < 0.0f ? 0.0f : v;  // NaN and -0.0 pass through, as in the reference
  }
  return kOk;
}

Status relu6_float(int32_t size, const float* input, float* output) {
  if (size < 0 || (size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  for (int32_t i = 0; i < size; ++i) {
    const float v = input[i];
    output[i] = v > 6.0f ? 6.0f : (v < 0.0f ? 0.0f : v);
  }
  return kOk;
}

Status relu_int8(const ReluQuantizedParams& params, const int8_t* input, int8_t* output) {
  if (params.activation_min < -128 || params.activation_max > 127) return kBadArgument;
  return relu_quantized(params, input, output);
}

Status relu_int16(const ReluQuantizedParams& params, const int16_t* input, int16_t* output) {
  if (params.activation_min < -32768 || params.activation_max > 32767) return kBadArgument;
  return relu_quantized(params, input, output);
}

Status relu6_int8(const Relu6QuantizedParams& params, const int8_t* input, int8_t* output) {
  if (params.lower < -128 || params.upper > 127) return kBadArgument;
  return relu6_quantized(params, input, output);
}

Status relu6_int16(const Relu6QuantizedParams& params, const int16_t* input, int16_t* output) {
  if (params.lower < -32768 || params.upper > 32767) return kBadArgument;
  return relu6_quantized(params, input, output);
}

}  // namespace rt
}  // namespace kiln
