// Cepstral mean and variance normalization over a sliding window of frames (speechpy's cmvnw, as
// the Edge Impulse MFCC block applies it to a whole window of MFCC frames).
//
// The frame sequence is extended at both ends by (win_size - 1) / 2 frames of symmetric
// reflection (numpy.pad mode "symmetric": ... f1 f0 | f0 f1 ... f(R-1) | f(R-1) f(R-2) ...,
// repeating for pads longer than the sequence). Then, per coefficient:
//   1. each frame minus the mean of the win_size padded frames centred on it;
//   2. if variance normalization is on, the result (re-padded) divided by (population standard
//      deviation over the same window + 1e-10).
// win_size 0 disables the normalization; otherwise it must be odd.
#ifndef KILN_DSP_CMVN_H_
#define KILN_DSP_CMVN_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

const char* cmvn_check(int32_t win_size);
size_t cmvn_workspace_bytes(int32_t rows, int32_t cols, int32_t win_size);
// In place on rows x cols row-major features.
Status cmvn_apply(float* features, int32_t rows, int32_t cols, int32_t win_size,
                  bool normalize_variance, void* workspace, size_t workspace_bytes);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_CMVN_H_
