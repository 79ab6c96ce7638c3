#include "dsp/spectrogram.h"

namespace kiln {
namespace dsp {

namespace {

const float kInt16Scale = 1.0f / 32768.0f;

// With `tables` null the engine builds its own tables in the carver first.
Status engine_init(SpectrogramEngine* engine, const SpectrogramParams& params,
                   const FrameLayout& layout, const PowerSpectrumTables* tables,
                   WorkspaceCarver* carver) {
  engine->frame_samples = layout.frame_samples;
  engine->num_bins = params.audio.fft_length / 2 + 1;
  engine->floor = make_noise_floor(params.noise_floor_db, params.audio.exact_log);
  if (tables) {
    return power_spectrum_attach(&engine->spectrum, layout.frame_samples, params.audio.fft_length,
                                 params.audio.window, *tables, carver);
  }
  return power_spectrum_init(&engine->spectrum, layout.frame_samples, params.audio.fft_length,
                             params.audio.window, carver);
}

void spectrogram_frame(const void* engine_ptr, const float* frame, float* row) {
  const SpectrogramEngine& e = *static_cast<const SpectrogramEngine*>(engine_ptr);
  // The range test covers the whole frame, even a part the FFT truncates (as the reference).
  const float scale = outside_unit_range(frame, e.frame_samples) ? kInt16Scale : 1.0f;
  power_spectrum_compute(e.spectrum, frame, scale, row);
  for (int32_t k = 0; k < e.num_bins; ++k) {
    const float p = row[k] == 0.0f ? 1e-10f : row[k];
    row[k] = clamp_unit(noise_floor_scaled(p, e.floor));
  }
}

const Preemphasis kNoPreemphasis = {0, 0.0f};

}  // namespace

const char* spectrogram_check(const SpectrogramParams& params) {
  if (params.audio.implementation_version != 3) {
    return "spectrogram supports implementation_version 3 only";
  }
  FrameLayout layout;
  const char* problem = audio_frame_check(params.audio, &layout);
  if (problem) return problem;
  if (params.noise_floor_db < -200 || params.noise_floor_db > 0) {
    return "noise_floor_db must be in [-200, 0]";
  }
  return NULL;
}

int32_t spectrogram_num_features(const SpectrogramParams& params) {
  return params.audio.fft_length / 2 + 1;
}

int32_t spectrogram_num_frames(const SpectrogramParams& params, size_t num_samples) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return 0;
  audio_frame_check(params.audio, &layout);
  return frame_count(layout, params.audio.implementation_version, num_samples);
}

size_t spectrogram_workspace_bytes(const SpectrogramParams& params) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return 0;
  audio_frame_check(params.audio, &layout);
  SpectrogramEngine engine;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  engine_init(&engine, params, layout, NULL, &carver);
  return carver.used;
}

Status spectrogram_compute(const SpectrogramParams& params, const float* signal, size_t num_samples,
                           float* out, size_t out_capacity, void* workspace,
                           size_t workspace_bytes) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return rt::kBadArgument;
  audio_frame_check(params.audio, &layout);
  const int32_t frames = frame_count(layout, params.audio.implementation_version, num_samples);
  const int32_t features = spectrogram_num_features(params);
  if (frames < 1) return rt::kBadArgument;
  if (out_capacity < static_cast<size_t>(frames) * static_cast<size_t>(features)) {
    return rt::kBadArgument;
  }
  SpectrogramEngine engine;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (engine_init(&engine, params, layout, NULL, &carver) != rt::kOk || !carver_ok(carver)) {
    return rt::kBadArgument;
  }
  audio_run_batch(layout, frames, kNoPreemphasis, signal, num_samples, NULL, spectrogram_frame,
                  &engine, out, features);
  return rt::kOk;
}

namespace {

Status stream_layout(SpectrogramStream* stream, const SpectrogramParams& params,
                     const PowerSpectrumTables* tables, WorkspaceCarver* carver) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return rt::kBadArgument;
  audio_frame_check(params.audio, &layout);
  if (engine_init(&stream->engine, params, layout, tables, carver) != rt::kOk) {
    return rt::kBadArgument;
  }
  return frame_stream_init(&stream->frames, layout, kNoPreemphasis, carver);
}

}  // namespace

bool spectrogram_table_sizes(const SpectrogramParams& params, AudioTableSizes* sizes) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return false;
  audio_frame_check(params.audio, &layout);
  power_spectrum_table_sizes(layout.frame_samples, params.audio.fft_length, params.audio.window,
                             sizes);
  return true;
}

size_t spectrogram_tables_bytes(const SpectrogramParams& params) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return 0;
  audio_frame_check(params.audio, &layout);
  PowerSpectrumTables tables;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (power_spectrum_build_tables(&tables, layout.frame_samples, params.audio.fft_length,
                                  params.audio.window, &carver) != rt::kOk) {
    return 0;
  }
  return carver.used;
}

Status spectrogram_tables_build(PowerSpectrumTables* tables, const SpectrogramParams& params,
                                void* memory, size_t memory_bytes) {
  FrameLayout layout;
  if (spectrogram_check(params) != NULL) return rt::kBadArgument;
  audio_frame_check(params.audio, &layout);
  WorkspaceCarver carver = workspace_carver(memory, memory_bytes);
  if (power_spectrum_build_tables(tables, layout.frame_samples, params.audio.fft_length,
                                  params.audio.window, &carver) != rt::kOk) {
    return rt::kBadArgument;
  }
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t spectrogram_stream_workspace_bytes(const SpectrogramParams& params) {
  SpectrogramStream stream;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (stream_layout(&stream, params, NULL, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status spectrogram_stream_init(SpectrogramStream* stream, const SpectrogramParams& params,
                               void* workspace, size_t workspace_bytes) {
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (stream_layout(stream, params, NULL, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t spectrogram_stream_buffers_bytes(const SpectrogramParams& params) {
  SpectrogramStream stream;
  PowerSpectrumTables none = {NULL, NULL, NULL};
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (stream_layout(&stream, params, &none, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status spectrogram_stream_init_with_tables(SpectrogramStream* stream,
                                           const SpectrogramParams& params,
                                           const PowerSpectrumTables& tables, void* workspace,
                                           size_t workspace_bytes) {
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (stream_layout(stream, params, &tables, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t spectrogram_stream_frames_for(const SpectrogramStream& stream, size_t num_new) {
  return frame_stream_frames_for(stream.frames, num_new);
}

Status spectrogram_stream_feed(SpectrogramStream* stream, const float* samples, size_t count,
                               float* out, size_t max_frames, size_t* frames_written) {
  return frame_stream_feed(&stream->frames, samples, count, spectrogram_frame, &stream->engine, out,
                           stream->engine.num_bins, max_frames, frames_written);
}

}  // namespace dsp
}  // namespace kiln
