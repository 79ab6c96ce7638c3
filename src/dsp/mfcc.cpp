#include "dsp/mfcc.h"

#include <math.h>
#include <string.h>

#include "dsp/cmvn.h"
#include "dsp/reference_log.h"

namespace kiln {
namespace dsp {

namespace {

const double kPi = 3.14159265358979323846264338327950288;

Preemphasis preemphasis_of(const MfccParams& params) {
  Preemphasis pre;
  pre.shift = params.pre_shift;
  pre.cof = params.pre_cof;
  return pre;
}

MelFilterbankSpec bank_spec(const MfccParams& params) {
  return mel_filterbank_spec(params.num_filters, params.audio.fft_length,
                             params.audio.sampling_frequency, params.low_frequency,
                             params.high_frequency, params.audio.implementation_version,
                             params.audio.exact_log);
}

// Carves every table (counting only when the carver has no base) and, with real memory, fills it.
Status tables_layout(MfccTables* t, const MfccParams& params, const FrameLayout& layout,
                     WorkspaceCarver* carver) {
  const int32_t nf = params.num_filters;
  Status status = power_spectrum_build_tables(&t->spectrum, layout.frame_samples,
                                              params.audio.fft_length, params.audio.window, carver);
  if (status != rt::kOk) return status;
  status = mel_filterbank_init(&t->bank, bank_spec(params), carver);
  if (status != rt::kOk) return status;
  float* dct = carve_floats(carver, static_cast<size_t>(params.num_cepstral) * nf);
  t->dct = dct;
  if (carver->base == NULL) return rt::kOk;
  if (carver->overflow) return rt::kBadArgument;
  // Orthonormal DCT-II: c_k(n) = s_k cos(pi k (2n + 1) / (2 N)), s_0 = sqrt(1/N), s_k = sqrt(2/N).
  for (int32_t k = 0; k < params.num_cepstral; ++k) {
    const double s = k == 0 ? sqrt(1.0 / nf) : sqrt(2.0 / nf);
    for (int32_t n = 0; n < nf; ++n) {
      dct[k * nf + n] = static_cast<float>(s * cos(kPi * k * (2.0 * n + 1.0) / (2.0 * nf)));
    }
  }
  return rt::kOk;
}

// The engine over existing tables: carves only the per-frame buffers.
Status engine_attach(MfccEngine* engine, const MfccParams& params, const FrameLayout& layout,
                     const MfccTables& tables, WorkspaceCarver* carver) {
  engine->num_bins = params.audio.fft_length / 2 + 1;
  engine->num_cepstral = params.num_cepstral;
  engine->exact_log = params.audio.exact_log;
  const Status status =
      power_spectrum_attach(&engine->spectrum, layout.frame_samples, params.audio.fft_length,
                            params.audio.window, tables.spectrum, carver);
  if (status != rt::kOk) return status;
  engine->bank = tables.bank;
  engine->dct = tables.dct;
  engine->power = carve_floats(carver, static_cast<size_t>(engine->num_bins));
  engine->mel = carve_floats(carver, static_cast<size_t>(params.num_filters));
  if (carver->base == NULL) return rt::kOk;
  if (carver->overflow) return rt::kBadArgument;
  if (tables.bank.num_filters != params.num_filters || tables.dct == NULL) return rt::kBadArgument;
  return rt::kOk;
}

Status engine_init(MfccEngine* engine, const MfccParams& params, const FrameLayout& layout,
                   WorkspaceCarver* carver) {
  MfccTables tables;
  const Status status = tables_layout(&tables, params, layout, carver);
  if (status != rt::kOk) return status;
  return engine_attach(engine, params, layout, tables, carver);
}

void mfcc_frame(const void* engine_ptr, const float* frame, float* row) {
  const MfccEngine& e = *static_cast<const MfccEngine*>(engine_ptr);
  power_spectrum_compute(e.spectrum, frame, 1.0f, e.power);
  float energy = 0.0f;
  for (int32_t k = 0; k < e.num_bins; ++k) energy += e.power[k];
  if (energy == 0.0f) energy = 1e-10f;
  const int32_t nf = e.bank.num_filters;
  mel_filterbank_apply(e.bank, e.power, e.mel);
  for (int32_t i = 0; i < nf; ++i) {
    e.mel[i] = natural_log(e.mel[i] == 0.0f ? 1e-10f : e.mel[i], e.exact_log);
  }
  // Coefficient 0 (the DC of the log spectrum) is replaced by the log frame energy.
  row[0] = natural_log(energy, e.exact_log);
  for (int32_t k = 1; k < e.num_cepstral; ++k) {
    const float* basis = e.dct + k * nf;
    const float* mel = e.mel;
    float sum = 0.0f;
    // Unrolled by hand (the compiler does not at -O2); the additions stay in index order.
    int32_t n = 0;
    for (; n + 4 <= nf; n += 4) {
      sum += basis[n] * mel[n];
      sum += basis[n + 1] * mel[n + 1];
      sum += basis[n + 2] * mel[n + 2];
      sum += basis[n + 3] * mel[n + 3];
    }
    for (; n < nf; ++n) sum += basis[n] * mel[n];
    row[k] = sum;
  }
}

bool resolve_layout(const MfccParams& params, FrameLayout* layout) {
  return mfcc_check(params) == NULL && audio_frame_check(params.audio, layout) == NULL;
}

// With `tables` null the stream builds its own tables in the carver first.
Status stream_layout(MfccStream* stream, const MfccParams& params, const MfccTables* tables,
                     WorkspaceCarver* carver) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return rt::kBadArgument;
  const Status status = tables ? engine_attach(&stream->engine, params, layout, *tables, carver)
                               : engine_init(&stream->engine, params, layout, carver);
  if (status != rt::kOk) return rt::kBadArgument;
  if (frame_stream_init(&stream->frames, layout, preemphasis_of(params), carver) != rt::kOk) {
    return rt::kBadArgument;
  }
  // Only the first used_samples of a frame enter the FFT.
  frame_stream_limit(&stream->frames, stream->engine.spectrum.used_samples);
  return rt::kOk;
}

// Batch layout: engine, pre-emphasized frame, CMVN scratch.
Status batch_layout(MfccEngine* engine, float** frame_buffer, void** cmvn_memory,
                    size_t* cmvn_bytes, const MfccParams& params, const FrameLayout& layout,
                    int32_t frames, WorkspaceCarver* carver) {
  if (engine_init(engine, params, layout, carver) != rt::kOk) return rt::kBadArgument;
  *frame_buffer = carve_floats(carver, static_cast<size_t>(layout.frame_samples));
  *cmvn_bytes = cmvn_workspace_bytes(frames, params.num_cepstral, params.win_size);
  *cmvn_memory = carve_bytes(carver, *cmvn_bytes);
  return carver->overflow ? rt::kBadArgument : rt::kOk;
}

Status compute(const MfccParams& params, const float* signal, size_t num_samples, float* out,
               size_t out_capacity, void* workspace, size_t workspace_bytes, bool normalize) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return rt::kBadArgument;
  const int32_t frames = frame_count(layout, params.audio.implementation_version, num_samples);
  if (frames < 1) return rt::kBadArgument;
  if (out_capacity < static_cast<size_t>(frames) * static_cast<size_t>(params.num_cepstral)) {
    return rt::kBadArgument;
  }
  MfccEngine engine;
  float* frame_buffer;
  void* cmvn_memory;
  size_t cmvn_bytes;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (batch_layout(&engine, &frame_buffer, &cmvn_memory, &cmvn_bytes, params, layout, frames,
                   &carver) != rt::kOk ||
      !carver_ok(carver)) {
    return rt::kBadArgument;
  }
  audio_run_batch(layout, frames, preemphasis_of(params), signal, num_samples, frame_buffer,
                  mfcc_frame, &engine, out, params.num_cepstral);
  if (!normalize) return rt::kOk;
  return cmvn_apply(out, frames, params.num_cepstral, params.win_size, true, cmvn_memory,
                    cmvn_bytes);
}

}  // namespace

const char* mfcc_check(const MfccParams& params) {
  const int32_t version = params.audio.implementation_version;
  if (version < 1 || version > 4) return "mfcc supports implementation_version 1 to 4";
  FrameLayout layout;
  const char* problem = audio_frame_check(params.audio, &layout);
  if (problem) return problem;
  problem = mel_filterbank_check(mel_filterbank_spec(
      params.num_filters, params.audio.fft_length, params.audio.sampling_frequency,
      params.low_frequency, params.high_frequency, params.audio.implementation_version,
      params.audio.exact_log));
  if (problem) return problem;
  if (params.num_cepstral < 1 || params.num_cepstral > params.num_filters) {
    return "num_cepstral must be in [1, num_filters]";
  }
  if (!(params.pre_cof >= 0.0f && params.pre_cof <= 1.0f)) return "pre_cof must be in [0, 1]";
  if (params.pre_shift < 1 || params.pre_shift > layout.frame_samples) {
    return "pre_shift must be in [1, samples per frame]";
  }
  return cmvn_check(params.win_size);
}

int32_t mfcc_num_features(const MfccParams& params) {
  return params.num_cepstral;
}

int32_t mfcc_num_frames(const MfccParams& params, size_t num_samples) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return 0;
  return frame_count(layout, params.audio.implementation_version, num_samples);
}

size_t mfcc_workspace_bytes(const MfccParams& params, size_t num_samples) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return 0;
  const int32_t frames = frame_count(layout, params.audio.implementation_version, num_samples);
  if (frames < 1) return 0;
  MfccEngine engine;
  float* frame_buffer;
  void* cmvn_memory;
  size_t cmvn_bytes;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  batch_layout(&engine, &frame_buffer, &cmvn_memory, &cmvn_bytes, params, layout, frames, &carver);
  return carver.used;
}

Status mfcc_compute(const MfccParams& params, const float* signal, size_t num_samples, float* out,
                    size_t out_capacity, void* workspace, size_t workspace_bytes) {
  return compute(params, signal, num_samples, out, out_capacity, workspace, workspace_bytes, true);
}

Status mfcc_compute_cepstra(const MfccParams& params, const float* signal, size_t num_samples,
                            float* out, size_t out_capacity, void* workspace,
                            size_t workspace_bytes) {
  return compute(params, signal, num_samples, out, out_capacity, workspace, workspace_bytes, false);
}

size_t mfcc_normalize_workspace_bytes(const MfccParams& params, int32_t num_frames) {
  return cmvn_workspace_bytes(num_frames, params.num_cepstral, params.win_size);
}

Status mfcc_normalize(const MfccParams& params, float* cepstra, int32_t num_frames, void* workspace,
                      size_t workspace_bytes) {
  if (mfcc_check(params) != NULL) return rt::kBadArgument;
  return cmvn_apply(cepstra, num_frames, params.num_cepstral, params.win_size, true, workspace,
                    workspace_bytes);
}

bool mfcc_table_sizes(const MfccParams& params, AudioTableSizes* sizes) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return false;
  power_spectrum_table_sizes(layout.frame_samples, params.audio.fft_length, params.audio.window,
                             sizes);
  sizes->mel_edges = static_cast<size_t>(params.num_filters) + 2u;
  sizes->mel_weight_starts = static_cast<size_t>(params.num_filters) + 1u;
  const int32_t weights = mel_filterbank_weight_count(bank_spec(params));
  sizes->mel_weights = static_cast<size_t>(weights > 0 ? weights : 1);
  sizes->dct_floats = static_cast<size_t>(params.num_cepstral) * params.num_filters;
  return true;
}

size_t mfcc_tables_bytes(const MfccParams& params) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return 0;
  MfccTables tables;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (tables_layout(&tables, params, layout, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status mfcc_tables_build(MfccTables* tables, const MfccParams& params, void* memory,
                         size_t memory_bytes) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return rt::kBadArgument;
  WorkspaceCarver carver = workspace_carver(memory, memory_bytes);
  if (tables_layout(tables, params, layout, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t mfcc_stream_workspace_bytes(const MfccParams& params) {
  MfccStream stream;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (stream_layout(&stream, params, NULL, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status mfcc_stream_init(MfccStream* stream, const MfccParams& params, void* workspace,
                        size_t workspace_bytes) {
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (stream_layout(stream, params, NULL, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t mfcc_stream_buffers_bytes(const MfccParams& params) {
  MfccStream stream;
  MfccTables none;
  memset(&none, 0, sizeof(none));
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (stream_layout(&stream, params, &none, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status mfcc_stream_init_with_tables(MfccStream* stream, const MfccParams& params,
                                    const MfccTables& tables, void* workspace,
                                    size_t workspace_bytes) {
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (stream_layout(stream, params, &tables, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

void mfcc_stream_set_history(MfccStream* stream, const float* samples, int32_t count) {
  frame_stream_set_history(&stream->frames, samples, count);
}

size_t mfcc_stream_frames_for(const MfccStream& stream, size_t num_new) {
  return frame_stream_frames_for(stream.frames, num_new);
}

Status mfcc_stream_feed(MfccStream* stream, const float* samples, size_t count, float* out,
                        size_t max_frames, size_t* frames_written) {
  return frame_stream_feed(&stream->frames, samples, count, mfcc_frame, &stream->engine, out,
                           stream->engine.num_cepstral, max_frames, frames_written);
}

}  // namespace dsp
}  // namespace kiln
