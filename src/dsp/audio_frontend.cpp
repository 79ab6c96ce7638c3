#include "dsp/audio_frontend.h"

#include <math.h>
#include <string.h>

#include "dsp/reference_log.h"

namespace kiln {
namespace dsp {

namespace {

const double kTwoPi = 6.283185307179586476925286766559;

void fill_window(int32_t window, int32_t length, float* out) {
  // Periodic windows (denominator L, not L - 1): the usual choice for spectral analysis, where
  // consecutive frames tile the signal.
  const double a0 = window == kWindowHann ? 0.5 : 0.54;
  const double a1 = 1.0 - a0;
  for (int32_t i = 0; i < length; ++i) {
    out[i] = static_cast<float>(a0 - a1 * cos(kTwoPi * i / static_cast<double>(length)));
  }
}

}  // namespace

const char* audio_frame_check(const AudioFrameParams& params, FrameLayout* layout) {
  if (!is_power_of_two(params.fft_length) || params.fft_length < 2 ||
      params.fft_length > kMaxFftLength) {
    return "fft_length must be a power of two between 2 and 65536";
  }
  if (params.window != kWindowNone && params.window != kWindowHann &&
      params.window != kWindowHamming) {
    return "window must be none, hann or hamming";
  }
  return frame_layout(params.sampling_frequency, params.frame_length, params.frame_stride,
                      params.implementation_version, layout);
}

namespace {

bool valid_spectrum(int32_t frame_samples, int32_t fft_length, int32_t window) {
  return is_power_of_two(fft_length) && fft_length >= 2 && fft_length <= kMaxFftLength &&
         frame_samples >= 1 && window >= kWindowNone && window <= kWindowHamming;
}

int32_t used_samples(int32_t frame_samples, int32_t fft_length) {
  return frame_samples < fft_length ? frame_samples : fft_length;
}

}  // namespace

size_t power_spectrum_window_floats(int32_t frame_samples, int32_t fft_length, int32_t window) {
  if (!valid_spectrum(frame_samples, fft_length, window) || window == kWindowNone) return 0;
  return static_cast<size_t>(used_samples(frame_samples, fft_length));
}

void power_spectrum_table_sizes(int32_t frame_samples, int32_t fft_length, int32_t window,
                                AudioTableSizes* sizes) {
  sizes->twiddle_floats = rfft_twiddle_floats(fft_length);
  sizes->bit_reverse_count = rfft_bit_reverse_count(fft_length);
  sizes->window_floats = power_spectrum_window_floats(frame_samples, fft_length, window);
  sizes->mel_edges = 0;
  sizes->mel_weight_starts = 0;
  sizes->mel_weights = 0;
  sizes->dct_floats = 0;
}

Status power_spectrum_build_tables(PowerSpectrumTables* tables, int32_t frame_samples,
                                   int32_t fft_length, int32_t window, WorkspaceCarver* carver) {
  if (!valid_spectrum(frame_samples, fft_length, window)) return rt::kBadArgument;
  float* twiddle = carve_floats(carver, rfft_twiddle_floats(fft_length));
  uint16_t* bit_reverse = static_cast<uint16_t*>(
      carve_bytes(carver, rfft_bit_reverse_count(fft_length) * sizeof(uint16_t)));
  const size_t window_floats = power_spectrum_window_floats(frame_samples, fft_length, window);
  float* window_table = window_floats > 0 ? carve_floats(carver, window_floats) : NULL;
  tables->twiddle = twiddle;
  tables->bit_reverse = bit_reverse;
  tables->window = window_table;
  if (carver->base == NULL) return rt::kOk;  // counting only
  if (carver->overflow) return rt::kBadArgument;
  const Status status = rfft_fill_tables(fft_length, twiddle, bit_reverse);
  if (status != rt::kOk) return status;
  if (window_table) fill_window(window, static_cast<int32_t>(window_floats), window_table);
  return rt::kOk;
}

Status power_spectrum_attach(PowerSpectrum* ps, int32_t frame_samples, int32_t fft_length,
                             int32_t window, const PowerSpectrumTables& tables,
                             WorkspaceCarver* carver) {
  if (!valid_spectrum(frame_samples, fft_length, window)) return rt::kBadArgument;
  ps->used_samples = used_samples(frame_samples, fft_length);
  ps->inv_fft_length = 1.0f / static_cast<float>(fft_length);
  ps->window = window == kWindowNone ? NULL : tables.window;
  float* work = carve_floats(carver, static_cast<size_t>(fft_length));
  ps->scratch = carve_floats(carver, static_cast<size_t>(ps->used_samples));
  if (carver->base == NULL) return rt::kOk;  // counting only
  if (carver->overflow) return rt::kBadArgument;
  if (window != kWindowNone && tables.window == NULL) return rt::kBadArgument;
  return rfft_attach(&ps->fft, fft_length, tables.twiddle, tables.bit_reverse, work);
}

Status power_spectrum_init(PowerSpectrum* ps, int32_t frame_samples, int32_t fft_length,
                           int32_t window, WorkspaceCarver* carver) {
  PowerSpectrumTables tables;
  const Status status =
      power_spectrum_build_tables(&tables, frame_samples, fft_length, window, carver);
  if (status != rt::kOk) return status;
  return power_spectrum_attach(ps, frame_samples, fft_length, window, tables, carver);
}

void power_spectrum_compute(const PowerSpectrum& ps, const float* frame, float scale, float* out) {
  const int32_t n = ps.used_samples;
  const float* input = frame;
  if (scale != 1.0f || ps.window) {
    for (int32_t i = 0; i < n; ++i) ps.scratch[i] = frame[i] * scale;
    if (ps.window) {
      for (int32_t i = 0; i < n; ++i) ps.scratch[i] *= ps.window[i];
    }
    input = ps.scratch;
  }
  // The 1 / fft_length scaling is folded into the power loop (a power of two: exact either way).
  rfft_power_scaled(ps.fft, input, n, ps.inv_fft_length, out);
}

bool outside_unit_range(const float* x, int32_t n) {
  for (int32_t i = 0; i < n; ++i) {
    if (x[i] < -1.0f || x[i] > 1.0f) return true;
  }
  return false;
}

void preemphasis_wrapped(const float* x, size_t n, size_t offset, int32_t count, int32_t shift,
                         float cof, float* y) {
  const size_t lag = static_cast<size_t>(shift);
  for (int32_t i = 0; i < count; ++i) {
    const size_t at = offset + static_cast<size_t>(i);
    const float previous = at >= lag ? x[at - lag] : x[n - lag + at];
    y[i] = x[at] - cof * previous;
  }
}

NoiseFloor make_noise_floor(int32_t noise_floor_db, bool exact_log) {
  NoiseFloor f;
  f.exact_log = exact_log;
  f.offset_db = static_cast<float>(-noise_floor_db);
  f.scale = 1.0f / (static_cast<float>(-noise_floor_db) + 12.0f);
  return f;
}

float noise_floor_scaled(float power, const NoiseFloor& floor) {
  const float p = power < 1e-30f ? 1e-30f : power;
  return (10.0f * log10_of(p, floor.exact_log) + floor.offset_db) * floor.scale;
}

}  // namespace dsp
}  // namespace kiln
