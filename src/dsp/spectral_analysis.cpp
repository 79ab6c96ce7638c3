#include "dsp/spectral_analysis.h"

#include <math.h>

#include "dsp/butterworth.h"
#include "dsp/decimate.h"
#include "dsp/fft.h"
#include "dsp/moments.h"
#include "dsp/reference_log.h"

namespace kiln {
namespace dsp {

namespace {

// The sampling frequency seen by everything after decimation (filter, kept bins).
float effective_frequency(const SpectralParams& params) {
  return params.sampling_frequency / static_cast<float>(params.input_decimation_ratio);
}

// Decimation runs in place in the axis buffer, so the layout needs no extra space for it.
struct Layout {
  float* axis;      // samples_per_axis floats
  float* power;     // bins floats
  float* max_hold;  // bins floats
  void* fft_memory;
  size_t fft_bytes;
};

void layout(const SpectralParams& params, size_t samples_per_axis, WorkspaceCarver* carver,
            Layout* out) {
  const size_t bins = static_cast<size_t>(params.fft_length / 2 + 1);
  out->fft_bytes = rfft_workspace_bytes(params.fft_length);
  out->fft_memory = carve_bytes(carver, out->fft_bytes);
  out->axis = carve_floats(carver, samples_per_axis);
  out->power = carve_floats(carver, bins);
  out->max_hold = carve_floats(carver, bins);
}

// Range [first, end) of FFT bins kept as features.
void kept_bins(const SpectralParams& params, int32_t* first, int32_t* end) {
  const int32_t half = params.fft_length / 2;
  if (params.filter_type == kFilterNone) {
    *first = 1;
    *end = half + 1;
    return;
  }
  const float bin =
      params.filter_cutoff * static_cast<float>(params.fft_length) / effective_frequency(params);
  if (params.filter_type == kFilterLowPass) {
    *first = 1;
    *end = static_cast<int32_t>(bin + 0.5f) + 1;
  } else {
    const float below = bin - 0.5f;
    *first = below < 0.0f ? 1 : static_cast<int32_t>(below) + 1;
    if (*first == 0) *first = 1;
    *end = half + 1;
  }
  if (*end > half + 1) *end = half + 1;
  if (*first > *end) *first = *end;
}

// Element-wise maximum of segment power spectra (Welch-style segmentation, no averaging).
void max_hold_spectrum(const RealFft& fft, const float* x, size_t n, bool overlap, float* power,
                       float* max_hold) {
  const size_t length = static_cast<size_t>(fft.n);
  const size_t hop = overlap ? length / 2 : length;
  const int32_t bins = fft.n / 2 + 1;
  const float inv_length = 1.0f / static_cast<float>(fft.n);
  for (int32_t k = 0; k < bins; ++k) max_hold[k] = 0.0f;
  for (size_t start = 0; start < n; start += hop) {
    const size_t count = n - start < length ? n - start : length;
    rfft_power(fft, x + start, static_cast<int32_t>(count), power);
    for (int32_t k = 0; k < bins; ++k) {
      const float p = power[k] * inv_length;
      if (p > max_hold[k]) max_hold[k] = p;
    }
  }
}

}  // namespace

const char* spectral_check(const SpectralParams& params) {
  const int32_t v = params.implementation_version;
  if (v < 2 || v > 4) return "spectral analysis supports implementation_version 2 to 4";
  if (!(params.sampling_frequency > 0.0f)) return "sampling frequency must be positive";
  if (params.axes < 1 || params.axes > 1024) return "axes must be in [1, 1024]";
  if (!decimation_ratio_valid(params.input_decimation_ratio)) {
    return "input_decimation_ratio must be 1, 3, 10, 30, 100 or 1000";
  }
  if (params.extra_low_freq) return "extra_low_freq is not supported";
  if (!is_power_of_two(params.fft_length) || params.fft_length < 4 ||
      params.fft_length > kMaxFftLength) {
    return "fft_length must be a power of two between 4 and 65536";
  }
  if (params.filter_type != kFilterNone) {
    if (params.filter_type != kFilterLowPass && params.filter_type != kFilterHighPass) {
      return "filter_type must be none, low or high";
    }
    const float fs = effective_frequency(params);
    if (!(params.filter_cutoff > 0.0f && params.filter_cutoff < fs / 2.0f)) {
      return "filter_cutoff must be between 0 and half the (decimated) sampling frequency";
    }
    if (params.filter_order != 0) {
      Butterworth filter;
      const char* problem = butterworth_design(&filter, params.filter_type == kFilterHighPass,
                                               params.filter_order, fs, params.filter_cutoff);
      if (problem) return problem;
    }
    int32_t first, end;
    kept_bins(params, &first, &end);
    if (end <= first) return "filter_cutoff keeps no FFT bin (raise it or the fft_length)";
  }
  return NULL;
}

int32_t spectral_num_features(const SpectralParams& params) {
  if (spectral_check(params) != NULL) return 0;
  int32_t first, end;
  kept_bins(params, &first, &end);
  return 3 + (params.implementation_version == 4 ? 2 : 0) + (end - first);
}

size_t spectral_workspace_bytes(const SpectralParams& params, size_t samples_per_axis) {
  if (spectral_check(params) != NULL || samples_per_axis == 0) return 0;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  Layout l;
  layout(params, samples_per_axis, &carver, &l);
  return carver.used;
}

Status spectral_compute(const SpectralParams& params, const float* input, size_t samples_per_axis,
                        float* out, size_t out_capacity, void* workspace, size_t workspace_bytes) {
  if (spectral_check(params) != NULL || samples_per_axis == 0) return rt::kBadArgument;
  const int32_t features = spectral_num_features(params);
  const size_t axes = static_cast<size_t>(params.axes);
  if (out_capacity < axes * static_cast<size_t>(features)) return rt::kBadArgument;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  Layout l;
  layout(params, samples_per_axis, &carver, &l);
  if (!carver_ok(carver)) return rt::kBadArgument;
  RealFft fft;
  if (rfft_init(&fft, params.fft_length, l.fft_memory, l.fft_bytes) != rt::kOk) {
    return rt::kBadArgument;
  }
  Butterworth filter;
  const bool filtering = params.filter_type != kFilterNone && params.filter_order > 0;
  if (filtering) {
    butterworth_design(&filter, params.filter_type == kFilterHighPass, params.filter_order,
                       effective_frequency(params), params.filter_cutoff);
  }
  int32_t first_bin, end_bin;
  kept_bins(params, &first_bin, &end_bin);
  const bool decimating = params.input_decimation_ratio > 1;
  // Samples per axis from here on (after decimation).
  const size_t n = decimated_length(params.input_decimation_ratio, samples_per_axis);
  const float count = static_cast<float>(n);

  for (size_t axis = 0; axis < axes; ++axis) {
    float* x = l.axis;
    for (size_t i = 0; i < samples_per_axis; ++i) x[i] = input[i * axes + axis];
    if (params.scale_axes != 1.0f) {
      for (size_t i = 0; i < samples_per_axis; ++i) x[i] *= params.scale_axes;
    }
    if (decimating) decimate_in_place(params.input_decimation_ratio, x, samples_per_axis);
    if (filtering) butterworth_apply(filter, x, n);
    const float mean = moment_mean(x, n, 1);
    for (size_t i = 0; i < n; ++i) x[i] -= mean;

    float* row = out + axis * static_cast<size_t>(features);
    // With the mean removed, the standard deviation is the RMS, and the central moments are plain
    // means of powers.
    const float rms = moment_rms(x, n, 1);
    const float sd = rms == 0.0f ? 1e-10f : rms;
    float cubes = 0.0f, fourths = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      const float cube = x[i] * x[i] * x[i];
      cubes += cube;
      fourths += cube * x[i];
    }
    const float sd3 = sd * sd * sd;
    int32_t at = 0;
    row[at++] = rms;
    row[at++] = (cubes / count) / sd3;
    row[at++] = (fourths / count) / (sd3 * sd) - 3.0f;

    max_hold_spectrum(fft, x, n, params.do_fft_overlap, l.power, l.max_hold);
    if (params.implementation_version == 4) {
      const size_t bins = static_cast<size_t>(params.fft_length / 2 + 1);
      row[at++] = moment_skewness(l.max_hold, bins, 1);
      row[at++] = moment_kurtosis(l.max_hold, bins, 1);
    }
    for (int32_t k = first_bin; k < end_bin; ++k) {
      float v = l.max_hold[k];
      if (params.do_log) v = log10_of(v == 0.0f ? 1e-10f : v, params.exact_log);
      row[at++] = v;
    }
  }
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
