// RELU and RELU6 as standalone operators (fused activations are handled inside each kernel).
//
// The quantized variants follow TFLM, which treats the two differently:
// - RELU requantizes: out = out_zp + round(M * (in - in_zp)) with M = in_scale / out_scale,
//   then clamps to [quantized 0, type max] of the output.
// - RELU6 does not requantize at all: it clamps the input values to [in_zp, quantized 6.0]
//   computed with the INPUT quantization, whatever the output tensor says.
#ifndef KILN_RUNTIME_RELU_H_
#define KILN_RUNTIME_RELU_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct ReluQuantizedParams {
  int32_t size;  // number of elements
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t output_multiplier;  // Q0.31 mantissa of in_scale / out_scale
  int32_t output_shift;       // power of two of the same ratio (positive = left)
  int32_t activation_min;     // clamp bounds in the output's quantized domain
  int32_t activation_max;
};

struct Relu6QuantizedParams {
  int32_t size;
  int32_t lower;  // input zero point
  int32_t upper;  // 6.0 quantized with the input's scale and zero point
};

Status relu_float(int32_t size, const float* input, float* output);
Status relu_int8(const ReluQuantizedParams& params, const int8_t* input, int8_t* output);
Status relu_int16(const ReluQuantizedParams& params, const int16_t* input, int16_t* output);

Status relu6_float(int32_t size, const float* input, float* output);
Status relu6_int8(const Relu6QuantizedParams& params, const int8_t* input, int8_t* output);
Status relu6_int16(const Relu6QuantizedParams& params, const int16_t* input, int16_t* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_RELU_H_
