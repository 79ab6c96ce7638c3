// MFE block: log mel filterbank energies above a noise floor, quantized to 1/256 steps.
//
// Chain (implementation versions 3 and 4):
//   1. pre-emphasis y[n] = x[n] - 0.98 x[n-1] over the whole signal (fixed coefficients in the
//      reference; y[0] uses the LAST sample of the signal, numpy.roll semantics);
//   2. per frame: if any pre-emphasized sample lies outside [-1, 1] the frame is divided by 32768;
//   3. power spectrum of the first min(frame, fft_length) samples (audio_frontend.h);
//   4. mel filterbank (mel_filterbank.h); low_frequency 0 means 300 Hz for version 3, 0 Hz for
//      version 4; high_frequency 0 means sampling_frequency / 2 (integer halving);
//   5. energies equal to 0 become 1e-10;
//   6. v = (10 log10(max(E, 1e-30)) - noise_floor_db) / (12 - noise_floor_db), then
//      v = round(v * 256) / 256, clipped to [0, 1].
// Output: num_frames x num_filters, row-major.
#ifndef KILN_DSP_MFE_H_
#define KILN_DSP_MFE_H_

#include "dsp/audio_frontend.h"
#include "dsp/audio_stream.h"
#include "dsp/mel_filterbank.h"

namespace kiln {
namespace dsp {

struct MfeParams {
  AudioFrameParams audio;  // implementation_version 3 or 4
  int32_t num_filters;
  float low_frequency;     // Hz
  float high_frequency;    // Hz, 0 = Nyquist
  int32_t noise_floor_db;  // [-200, 0]
};

const char* mfe_check(const MfeParams& params);
int32_t mfe_num_features(const MfeParams& params);
int32_t mfe_num_frames(const MfeParams& params, size_t num_samples);

size_t mfe_workspace_bytes(const MfeParams& params);
Status mfe_compute(const MfeParams& params, const float* signal, size_t num_samples, float* out,
                   size_t out_capacity, void* workspace, size_t workspace_bytes);

// The constant tables of an MFE block (they depend on the parameters only), built at run time by
// mfe_tables_build or ahead of time by kiln deploy with the same function (see mfcc.h).
struct MfeTables {
  PowerSpectrumTables spectrum;  // FFT twiddles, bit reversal, window (null for none)
  MelFilterbank bank;            // edges, weight_start, weights
};

// False for invalid parameters.
bool mfe_table_sizes(const MfeParams& params, AudioTableSizes* sizes);
size_t mfe_tables_bytes(const MfeParams& params);
// Builds the tables in `memory`; `tables` points into it afterwards.
Status mfe_tables_build(MfeTables* tables, const MfeParams& params, void* memory,
                        size_t memory_bytes);

struct MfeEngine {
  PowerSpectrum spectrum;
  MelFilterbank bank;
  NoiseFloor floor;
  int32_t frame_samples;
  float* power;  // fft_length/2 + 1 floats
};

struct MfeStream {
  MfeEngine engine;
  FrameStream frames;
};

// A stream that builds its own tables in its workspace.
size_t mfe_stream_workspace_bytes(const MfeParams& params);
Status mfe_stream_init(MfeStream* stream, const MfeParams& params, void* workspace,
                       size_t workspace_bytes);
// A stream over tables built beforehand (they must outlive it); the workspace holds only the
// per-frame buffers. Gives bit-identical rows to mfe_stream_init.
size_t mfe_stream_buffers_bytes(const MfeParams& params);
Status mfe_stream_init_with_tables(MfeStream* stream, const MfeParams& params,
                                   const MfeTables& tables, void* workspace,
                                   size_t workspace_bytes);
// Raw samples that precede the stream (pre-emphasis history); zero by default.
void mfe_stream_set_history(MfeStream* stream, const float* samples, int32_t count);
size_t mfe_stream_frames_for(const MfeStream& stream, size_t num_new);
Status mfe_stream_feed(MfeStream* stream, const float* samples, size_t count, float* out,
                       size_t max_frames, size_t* frames_written);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_MFE_H_
