// Cutting a signal into frames, the way the Edge Impulse audio blocks do it.
//
// Frame length and stride are given in seconds and converted to samples. For implementation
// version 1 the sample counts are rounded to nearest; for later versions they are rounded up,
// except that a value within 0.001 above an integer is rounded down (so 0.018 s at 16 kHz, which is
// 288.00003 in float, stays 288). Frames start at multiples of the stride; only frames that fit
// completely inside the signal are produced (no zero padding):
//   num_frames = floor((num_samples - (frame - stride)) / stride)
// and version 1 uses num_frames = floor((num_samples - frame) / stride) (one frame fewer).
#ifndef KILN_DSP_FRAMING_H_
#define KILN_DSP_FRAMING_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

struct FrameLayout {
  int32_t frame_samples;   // samples per frame
  int32_t stride_samples;  // samples between frame starts
};

// Converts seconds to samples. Returns null on success or a static message describing the
// problem (non-positive or oversized lengths).
const char* frame_layout(float sampling_frequency, float frame_length, float frame_stride,
                         int32_t implementation_version, FrameLayout* layout);

// Frames that fit in `num_samples` (0 when the signal is shorter than one frame).
int32_t frame_count(const FrameLayout& layout, int32_t implementation_version, size_t num_samples);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_FRAMING_H_
