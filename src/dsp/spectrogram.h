// Spectrogram block: per frame, the power spectrum in dB mapped to [0, 1] above a noise floor.
//
// Chain per frame (implementation version 3, the reference's latest):
//   1. if any sample of the frame lies outside [-1, 1], the frame is divided by 32768 (the
//      reference's test for int16-scaled audio; it is made per frame);
//   2. power spectrum P[k] = |FFT(frame)[k]|^2 / fft_length, k = 0 .. fft_length/2, of the first
//      min(frame, fft_length) samples (see audio_frontend.h; optional window);
//   3. P == 0 is replaced by 1e-10;
//   4. v = (10 log10(max(P, 1e-30)) - noise_floor_db) / (12 - noise_floor_db), clipped to [0, 1].
// Output: num_frames x (fft_length/2 + 1), row-major.
#ifndef KILN_DSP_SPECTROGRAM_H_
#define KILN_DSP_SPECTROGRAM_H_

#include "dsp/audio_frontend.h"
#include "dsp/audio_stream.h"

namespace kiln {
namespace dsp {

struct SpectrogramParams {
  AudioFrameParams audio;  // implementation_version must be 3
  int32_t noise_floor_db;  // [-200, 0]
};

// Null when the parameters are usable, otherwise a static message.
const char* spectrogram_check(const SpectrogramParams& params);
int32_t spectrogram_num_features(const SpectrogramParams& params);
// 0 when the signal is shorter than one frame.
int32_t spectrogram_num_frames(const SpectrogramParams& params, size_t num_samples);

size_t spectrogram_workspace_bytes(const SpectrogramParams& params);
// out must hold num_frames * num_features floats (out_capacity counts floats).
Status spectrogram_compute(const SpectrogramParams& params, const float* signal, size_t num_samples,
                           float* out, size_t out_capacity, void* workspace,
                           size_t workspace_bytes);

// The constant tables of a spectrogram are those of its power spectrum (FFT twiddles, bit
// reversal, window), built at run time by spectrogram_tables_build or ahead of time by kiln deploy
// with the same function (see mfcc.h).
bool spectrogram_table_sizes(const SpectrogramParams& params, AudioTableSizes* sizes);
size_t spectrogram_tables_bytes(const SpectrogramParams& params);
Status spectrogram_tables_build(PowerSpectrumTables* tables, const SpectrogramParams& params,
                                void* memory, size_t memory_bytes);

struct SpectrogramEngine {
  PowerSpectrum spectrum;
  NoiseFloor floor;
  int32_t frame_samples;
  int32_t num_bins;
};

struct SpectrogramStream {
  SpectrogramEngine engine;
  FrameStream frames;
};

// A stream that builds its own tables in its workspace.
size_t spectrogram_stream_workspace_bytes(const SpectrogramParams& params);
Status spectrogram_stream_init(SpectrogramStream* stream, const SpectrogramParams& params,
                               void* workspace, size_t workspace_bytes);
// A stream over tables built beforehand (they must outlive it); the workspace holds only the
// per-frame buffers. Gives bit-identical rows to spectrogram_stream_init.
size_t spectrogram_stream_buffers_bytes(const SpectrogramParams& params);
Status spectrogram_stream_init_with_tables(SpectrogramStream* stream,
                                           const SpectrogramParams& params,
                                           const PowerSpectrumTables& tables, void* workspace,
                                           size_t workspace_bytes);
size_t spectrogram_stream_frames_for(const SpectrogramStream& stream, size_t num_new);
// Feeds samples; writes each completed frame as a row of out (capacity in frames).
Status spectrogram_stream_feed(SpectrogramStream* stream, const float* samples, size_t count,
                               float* out, size_t max_frames, size_t* frames_written);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_SPECTROGRAM_H_
