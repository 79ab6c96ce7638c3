// MEAN: average over a set of axes.
//
// The input dimensions are split into kept axes (which index the output, in order) and reduced
// axes (summed over). Each output element sums its inputs in row-major order, so float sums
// accumulate in the same order as TFLM's reference.
//
// int8 follows TFLM's reference kernel:
// - same scale and zero point on input and output: integer sum / count, truncated toward zero;
// - otherwise: (sum - count * zp_in) * M + zp_out, clamped, where M = in_scale / out_scale with
//   1/count folded into the multiplier by integer division (see mean_fold_count) and applied by
//   the double-rounding multiply_by_quantized_multiplier.
// float: sum / count in single precision.
#ifndef KILN_RUNTIME_MEAN_H_
#define KILN_RUNTIME_MEAN_H_

#include "runtime/common.h"

namespace kiln {
namespace rt {

const int32_t kMeanMaxRank = 6;

struct MeanShape {
  int32_t kept_rank;
  int32_t kept_dims[kMeanMaxRank];     // extents of the kept axes, outermost first
  int32_t kept_strides[kMeanMaxRank];  // their element strides in the input
  int32_t reduced_rank;
  int32_t reduced_dims[kMeanMaxRank];
  int32_t reduced_strides[kMeanMaxRank];
};

// Builds the shape for an input of `rank` dimensions `dims`, reducing the axes with a non-zero
// entry in reduce_axis[0 .. rank). Returns kBadArgument for a rank above kMeanMaxRank, negative
// extents or an element count beyond int32.
Status mean_shape_init(const int32_t* dims, int32_t rank, const uint8_t* reduce_axis,
                       MeanShape* out);
// Number of output elements (product of the kept extents).
int32_t mean_output_size(const MeanShape& shape);
// Number of inputs averaged into each output (product of the reduced extents).
int32_t mean_reduced_count(const MeanShape& shape);

enum MeanInt8Mode {
  kMeanIntegerDivide = 0,  // input and output share scale and zero point
  kMeanRescale = 1,        // requantize the centred sum
};

struct MeanInt8Params {
  int32_t mode;  // MeanInt8Mode
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;  // kMeanRescale: in_scale / out_scale / count, after mean_fold_count
  int32_t shift;
};

// Folds 1/count into a quantized multiplier (multiplier, shift) = M as TFLM does: with
// s = min(floor(log2(count)), 32, 31 + shift), multiplier' = (multiplier << s) / count (integer
// division) and shift' = shift - s. count must be > 0.
void mean_fold_count(int32_t count, int32_t* multiplier, int32_t* shift);

Status mean_int8(const MeanInt8Params& params, const MeanShape& shape, const int8_t* input,
                 int8_t* output);
Status mean_float(const MeanShape& shape, const float* input, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_MEAN_H_
