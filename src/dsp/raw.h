// Raw block: the samples themselves, multiplied by scale_axes. Output: samples x axes, the input
// layout unchanged (interleaved by axis).
#ifndef KILN_DSP_RAW_H_
#define KILN_DSP_RAW_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

struct RawParams {
  int32_t axes;
  float scale_axes;
};

const char* raw_check(const RawParams& params);
inline size_t raw_workspace_bytes(const RawParams&) {
  return 0;
}
// out may alias input.
Status raw_compute(const RawParams& params, const float* input, size_t samples_per_axis, float* out,
                   size_t out_capacity);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_RAW_H_
