// Spectral analysis block for motion / vibration signals (multi-axis), FFT analysis.
//
// Input: samples interleaved by axis (x0 y0 z0 x1 y1 z1 ...). Per axis (implementation versions
// 2, 3 and 4, no extra low-frequency features):
//   1. multiply by scale_axes;
//   1b. input_decimation_ratio r > 1: anti-aliasing low-pass and keep every r-th sample
//      (decimate.h); from here on the sampling frequency is fs / r and the signal has
//      decimated_length(r, n) samples;
//   2. optional Butterworth low- or high-pass (butterworth.h; order 0 = no filtering but the bin
//      range below is still cut at the cutoff);
//   3. subtract the mean;
//   4. RMS r = sqrt(mean x^2); skewness mean(x^3) / r^3; kurtosis mean(x^4) / r^4 - 3 (r = 1e-10
//      if it is 0);
//   5. power spectrum with max-hold: segments of fft_length samples starting every fft_length/2
//      samples (do_fft_overlap) or every fft_length, as long as the start is inside the signal;
//      a segment running past the end is zero-padded. P[k] = |X[k]|^2 / fft_length, element-wise
//      maximum over segments;
//   6. version 4 only: skewness and kurtosis (moments.h) of all fft_length/2 + 1 max-hold values;
//   7. the bins kept: low-pass: 1 .. floor(cutoff fft_length / fs + 0.5);
//      high-pass: floor(cutoff fft_length / fs - 0.5) + 1 (at least 1) .. fft_length/2;
//      no filter: 1 .. fft_length/2;
//   8. do_log: values equal to 0 become 1e-10, then log10.
// Output row per axis: [rms, skewness, kurtosis, (v4: spectral skewness, spectral kurtosis),
// kept bins...]; rows are the axes.
#ifndef KILN_DSP_SPECTRAL_ANALYSIS_H_
#define KILN_DSP_SPECTRAL_ANALYSIS_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

enum FilterType { kFilterNone = 0, kFilterLowPass = 1, kFilterHighPass = 2 };

struct SpectralParams {
  float sampling_frequency;  // Hz
  int32_t axes;              // >= 1
  float scale_axes;
  int32_t implementation_version;  // 2, 3 or 4
  int32_t input_decimation_ratio;  // 1, 3, 10, 30, 100 or 1000
  bool extra_low_freq;             // must be false
  int32_t filter_type;             // a FilterType value
  float filter_cutoff;             // Hz
  int32_t filter_order;            // even, 0..16
  int32_t fft_length;              // power of two, 4..65536
  bool do_log;
  bool do_fft_overlap;
  bool exact_log;  // false reproduces the reference's log10 approximation
};

const char* spectral_check(const SpectralParams& params);
// Features per axis (the output has `axes` rows of this many values).
int32_t spectral_num_features(const SpectralParams& params);
// Decimation works in place in the per-axis buffer, so it adds nothing to the workspace.
size_t spectral_workspace_bytes(const SpectralParams& params, size_t samples_per_axis);
// `input` holds samples_per_axis * axes interleaved values; out axes * num_features floats.
Status spectral_compute(const SpectralParams& params, const float* input, size_t samples_per_axis,
                        float* out, size_t out_capacity, void* workspace, size_t workspace_bytes);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_SPECTRAL_ANALYSIS_H_
