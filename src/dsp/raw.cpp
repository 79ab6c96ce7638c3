#include "dsp/raw.h"

namespace kiln {
namespace dsp {

const char* raw_check(const RawParams& params) {
  if (params.axes < 1 || params.axes > 1024) return "axes must be in [1, 1024]";
  if (!(params.scale_axes == params.scale_axes)) return "scale_axes must be a number";
  return NULL;
}

Status raw_compute(const RawParams& params, const float* input, size_t samples_per_axis, float* out,
                   size_t out_capacity) {
  if (raw_check(params) != NULL) return rt::kBadArgument;
  const size_t count = samples_per_axis * static_cast<size_t>(params.axes);
  if (out_capacity < count) return rt::kBadArgument;
  for (size_t i = 0; i < count; ++i) out[i] = input[i] * params.scale_axes;
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
