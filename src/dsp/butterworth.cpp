#include "dsp/butterworth.h"

#include <math.h>

namespace kiln {
namespace dsp {

namespace {
const double kPi = 3.14159265358979323846264338327950288;
}  // namespace

const char* butterworth_design(Butterworth* filter, bool highpass, int32_t order,
                               float sampling_frequency, float cutoff) {
  if (order < 2 || order > kMaxButterworthOrder || order % 2 != 0) {
    return "filter_order must be an even number between 2 and 16";
  }
  if (!(sampling_frequency > 0.0f)) return "sampling frequency must be positive";
  if (!(cutoff > 0.0f && cutoff < sampling_frequency / 2.0f)) {
    return "filter_cutoff must be between 0 and half the sampling frequency";
  }
  filter->num_sections = order / 2;
  filter->highpass = highpass;
  // Design in double, stored in float: the reference's mix of precisions, which keeps the
  // coefficients identical to its own.
  const float a = static_cast<float>(tan(kPi * cutoff / sampling_frequency));
  const float a2 = static_cast<float>(static_cast<double>(a) * a);
  for (int32_t k = 0; k < filter->num_sections; ++k) {
    const float r = static_cast<float>(sin(kPi * (2.0 * k + 1.0) / (2.0 * order)));
    const float s = static_cast<float>(a2 + 2.0 * a * r + 1.0);
    ButterworthSection& section = filter->sections[k];
    section.gain = highpass ? 1.0f / s : a2 / s;
    section.d1 = static_cast<float>(2.0 * (1.0f - a2) / s);
    section.d2 = static_cast<float>(-(a2 - 2.0 * a * r + 1.0) / s);
  }
  return NULL;
}

void butterworth_apply(const Butterworth& filter, float* samples, size_t n) {
  float w1[kMaxButterworthOrder / 2] = {0.0f};
  float w2[kMaxButterworthOrder / 2] = {0.0f};
  const float twice = filter.highpass ? -2.0f : 2.0f;
  for (size_t i = 0; i < n; ++i) {
    float v = samples[i];
    for (int32_t k = 0; k < filter.num_sections; ++k) {
      const ButterworthSection& s = filter.sections[k];
      const float w0 = s.d1 * w1[k] + s.d2 * w2[k] + v;
      v = s.gain * (w0 + twice * w1[k] + w2[k]);
      w2[k] = w1[k];
      w1[k] = w0;
    }
    samples[i] = v;
  }
}

}  // namespace dsp
}  // namespace kiln
