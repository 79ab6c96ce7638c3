#include "dsp/framing.h"

#include <math.h>

namespace kiln {
namespace dsp {

namespace {

const float kMaxFrameSamples = 16777216.0f;  // 2^24: exact in float, far beyond any real frame

// Seconds * rate in float, as the reference does; the 0.001 slack absorbs float noise such as
// 0.018f * 16000 = 288.00003.
float seconds_to_samples(float sampling_frequency, float seconds, int32_t implementation_version) {
  const float v = sampling_frequency * seconds;
  if (implementation_version == 1) return static_cast<float>(floor(static_cast<double>(v) + 0.5));
  const float lower = floorf(v);
  if (v > lower && v - lower < 0.001f) return lower;
  return ceilf(v);
}

}  // namespace

const char* frame_layout(float sampling_frequency, float frame_length, float frame_stride,
                         int32_t implementation_version, FrameLayout* layout) {
  if (!(sampling_frequency > 0.0f)) return "sampling frequency must be positive";
  if (!(frame_length > 0.0f)) return "frame_length must be positive";
  if (!(frame_stride > 0.0f)) return "frame_stride must be positive";
  const float frame = seconds_to_samples(sampling_frequency, frame_length, implementation_version);
  const float stride = seconds_to_samples(sampling_frequency, frame_stride, implementation_version);
  if (!(frame >= 1.0f)) return "frame_length is shorter than one sample";
  if (!(stride >= 1.0f)) return "frame_stride is shorter than one sample";
  if (!(frame <= kMaxFrameSamples) || !(stride <= kMaxFrameSamples)) {
    return "frame_length or frame_stride is too long";
  }
  layout->frame_samples = static_cast<int32_t>(frame);
  layout->stride_samples = static_cast<int32_t>(stride);
  return NULL;
}

int32_t frame_count(const FrameLayout& layout, int32_t implementation_version, size_t num_samples) {
  // Version 1 demands room for a whole extra stride after the last frame.
  const int64_t reserved = implementation_version == 1
                               ? layout.frame_samples
                               : static_cast<int64_t>(layout.frame_samples) - layout.stride_samples;
  const int64_t usable = static_cast<int64_t>(num_samples) - reserved;
  if (usable <= 0) return 0;
  // For version >= 2 this is floor((num_samples - frame) / stride) + 1: every frame fits whole.
  const int64_t frames = usable / layout.stride_samples;
  return frames > 0x7fffffff ? 0x7fffffff : static_cast<int32_t>(frames);
}

}  // namespace dsp
}  // namespace kiln
