#include "runtime/strided_slice.h"

#include <string.h>

namespace kiln {
namespace rt {

namespace {

// Every visited index must lie inside its axis, so that bad parameters cannot read out of
// bounds; checking the first and last index per axis suffices since the steps are uniform.
bool valid(const StridedSliceParams& p, int64_t* total) {
  int64_t n = 1;
  for (int a = 0; a < kStridedSliceMaxRank; ++a) {
    if (p.input_shape[a] < 0 || p.count[a] < 0 || p.stride[a] == 0) return false;
    if (p.count[a] > 0) {
      const int64_t first = p.start[a];
      const int64_t last = first + static_cast<int64_t>(p.count[a] - 1) * p.stride[a];
      if (first < 0 || first >= p.input_shape[a] || last < 0 || last >= p.input_shape[a])
        return false;
    }
    n *= p.count[a];
    if (n > INT32_MAX) return false;
  }
  int64_t in_total = 1;
  for (int a = 0; a < kStridedSliceMaxRank; ++a) {
    in_total *= p.input_shape[a];
    if (in_total > INT32_MAX) return false;
  }
  *total = n;
  return true;
}

template <typename T>
Status strided_slice_impl(const StridedSliceParams& p, const T* input, T* output) {
  int64_t total = 0;
  if (!valid(p, &total)) return kBadArgument;
  if (total == 0) return kOk;
  if (input == NULL || output == NULL) return kBadArgument;

  // Row-major strides of the input, in elements.
  int32_t step[kStridedSliceMaxRank];
  step[kStridedSliceMaxRank - 1] = 1;
  for (int a = kStridedSliceMaxRank - 2; a >= 0; --a) step[a] = step[a + 1] * p.input_shape[a + 1];

  T* out = output;
  const bool contiguous_rows = p.stride[4] == 1;
  for (int32_t j0 = 0; j0 < p.count[0]; ++j0) {
    const int32_t o0 = (p.start[0] + j0 * p.stride[0]) * step[0];
    for (int32_t j1 = 0; j1 < p.count[1]; ++j1) {
      const int32_t o1 = o0 + (p.start[1] + j1 * p.stride[1]) * step[1];
      for (int32_t j2 = 0; j2 < p.count[2]; ++j2) {
        const int32_t o2 = o1 + (p.start[2] + j2 * p.stride[2]) * step[2];
        for (int32_t j3 = 0; j3 < p.count[3]; ++j3) {
          const int32_t o3 = o2 + (p.start[3] + j3 * p.stride[3]) * step[3];
          const T* row = input + o3 + p.start[4];
          if (contiguous_rows) {
            memcpy(out, row, static_cast<size_t>(p.count[4]) * sizeof(T));
            out += p.count[4];
          } else {
            for (int32_t j4 = 0; j4 < p.count[4]; ++j4) *out++ = row[j4 * p.stride[4]];
          }
        }
      }
    }
  }
  return kOk;
}

}  // namespace

int32_t strided_slice_output_size(const StridedSliceParams& params) {
  int64_t total = 0;
  if (!valid(params, &total)) return -1;
  return static_cast<int32_t>(total);
}

Status strided_slice_int8(const StridedSliceParams& params, const int8_t* input, int8_t* output) {
  return strided_slice_impl(params, input, output);
}

Status strided_slice_int16(const StridedSliceParams& params, const int16_t* input,
                           int16_t* output) {
  return strided_slice_impl(params, input, output);
}

Status strided_slice_int32(const StridedSliceParams& params, const int32_t* input,
                           int32_t* output) {
  return strided_slice_impl(params, input, output);
}

Status strided_slice_float(const StridedSliceParams& params, const float* input, float* output) {
  return strided_slice_impl(params, input, output);
}

}  // namespace rt
}  // namespace kiln
