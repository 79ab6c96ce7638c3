#include "runtime/concatenation.h"

#include <string.h>

namespace kiln {
namespace rt {

namespace {

template <typename T>
Status concatenation_impl(const ConcatenationParams& p, const T* const* inputs, T* output) {
  if (p.num_inputs < 1 || p.num_inputs > kConcatenationMaxInputs) return kBadArgument;
  if (p.outer_size < 0 || p.inner_size < 0) return kBadArgument;
  int64_t row = 0;  // output elements per outer index
  for (int32_t i = 0; i < p.num_inputs; ++i) {
    if (p.axis_sizes[i] < 0) return kBadArgument;
    row += static_cast<int64_t>(p.axis_sizes[i]) * p.inner_size;
  }
  if (row * p.outer_size > INT32_MAX) return kBadArgument;
  if (row * p.outer_size == 0) return kOk;
  if (inputs == NULL || output == NULL) return kBadArgument;
  for (int32_t i = 0; i < p.num_inputs; ++i)
    if (p.axis_sizes[i] > 0 && inputs[i] == NULL) return kBadArgument;

  T* out = output;
  for (int32_t k = 0; k < p.outer_size; ++k) {
    for (int32_t i = 0; i < p.num_inputs; ++i) {
      const int32_t block = p.axis_sizes[i] * p.inner_size;
      if (block == 0) continue;
      memcpy(out, inputs[i] + static_cast<int64_t>(k) * block,
             static_cast<size_t>(block) * sizeof(T));
      out += block;
    }
  }
  return kOk;
}

}  // namespace

Status concatenation_int8(const ConcatenationParams& params, const int8_t* const* inputs,
                          int8_t* output) {
  return concatenation_impl(params, inputs, output);
}

Status concatenation_int16(const ConcatenationParams& params, const int16_t* const* inputs,
                           int16_t* output) {
  return concatenation_impl(params, inputs, output);
}

Status concatenation_int32(const ConcatenationParams& params, const int32_t* const* inputs,
                           int32_t* output) {
  return concatenation_impl(params, inputs, output);
}

Status concatenation_float(const ConcatenationParams& params, const float* const* inputs,
                           float* output) {
  return concatenation_impl(params, inputs, output);
}

}  // namespace rt
}  // namespace kiln
