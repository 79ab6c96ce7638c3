#include "runtime/dequantize.h"

namespace kiln {
namespace rt {

namespace {

template <typename T>
Status dequantize(const DequantizeParams& p, const T* input, float* output) {
  if (p.size < 0 || (p.size > 0 && (input == NULL || output == NULL))) return kBadArgument;
  // Zero points of valid models are within the type's range, so the difference cannot overflow.
  if (p.zero_point < -65536 || p.zero_point > 65536) return kBadArgument;
  for (int32_t i = 0; i < p.size; ++i) {
    output[i] = p.scale * static_cast<float>(static_cast<int32_t>(input[i]) - p.zero_point);
  }
  return kOk;
}

}  // namespace

Status dequantize_int8(const DequantizeParams& p, const int8_t* input, float* output) {
  return dequantize<int8_t>(p, input, output);
}

Status dequantize_int16(const DequantizeParams& p, const int16_t* input, float* output) {
  return dequantize<int16_t>(p, input, output);
}

Status dequantize_uint8(const DequantizeParams& p, const uint8_t* input, float* output) {
  return dequantize<uint8_t>(p, input, output);
}

}  // namespace rt
}  // namespace kiln
