#include "runtime/fully_connected.h"

#include "runtime/conv_common.h"
#include "runtime/float_mac.h"

namespace kiln {
namespace rt {

namespace {

// Positive dimensions whose input, filter and output element counts fit in int32.
bool fully_connected_dims_valid(const FullyConnectedDims& d) {
  if (d.batches < 1 || d.input_depth < 1 || d.output_depth < 1) return false;
  return static_cast<int64_t>(d.batches) * d.input_depth <= INT32_MAX &&
         static_cast<int64_t>(d.output_depth) * d.input_depth <= INT32_MAX &&
         static_cast<int64_t>(d.batches) * d.output_depth <= INT32_MAX;
}

// The quantized loop shared by the int8 and int16x8 kernels: the exact sum of
// (input + input_offset) * (filter + filter_offset) for each output, handed to `output_step`
// (bias, requantization, clamp) together with the output channel.
template <typename Input, typename Output, typename OutputStep>
void fully_connected_quantized(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                               const Input* input, const int8_t* filter,
                               const OutputStep& output_step, Output* output) {
  for (int32_t b = 0; b < dims.batches; ++b) {
    const Input* input_row = input + b * dims.input_depth;
    Output* output_row = output + b * dims.output_depth;
    for (int32_t o = 0; o < dims.output_depth; ++o) {
      const int8_t* filter_row = filter + o * dims.input_depth;
      int64_t acc = 0;
      for (int32_t d = 0; d < dims.input_depth; ++d)
        acc += (filter_row[d] + params.filter_offset) * (input_row[d] + params.input_offset);
      output_row[o] = output_step(acc, o);
    }
  }
}

// Checks shared by the quantized variants; `max_shift` bounds the requantization shifts.
bool fully_connected_quantized_valid(const FullyConnectedParams& params,
                                     const FullyConnectedDims& dims,
                                     const int32_t* output_multiplier, const int32_t* output_shift,
                                     const void* input, const int8_t* filter, const void* output,
                                     int32_t max_shift) {
  if (!output_multiplier || !output_shift || !input || !filter || !output) return false;
  if (!fully_connected_dims_valid(dims)) return false;
  if (!int8_offset_valid(params.filter_offset) || params.act_min > params.act_max) return false;
  const int32_t requant_count = params.per_channel ? dims.output_depth : 1;
  return requant_shifts_valid(output_shift, requant_count, max_shift);
}

}  // namespace

Status fully_connected_int8(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                            const int32_t* output_multiplier, const int32_t* output_shift,
                            const int8_t* input, const int8_t* filter, const int32_t* bias,
                            int8_t* output) {
  if (!fully_connected_quantized_valid(params, dims, output_multiplier, output_shift, input, filter,
                                       output, /*max_shift=*/30) ||
      !int8_offset_valid(params.input_offset))
    return kBadArgument;
  const Int8OutputStep step = {bias,
                               output_multiplier,
                               output_shift,
                               params.per_channel ? 1 : 0,
                               params.output_offset,
                               params.act_min,
                               params.act_max};
  fully_connected_quantized(params, dims, input, filter, step, output);
  return kOk;
}

Status fully_connected_int16x8_bias64(const FullyConnectedParams& params,
                                      const FullyConnectedDims& dims,
                                      const int32_t* output_multiplier, const int32_t* output_shift,
                                      const int16_t* input, const int8_t* filter,
                                      const int64_t* bias, int16_t* output) {
  if (!fully_connected_quantized_valid(params, dims, output_multiplier, output_shift, input, filter,
                                       output, /*max_shift=*/14) ||
      params.input_offset != 0 || params.output_offset != 0 ||
      !int64_accumulation_valid(bias, dims.output_depth, dims.input_depth))
    return kBadArgument;
  const Int16Bias64OutputStep step = {bias,           output_multiplier,
                                      output_shift,   params.per_channel ? 1 : 0,
                                      params.act_min, params.act_max};
  fully_connected_quantized(params, dims, input, filter, step, output);
  return kOk;
}

Status fully_connected_int16x8_bias32(const FullyConnectedParams& params,
                                      const FullyConnectedDims& dims,
                                      const int32_t* output_multiplier, const int32_t* output_shift,
                                      const int16_t* input, const int8_t* filter,
                                      const int32_t* bias, int16_t* output) {
  if (!fully_connected_quantized_valid(params, dims, output_multiplier, output_shift, input, filter,
                                       output, /*max_shift=*/30) ||
      params.input_offset != 0 || params.output_offset != 0)
    return kBadArgument;
  const Int16Bias32OutputStep step = {bias,           output_multiplier,
                                      output_shift,   params.per_channel ? 1 : 0,
                                      params.act_min, params.act_max};
  fully_connected_quantized(params, dims, input, filter, step, output);
  return kOk;
}

Status fully_connected_float(const FullyConnectedFloatParams& params,
                             const FullyConnectedDims& dims, const float* input,
                             const float* filter, const float* bias, float* output) {
  if (!input || !filter || !output) return kBadArgument;
  if (!fully_connected_dims_valid(dims)) return kBadArgument;

  const int32_t depth = dims.input_depth;
  const float act_min = params.act_min;
  const float act_max = params.act_max;
  for (int32_t b = 0; b < dims.batches; ++b) {
    const float* input_row = input + b * depth;
    float* output_row = output + b * dims.output_depth;
    int32_t o = 0;
    // Four outputs at a time share each input load; every output still sums its products in
    // input order, as the reference does, so the rounding is the same.
    for (; o + 4 <= dims.output_depth; o += 4) {
      const float* f0 = filter + o * depth;
      const float* f1 = f0 + depth;
      const float* f2 = f1 + depth;
      const float* f3 = f2 + depth;
      FloatSums4 s = {0.0f, 0.0f, 0.0f, 0.0f};
      float_dot4(input_row, f0, f1, f2, f3, depth, s);
      const float sums[4] = {s.s0, s.s1, s.s2, s.s3};
      for (int32_t j = 0; j < 4; ++j) {
        const float bias_value = bias ? bias[o + j] : 0.0f;
        output_row[o + j] = clamp_f32(sums[j] + bias_value, act_min, act_max);
      }
    }
    for (; o < dims.output_depth; ++o) {
      const float* filter_row = filter + o * depth;
      const float total = float_dot1(input_row, filter_row, depth, 0.0f);
      const float bias_value = bias ? bias[o] : 0.0f;
      output_row[o] = clamp_f32(total + bias_value, act_min, act_max);
    }
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
