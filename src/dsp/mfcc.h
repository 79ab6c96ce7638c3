// MFCC block: mel-frequency cepstral coefficients with cepstral mean/variance normalization.
//
// Chain (implementation versions 1 to 4):
//   1. pre-emphasis y[n] = x[n] - pre_cof x[n - pre_shift] over the whole signal; the first
//      pre_shift samples use the END of the signal (reference quirk, numpy.roll semantics);
//   2. per frame: power spectrum P of the first min(frame, fft_length) samples (no rescaling);
//   3. frame energy e = sum_k P[k] (1e-10 if 0);
//   4. mel filterbank energies (mel_filterbank.h); low_frequency 0 means 300 Hz before
//      version 4; high_frequency 0 means sampling_frequency / 2; zeros become 1e-10;
//   5. natural log, orthonormal DCT-II over the num_filters log energies, first num_cepstral
//      kept, coefficient 0 replaced by log(e);
//   6. over the whole window of frames: CMVN with variance normalization (cmvn.h, win_size).
// Steps 1-5 are per frame (the streaming form emits them); step 6 needs the window.
// Output: num_frames x num_cepstral, row-major.
#ifndef KILN_DSP_MFCC_H_
#define KILN_DSP_MFCC_H_

#include "dsp/audio_frontend.h"
#include "dsp/audio_stream.h"
#include "dsp/mel_filterbank.h"

namespace kiln {
namespace dsp {

struct MfccParams {
  AudioFrameParams audio;  // implementation_version 1..4
  int32_t num_filters;
  int32_t num_cepstral;  // 1 .. num_filters
  float low_frequency;   // Hz
  float high_frequency;  // Hz, 0 = Nyquist
  float pre_cof;         // [0, 1]
  int32_t pre_shift;     // 1 .. frame samples
  int32_t win_size;      // CMVN window in frames, odd, or 0 = no normalization
};

const char* mfcc_check(const MfccParams& params);
int32_t mfcc_num_features(const MfccParams& params);
int32_t mfcc_num_frames(const MfccParams& params, size_t num_samples);

// Batch workspace; depends on the signal length because CMVN works on the whole window.
size_t mfcc_workspace_bytes(const MfccParams& params, size_t num_samples);
// Steps 1-6.
Status mfcc_compute(const MfccParams& params, const float* signal, size_t num_samples, float* out,
                    size_t out_capacity, void* workspace, size_t workspace_bytes);
// Steps 1-5 only (the per-frame cepstra, before CMVN). Same workspace.
Status mfcc_compute_cepstra(const MfccParams& params, const float* signal, size_t num_samples,
                            float* out, size_t out_capacity, void* workspace,
                            size_t workspace_bytes);
// Step 6 on num_frames rows of cepstra, in place.
size_t mfcc_normalize_workspace_bytes(const MfccParams& params, int32_t num_frames);
Status mfcc_normalize(const MfccParams& params, float* cepstra, int32_t num_frames, void* workspace,
                      size_t workspace_bytes);

// The constant tables of an MFCC block: they depend on the parameters only. The host builds them
// at run time (mfcc_tables_build); kiln deploy builds them with the same function and writes them
// as const arrays (flash), so the device starts a stream without computing anything.
struct MfccTables {
  PowerSpectrumTables spectrum;  // FFT twiddles, bit reversal, window (null for none)
  MelFilterbank bank;            // edges, weight_start, weights
  const float* dct;              // num_cepstral x num_filters orthonormal DCT-II rows
};

// False for invalid parameters.
bool mfcc_table_sizes(const MfccParams& params, AudioTableSizes* sizes);
size_t mfcc_tables_bytes(const MfccParams& params);
// Builds the tables in `memory`; `tables` points into it afterwards.
Status mfcc_tables_build(MfccTables* tables, const MfccParams& params, void* memory,
                         size_t memory_bytes);

struct MfccEngine {
  PowerSpectrum spectrum;
  MelFilterbank bank;
  int32_t num_bins;
  int32_t num_cepstral;
  bool exact_log;
  const float* dct;  // num_cepstral x num_filters orthonormal DCT-II rows
  float* power;      // num_bins floats
  float* mel;        // num_filters floats
};

struct MfccStream {
  MfccEngine engine;
  FrameStream frames;
};

// A stream that builds its own tables in its workspace.
size_t mfcc_stream_workspace_bytes(const MfccParams& params);
Status mfcc_stream_init(MfccStream* stream, const MfccParams& params, void* workspace,
                        size_t workspace_bytes);
// A stream over tables built beforehand (they must outlive it); the workspace holds only the
// per-frame buffers. Gives bit-identical rows to mfcc_stream_init.
size_t mfcc_stream_buffers_bytes(const MfccParams& params);
Status mfcc_stream_init_with_tables(MfccStream* stream, const MfccParams& params,
                                    const MfccTables& tables, void* workspace,
                                    size_t workspace_bytes);
void mfcc_stream_set_history(MfccStream* stream, const float* samples, int32_t count);
size_t mfcc_stream_frames_for(const MfccStream& stream, size_t num_new);
// Emits per-frame cepstra (steps 1-5); apply mfcc_normalize() to a window of them.
Status mfcc_stream_feed(MfccStream* stream, const float* samples, size_t count, float* out,
                        size_t max_frames, size_t* frames_written);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_MFCC_H_
