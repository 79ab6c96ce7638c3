#include "dsp/normalize.h"

namespace kiln {
namespace dsp {

void normalize_features(float* values, size_t count, const float* mean, const float* inv_std,
                        int32_t channels) {
  if (channels <= 0) return;
  size_t c = 0;
  for (size_t i = 0; i < count; ++i) {
    values[i] = (values[i] - mean[c]) * inv_std[c];
    if (++c == static_cast<size_t>(channels)) c = 0;
  }
}

}  // namespace dsp
}  // namespace kiln
