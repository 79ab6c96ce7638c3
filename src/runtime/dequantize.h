// DEQUANTIZE: integer (int8, int16, uint8) -> float, x = scale * (q - zero_point).
//
// As in TFLM, q - zero_point is formed exactly in int32, converted to float and multiplied by the
// single-precision scale (one rounding).
#ifndef KILN_RUNTIME_DEQUANTIZE_H_
#define KILN_RUNTIME_DEQUANTIZE_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

struct DequantizeParams {
  int32_t size;
  float scale;
  int32_t zero_point;
};

Status dequantize_int8(const DequantizeParams& params, const int8_t* input, float* output);
Status dequantize_int16(const DequantizeParams& params, const int16_t* input, float* output);
Status dequantize_uint8(const DequantizeParams& params, const uint8_t* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_DEQUANTIZE_H_
