// Decimation by an integer ratio: anti-aliasing low-pass, then every r-th sample is kept.
//
// Allowed ratios are 1, 3, 10, 30, 100 and 1000 (the values the Edge Impulse spectral block
// offers). Ratios above 10 run as a cascade of stages of 3 or 10 (30 = 3 x 10, 100 = 10 x 10,
// 1000 = 10 x 10 x 10) so that each stage's filter cutoff stays far enough from 0 for a
// single-precision IIR filter.
//
// Each stage of factor q: an order-8 Butterworth low-pass (butterworth.h) with its cutoff at
// 0.8 x the new Nyquist frequency, i.e. 0.4 fs / q, then samples 0, q, 2q, ... are kept
// (ceil(n / q) of them). The filter starts in the steady state of a constant input equal to the
// first sample (as scipy's decimate with zi does), implemented by filtering x - x[0] from a zero
// state and adding x[0] back: the Butterworth low-pass has a DC gain of exactly 1, so both are the
// same linear system. This avoids a start-up step that would leak into the spectrum.
#ifndef KILN_DSP_DECIMATE_H_
#define KILN_DSP_DECIMATE_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

const int32_t kDecimationFilterOrder = 8;
// Cutoff as a fraction of the decimated Nyquist frequency.
const float kDecimationCutoffFraction = 0.8f;

bool decimation_ratio_valid(int32_t ratio);
// Samples left after decimating n samples by `ratio` (0 for an invalid ratio).
size_t decimated_length(int32_t ratio, size_t n);
// Decimates n samples in place (the result occupies the first decimated_length(ratio, n)
// entries) and returns the new length; 0 for an invalid ratio (samples untouched).
size_t decimate_in_place(int32_t ratio, float* samples, size_t n);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_DECIMATE_H_
