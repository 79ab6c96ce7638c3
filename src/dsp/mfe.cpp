#include "dsp/mfe.h"

#include <math.h>
#include <string.h>

namespace kiln {
namespace dsp {

namespace {

const float kInt16Scale = 1.0f / 32768.0f;
// The reference's MFE pre-emphasis is fixed, whatever the block's parameters say.
const Preemphasis kMfePreemphasis = {1, 0.98f};

MelFilterbankSpec bank_spec(const MfeParams& params) {
  return mel_filterbank_spec(params.num_filters, params.audio.fft_length,
                             params.audio.sampling_frequency, params.low_frequency,
                             params.high_frequency, params.audio.implementation_version,
                             params.audio.exact_log);
}

// Carves every table (counting only when the carver has no base) and, with real memory, fills it.
Status tables_layout(MfeTables* t, const MfeParams& params, const FrameLayout& layout,
                     WorkspaceCarver* carver) {
  const Status status = power_spectrum_build_tables(
      &t->spectrum, layout.frame_samples, params.audio.fft_length, params.audio.window, carver);
  if (status != rt::kOk) return status;
  return mel_filterbank_init(&t->bank, bank_spec(params), carver);
}

// The engine over existing tables: carves only the per-frame buffers.
Status engine_attach(MfeEngine* engine, const MfeParams& params, const FrameLayout& layout,
                     const MfeTables& tables, WorkspaceCarver* carver) {
  engine->frame_samples = layout.frame_samples;
  engine->floor = make_noise_floor(params.noise_floor_db, params.audio.exact_log);
  const Status status =
      power_spectrum_attach(&engine->spectrum, layout.frame_samples, params.audio.fft_length,
                            params.audio.window, tables.spectrum, carver);
  if (status != rt::kOk) return status;
  engine->bank = tables.bank;
  engine->power = carve_floats(carver, static_cast<size_t>(params.audio.fft_length / 2 + 1));
  if (carver->base == NULL) return rt::kOk;
  if (carver->overflow) return rt::kBadArgument;
  return tables.bank.num_filters == params.num_filters ? rt::kOk : rt::kBadArgument;
}

Status engine_init(MfeEngine* engine, const MfeParams& params, const FrameLayout& layout,
                   WorkspaceCarver* carver) {
  MfeTables tables;
  const Status status = tables_layout(&tables, params, layout, carver);
  if (status != rt::kOk) return status;
  return engine_attach(engine, params, layout, tables, carver);
}

void mfe_frame(const void* engine_ptr, const float* frame, float* row) {
  const MfeEngine& e = *static_cast<const MfeEngine*>(engine_ptr);
  const float scale = outside_unit_range(frame, e.frame_samples) ? kInt16Scale : 1.0f;
  power_spectrum_compute(e.spectrum, frame, scale, e.power);
  mel_filterbank_apply(e.bank, e.power, row);
  for (int32_t i = 0; i < e.bank.num_filters; ++i) {
    const float energy = row[i] == 0.0f ? 1e-10f : row[i];
    // Quantize to 8 bits (steps of 1/256) and back, as the reference does before clipping.
    const float v = roundf(noise_floor_scaled(energy, e.floor) * 256.0f) / 256.0f;
    row[i] = clamp_unit(v);
  }
}

bool resolve_layout(const MfeParams& params, FrameLayout* layout) {
  return mfe_check(params) == NULL && audio_frame_check(params.audio, layout) == NULL;
}

// With `tables` null the stream builds its own tables in the carver first.
Status stream_layout(MfeStream* stream, const MfeParams& params, const MfeTables* tables,
                     WorkspaceCarver* carver) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return rt::kBadArgument;
  const Status status = tables ? engine_attach(&stream->engine, params, layout, *tables, carver)
                               : engine_init(&stream->engine, params, layout, carver);
  if (status != rt::kOk) return rt::kBadArgument;
  return frame_stream_init(&stream->frames, layout, kMfePreemphasis, carver);
}

}  // namespace

const char* mfe_check(const MfeParams& params) {
  if (params.audio.implementation_version != 3 && params.audio.implementation_version != 4) {
    return "mfe supports implementation_version 3 and 4";
  }
  FrameLayout layout;
  const char* problem = audio_frame_check(params.audio, &layout);
  if (problem) return problem;
  problem = mel_filterbank_check(mel_filterbank_spec(
      params.num_filters, params.audio.fft_length, params.audio.sampling_frequency,
      params.low_frequency, params.high_frequency, params.audio.implementation_version,
      params.audio.exact_log));
  if (problem) return problem;
  if (params.noise_floor_db < -200 || params.noise_floor_db > 0) {
    return "noise_floor_db must be in [-200, 0]";
  }
  return NULL;
}

int32_t mfe_num_features(const MfeParams& params) {
  return params.num_filters;
}

int32_t mfe_num_frames(const MfeParams& params, size_t num_samples) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return 0;
  return frame_count(layout, params.audio.implementation_version, num_samples);
}

size_t mfe_workspace_bytes(const MfeParams& params) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return 0;
  MfeEngine engine;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  engine_init(&engine, params, layout, &carver);
  carve_floats(&carver, static_cast<size_t>(layout.frame_samples));  // pre-emphasized frame
  return carver.used;
}

Status mfe_compute(const MfeParams& params, const float* signal, size_t num_samples, float* out,
                   size_t out_capacity, void* workspace, size_t workspace_bytes) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return rt::kBadArgument;
  const int32_t frames = frame_count(layout, params.audio.implementation_version, num_samples);
  const int32_t features = mfe_num_features(params);
  if (frames < 1) return rt::kBadArgument;
  if (out_capacity < static_cast<size_t>(frames) * static_cast<size_t>(features)) {
    return rt::kBadArgument;
  }
  MfeEngine engine;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (engine_init(&engine, params, layout, &carver) != rt::kOk) return rt::kBadArgument;
  float* frame_buffer = carve_floats(&carver, static_cast<size_t>(layout.frame_samples));
  if (!carver_ok(carver)) return rt::kBadArgument;
  audio_run_batch(layout, frames, kMfePreemphasis, signal, num_samples, frame_buffer, mfe_frame,
                  &engine, out, features);
  return rt::kOk;
}

bool mfe_table_sizes(const MfeParams& params, AudioTableSizes* sizes) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return false;
  power_spectrum_table_sizes(layout.frame_samples, params.audio.fft_length, params.audio.window,
                             sizes);
  sizes->mel_edges = static_cast<size_t>(params.num_filters) + 2u;
  sizes->mel_weight_starts = static_cast<size_t>(params.num_filters) + 1u;
  const int32_t weights = mel_filterbank_weight_count(bank_spec(params));
  sizes->mel_weights = static_cast<size_t>(weights > 0 ? weights : 1);
  return true;
}

size_t mfe_tables_bytes(const MfeParams& params) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return 0;
  MfeTables tables;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (tables_layout(&tables, params, layout, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status mfe_tables_build(MfeTables* tables, const MfeParams& params, void* memory,
                        size_t memory_bytes) {
  FrameLayout layout;
  if (!resolve_layout(params, &layout)) return rt::kBadArgument;
  WorkspaceCarver carver = workspace_carver(memory, memory_bytes);
  if (tables_layout(tables, params, layout, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t mfe_stream_workspace_bytes(const MfeParams& params) {
  MfeStream stream;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (stream_layout(&stream, params, NULL, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status mfe_stream_init(MfeStream* stream, const MfeParams& params, void* workspace,
                       size_t workspace_bytes) {
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (stream_layout(stream, params, NULL, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

size_t mfe_stream_buffers_bytes(const MfeParams& params) {
  MfeStream stream;
  MfeTables none;
  memset(&none, 0, sizeof(none));
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  if (stream_layout(&stream, params, &none, &carver) != rt::kOk) return 0;
  return carver.used;
}

Status mfe_stream_init_with_tables(MfeStream* stream, const MfeParams& params,
                                   const MfeTables& tables, void* workspace,
                                   size_t workspace_bytes) {
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  if (stream_layout(stream, params, &tables, &carver) != rt::kOk) return rt::kBadArgument;
  return carver_ok(carver) ? rt::kOk : rt::kBadArgument;
}

void mfe_stream_set_history(MfeStream* stream, const float* samples, int32_t count) {
  frame_stream_set_history(&stream->frames, samples, count);
}

size_t mfe_stream_frames_for(const MfeStream& stream, size_t num_new) {
  return frame_stream_frames_for(stream.frames, num_new);
}

Status mfe_stream_feed(MfeStream* stream, const float* samples, size_t count, float* out,
                       size_t max_frames, size_t* frames_written) {
  return frame_stream_feed(&stream->frames, samples, count, mfe_frame, &stream->engine, out,
                           stream->engine.bank.num_filters, max_frames, frames_written);
}

}  // namespace dsp
}  // namespace kiln
