#include "dsp/flatten.h"

#include "dsp/moments.h"

namespace kiln {
namespace dsp {

const char* flatten_check(const FlattenParams& params) {
  if (params.axes < 1 || params.axes > 1024) return "axes must be in [1, 1024]";
  if (flatten_num_features(params) == 0) return "flatten needs at least one statistic enabled";
  return NULL;
}

int32_t flatten_num_features(const FlattenParams& p) {
  return static_cast<int32_t>(p.average) + p.minimum + p.maximum + p.rms + p.stdev + p.skewness +
         p.kurtosis;
}

size_t flatten_workspace_bytes(const FlattenParams& params, size_t samples_per_axis) {
  if (flatten_check(params) != NULL || samples_per_axis == 0) return 0;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  carve_floats(&carver, samples_per_axis);
  return carver.used;
}

Status flatten_compute(const FlattenParams& params, const float* input, size_t samples_per_axis,
                       float* out, size_t out_capacity, void* workspace, size_t workspace_bytes) {
  if (flatten_check(params) != NULL || samples_per_axis == 0) return rt::kBadArgument;
  const size_t axes = static_cast<size_t>(params.axes);
  if (out_capacity < axes * static_cast<size_t>(flatten_num_features(params))) {
    return rt::kBadArgument;
  }
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  float* x = carve_floats(&carver, samples_per_axis);
  if (!carver_ok(carver)) return rt::kBadArgument;
  const size_t n = samples_per_axis;
  float* row = out;
  for (size_t axis = 0; axis < axes; ++axis) {
    // One contiguous, scaled copy per axis: the statistics then run on unit stride.
    for (size_t i = 0; i < n; ++i) x[i] = input[i * axes + axis] * params.scale_axes;
    if (params.average) *row++ = moment_mean(x, n, 1);
    if (params.minimum) *row++ = moment_min(x, n, 1);
    if (params.maximum) *row++ = moment_max(x, n, 1);
    if (params.rms) *row++ = moment_rms(x, n, 1);
    if (params.stdev) *row++ = moment_stdev(x, n, 1);
    if (params.skewness) *row++ = moment_skewness(x, n, 1);
    if (params.kurtosis) *row++ = moment_kurtosis(x, n, 1);
  }
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
