// Flatten block: summary statistics per axis of a window of multi-axis samples.
//
// Each axis is multiplied by scale_axes, then the enabled statistics are computed in this order:
// mean, minimum, maximum, RMS, standard deviation, skewness, kurtosis (formulas in moments.h).
// Output: one row per axis holding the enabled statistics (axis-major, as the reference).
#ifndef KILN_DSP_FLATTEN_H_
#define KILN_DSP_FLATTEN_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

struct FlattenParams {
  int32_t axes;
  float scale_axes;
  bool average;
  bool minimum;
  bool maximum;
  bool rms;
  bool stdev;
  bool skewness;
  bool kurtosis;
};

const char* flatten_check(const FlattenParams& params);
// Statistics per axis (the output has `axes` rows of this many values).
int32_t flatten_num_features(const FlattenParams& params);
size_t flatten_workspace_bytes(const FlattenParams& params, size_t samples_per_axis);
Status flatten_compute(const FlattenParams& params, const float* input, size_t samples_per_axis,
                       float* out, size_t out_capacity, void* workspace, size_t workspace_bytes);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_FLATTEN_H_
