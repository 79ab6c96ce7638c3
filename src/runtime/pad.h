// PAD: surrounds a tensor of up to 5 dimensions with a constant value (the output zero point
// for int8, 0 for float and int16/int32, or the value of PADV2's constant input).
#ifndef KILN_RUNTIME_PAD_H_
#define KILN_RUNTIME_PAD_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

enum { kPadMaxRank = 5 };

// Lower-rank tensors are described with leading dimensions of size 1 and no padding.
struct PadParams {
  int32_t input_shape[kPadMaxRank];
  int32_t before[kPadMaxRank];  // elements added in front of each axis
  int32_t after[kPadMaxRank];   // elements added behind each axis
};

// Elements in the output: the product of input_shape + before + after (-1 if invalid).
int32_t pad_output_size(const PadParams& params);

Status pad_int8(const PadParams& params, const int8_t* input, int8_t pad_value, int8_t* output);
Status pad_int16(const PadParams& params, const int16_t* input, int16_t pad_value, int16_t* output);
Status pad_int32(const PadParams& params, const int32_t* input, int32_t pad_value, int32_t* output);
Status pad_float(const PadParams& params, const float* input, float pad_value, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_PAD_H_
