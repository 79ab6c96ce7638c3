// TRANSPOSE: permutes the axes of a tensor of up to 6 dimensions; output axis i is input axis
// perm[i], so output shape[i] = input_shape[perm[i]].
#ifndef KILN_RUNTIME_TRANSPOSE_H_
#define KILN_RUNTIME_TRANSPOSE_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

enum { kTransposeMaxRank = 6 };

struct TransposeParams {
  int32_t rank;  // 1..kTransposeMaxRank; entries past `rank` are ignored
  int32_t input_shape[kTransposeMaxRank];
  int32_t perm[kTransposeMaxRank];  // a permutation of 0..rank-1
};

Status transpose_int8(const TransposeParams& params, const int8_t* input, int8_t* output);
Status transpose_int16(const TransposeParams& params, const int16_t* input, int16_t* output);
Status transpose_int32(const TransposeParams& params, const int32_t* input, int32_t* output);
Status transpose_float(const TransposeParams& params, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_TRANSPOSE_H_
