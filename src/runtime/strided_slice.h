// STRIDED_SLICE on the device: a strided gather over up to 5 dimensions.
//
// All of the op's index logic (masks, negative indices, clamping, shrinking, new axes) is
// resolved on the host into, per input axis, the first index, the step and the number of
// elements taken. The kernel then visits input[start + j * stride] for j < count on every axis,
// in row-major order, writing the output sequentially. Shrunk axes have count 1; new axes do
// not touch the data at all.
#ifndef KILN_RUNTIME_STRIDED_SLICE_H_
#define KILN_RUNTIME_STRIDED_SLICE_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

enum { kStridedSliceMaxRank = 5 };

// Lower-rank inputs are described with leading axes of size 1, start 0, stride 1, count 1.
struct StridedSliceParams {
  int32_t input_shape[kStridedSliceMaxRank];
  int32_t start[kStridedSliceMaxRank];
  int32_t stride[kStridedSliceMaxRank];  // non-zero, may be negative
  int32_t count[kStridedSliceMaxRank];   // elements taken along the axis (>= 0)
};

// Elements written: the product of the counts (-1 if the parameters are invalid).
int32_t strided_slice_output_size(const StridedSliceParams& params);

Status strided_slice_int8(const StridedSliceParams& params, const int8_t* input, int8_t* output);
Status strided_slice_int16(const StridedSliceParams& params, const int16_t* input, int16_t* output);
Status strided_slice_int32(const StridedSliceParams& params, const int32_t* input, int32_t* output);
Status strided_slice_float(const StridedSliceParams& params, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_STRIDED_SLICE_H_
