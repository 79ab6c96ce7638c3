// Butterworth low-pass / high-pass IIR filter as a cascade of second-order sections, designed with
// the bilinear transform (pre-warped cutoff a = tan(pi fc / fs)) the way the Edge Impulse spectral
// block designs it:
//   for k = 0 .. order/2 - 1:  r = sin(pi (2k + 1) / (2 order)),  s = a^2 + 2 a r + 1
//     low-pass:  gain = a^2 / s    high-pass: gain = 1 / s
//     d1 = 2 (1 - a^2) / s,  d2 = -(a^2 - 2 a r + 1) / s
//   per sample, per section (direct form II, state starting at zero):
//     w0 = d1 w1 + d2 w2 + x;  y = gain (w0 +/- 2 w1 + w2)  ('+' low-pass, '-' high-pass)
// The order must be even (each section contributes 2).
#ifndef KILN_DSP_BUTTERWORTH_H_
#define KILN_DSP_BUTTERWORTH_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

const int32_t kMaxButterworthOrder = 16;

struct ButterworthSection {
  float gain;
  float d1;
  float d2;
};

struct Butterworth {
  int32_t num_sections;
  bool highpass;
  ButterworthSection sections[kMaxButterworthOrder / 2];
};

// Null on success, else a static message (bad order, cutoff outside (0, fs/2)).
const char* butterworth_design(Butterworth* filter, bool highpass, int32_t order,
                               float sampling_frequency, float cutoff);

// Filters n samples in place (fresh zero state).
void butterworth_apply(const Butterworth& filter, float* samples, size_t n);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_BUTTERWORTH_H_
