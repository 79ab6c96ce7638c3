// Feature normalization between the DSP block and the network: each feature channel (the last
// dimension of the feature matrix) is shifted by its training-set mean and scaled by the reciprocal
// of its standard deviation. Without it an int8 network input would share one scale across features
// of very different ranges (e.g. raw spectral powers) and most of them would quantize to a
// constant.
#ifndef KILN_DSP_NORMALIZE_H_
#define KILN_DSP_NORMALIZE_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

// values[i] = (values[i] - mean[i % channels]) * inv_std[i % channels], in place.
void normalize_features(float* values, size_t count, const float* mean, const float* inv_std,
                        int32_t channels);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_NORMALIZE_H_
