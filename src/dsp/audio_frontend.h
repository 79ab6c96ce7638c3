// The front end shared by the audio blocks (spectrogram, MFE, MFCC): frame parameters,
// pre-emphasis, and the per-frame power spectrum.
//
// Power spectrum of one frame, as the Edge Impulse reference computes it:
//   1. only the first min(frame_samples, fft_length) samples enter the FFT. A frame longer than
//      the FFT is truncated (reference quirk), a shorter one is zero-padded;
//   2. optionally (Kiln extension, off in the reference) those samples are multiplied by a window;
//   3. P[k] = |X[k]|^2 / fft_length for k = 0 .. fft_length/2.
#ifndef KILN_DSP_AUDIO_FRONTEND_H_
#define KILN_DSP_AUDIO_FRONTEND_H_

#include "dsp/dsp_common.h"
#include "dsp/fft.h"
#include "dsp/framing.h"

namespace kiln {
namespace dsp {

struct AudioFrameParams {
  float sampling_frequency;        // Hz
  float frame_length;              // seconds
  float frame_stride;              // seconds
  int32_t fft_length;              // power of two
  int32_t implementation_version;  // reference behaviour to reproduce
  int32_t window;                  // a Window value; kWindowNone reproduces the reference
  bool exact_log;                  // false reproduces the reference's log approximations
};

// Validates the shared parameters and computes the frame layout. Null on success, otherwise a
// static message.
const char* audio_frame_check(const AudioFrameParams& params, FrameLayout* layout);

struct PowerSpectrum {
  RealFft fft;
  int32_t used_samples;  // min(frame_samples, fft_length): samples that enter the FFT
  float inv_fft_length;
  const float* window;  // used_samples coefficients, or null for no window
  float* scratch;       // used_samples floats for the scaled / windowed copy
};

// The constant tables of a power spectrum (they depend on the parameters only): FFT twiddles and
// bit-reversal permutation, and the window coefficients (null for kWindowNone).
struct PowerSpectrumTables {
  const float* twiddle;         // rfft_twiddle_floats(fft_length)
  const uint16_t* bit_reverse;  // rfft_bit_reverse_count(fft_length)
  const float* window;          // power_spectrum_window_floats(...) or null
};

// Element counts of the constant tables of an audio block, for code that stores them elsewhere
// (kiln deploy writes them as const arrays). Zero for a table the block does not have.
struct AudioTableSizes {
  size_t twiddle_floats;
  size_t bit_reverse_count;  // uint16_t entries
  size_t window_floats;      // 0 without a window
  size_t mel_edges;          // int32_t entries
  size_t mel_weight_starts;  // int32_t entries
  size_t mel_weights;
  size_t dct_floats;
};

// Fills the power spectrum's part of `sizes` (twiddles, bit reversal, window) and zeroes the rest.
void power_spectrum_table_sizes(int32_t frame_samples, int32_t fft_length, int32_t window,
                                AudioTableSizes* sizes);

// Window coefficients a spectrum needs: min(frame_samples, fft_length), or 0 for kWindowNone.
size_t power_spectrum_window_floats(int32_t frame_samples, int32_t fft_length, int32_t window);

// Carves the three tables (counting only when the carver has no base) and, with real memory,
// fills them. `tables` then points into the carved memory.
Status power_spectrum_build_tables(PowerSpectrumTables* tables, int32_t frame_samples,
                                   int32_t fft_length, int32_t window, WorkspaceCarver* carver);

// Lays out the per-frame buffers (FFT work, scratch) in the carver and, with real memory, starts
// a spectrum over tables built by power_spectrum_build_tables (now or ahead of time).
Status power_spectrum_attach(PowerSpectrum* ps, int32_t frame_samples, int32_t fft_length,
                             int32_t window, const PowerSpectrumTables& tables,
                             WorkspaceCarver* carver);

// Tables and buffers together: power_spectrum_build_tables then power_spectrum_attach.
Status power_spectrum_init(PowerSpectrum* ps, int32_t frame_samples, int32_t fft_length,
                           int32_t window, WorkspaceCarver* carver);

// Writes fft_length/2 + 1 values P[k] = |FFT(scale * frame)[k]|^2 / fft_length. `scale` is applied
// before the window; 1 leaves the samples untouched.
void power_spectrum_compute(const PowerSpectrum& ps, const float* frame, float scale, float* out);

// True when any of the n samples lies outside [-1, 1]. The reference uses this to decide that a
// frame holds int16-scaled audio and divides it by 32768.
bool outside_unit_range(const float* x, int32_t n);

// Pre-emphasis y[i] = x[i] - cof * x[i - shift] for the `count` samples starting at `offset` of a
// whole signal of n samples. Indices before the start wrap around to the end of the signal, as in
// the reference (numpy.roll semantics).
void preemphasis_wrapped(const float* x, size_t n, size_t offset, int32_t count, int32_t shift,
                         float cof, float* y);

// The reference's spectrogram / MFE normalization: d = 10 log10(max(p, 1e-30)) dB, then
// (d - noise_floor_db) / (12 - noise_floor_db) clipped to [0, 1]: the noise floor maps to 0 and
// +12 dB maps to 1. The constants are prepared once so the per-value work is one log10 and a
// multiply-add.
struct NoiseFloor {
  float offset_db;  // -noise_floor_db
  float scale;      // 1 / (12 - noise_floor_db)
  bool exact_log;
};

NoiseFloor make_noise_floor(int32_t noise_floor_db, bool exact_log);

inline float clamp_unit(float v) {
  return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

// Normalized value before clipping.
float noise_floor_scaled(float power, const NoiseFloor& floor);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_AUDIO_FRONTEND_H_
