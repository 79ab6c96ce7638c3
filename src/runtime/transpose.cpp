#include "runtime/transpose.h"

namespace kiln {
namespace rt {

namespace {

// Walks the output in memory order; for each output axis the matching input step is the
// row-major stride of the input axis it came from. Leading unit axes pad the rank to 6 so one
// loop nest serves every rank.
template <typename T>
Status transpose_impl(const TransposeParams& p, const T* input, T* output) {
  const int kMax = kTransposeMaxRank;
  if (p.rank < 1 || p.rank > kMax) return kBadArgument;
  bool seen[kMax] = {false, false, false, false, false, false};
  int64_t total = 1;
  for (int i = 0; i < p.rank; ++i) {
    const int32_t axis = p.perm[i];
    if (axis < 0 || axis >= p.rank || seen[axis] || p.input_shape[i] < 0) return kBadArgument;
    seen[axis] = true;
    total *= p.input_shape[i];
    if (total > INT32_MAX) return kBadArgument;
  }
  if (total == 0) return kOk;
  if (input == NULL || output == NULL) return kBadArgument;

  int32_t in_stride[kMax];
  in_stride[p.rank - 1] = 1;
  for (int i = p.rank - 2; i >= 0; --i) in_stride[i] = in_stride[i + 1] * p.input_shape[i + 1];

  const int lead = kMax - p.rank;
  int32_t dim[kMax];   // output shape, padded
  int32_t step[kMax];  // input stride of each output axis, padded
  for (int i = 0; i < kMax; ++i) {
    if (i < lead) {
      dim[i] = 1;
      step[i] = 0;
    } else {
      const int32_t axis = p.perm[i - lead];
      dim[i] = p.input_shape[axis];
      step[i] = in_stride[axis];
    }
  }

  T* out = output;
  for (int32_t i0 = 0; i0 < dim[0]; ++i0) {
    const int32_t o0 = i0 * step[0];
    for (int32_t i1 = 0; i1 < dim[1]; ++i1) {
      const int32_t o1 = o0 + i1 * step[1];
      for (int32_t i2 = 0; i2 < dim[2]; ++i2) {
        const int32_t o2 = o1 + i2 * step[2];
        for (int32_t i3 = 0; i3 < dim[3]; ++i3) {
          const int32_t o3 = o2 + i3 * step[3];
          for (int32_t i4 = 0; i4 < dim[4]; ++i4) {
            const T* src = input + o3 + i4 * step[4];
            for (int32_t i5 = 0; i5 < dim[5]; ++i5) *out++ = src[i5 * step[5]];
          }
        }
      }
    }
  }
  return kOk;
}

}  // namespace

Status transpose_int8(const TransposeParams& params, const int8_t* input, int8_t* output) {
  return transpose_impl(params, input, output);
}

Status transpose_int16(const TransposeParams& params, const int16_t* input, int16_t* output) {
  return transpose_impl(params, input, output);
}

Status transpose_int32(const TransposeParams& params, const int32_t* input, int32_t* output) {
  return transpose_impl(params, input, output);
}

Status transpose_float(const TransposeParams& params, const float* input, float* output) {
  return transpose_impl(params, input, output);
}

}  // namespace rt
}  // namespace kiln
