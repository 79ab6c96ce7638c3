#include "deploy/dsp_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "compiler/c_literals.h"
#include "core/error.h"
#include "dsp/audio_frontend.h"

namespace kiln::deploy {

namespace {

using compiler::float_literal;

// Largest chunk read from a signal at once: small enough for a stack-free static buffer, and never
// above the frame stride so that one feed completes at most one frame.
constexpr int32_t kMaxChunkSamples = 256;

int64_t round_div(int64_t a, int64_t b) {
  return (a + b / 2) / b;
}

void plan_stream(DspPlan* plan, const dsp::AudioFrameParams& audio, int32_t row_values,
                 int64_t stream_workspace, int32_t shift, int slices) {
  dsp::FrameLayout layout{};
  if (dsp::audio_frame_check(audio, &layout) != nullptr) {
    throw Error("deploy: the DSP block's frame parameters are invalid");
  }
  plan->streaming = true;
  plan->frame_samples = layout.frame_samples;
  plan->stride_samples = layout.stride_samples;
  plan->preemphasis_shift = shift;
  plan->row_values = row_values;
  plan->window_rows = dsp::frame_count(layout, audio.implementation_version,
                                       static_cast<size_t>(plan->window_frames));
  plan->stream_rows = static_cast<int32_t>(
      (plan->window_frames - layout.frame_samples) / layout.stride_samples + 1);
  plan->chunk_samples = std::min(layout.stride_samples, kMaxChunkSamples);
  plan->stream_workspace_bytes = stream_workspace;
  if (shift > layout.stride_samples) {
    throw Error(fmt::format(
        "deploy: pre-emphasis shift {} is longer than the frame stride {}: not supported", shift,
        layout.stride_samples));
  }
  // Continuous windows end every slice; reusing frames needs the frame grid of every window to be
  // the same grid, so a slice is a whole number of strides.
  const int64_t stride = layout.stride_samples;
  plan->slice_frames =
      std::max<int64_t>(stride, round_div(plan->window_frames, slices * stride) * stride);
  plan->grid_offset = (stride - plan->window_frames % stride) % stride;
  plan->pending_first_frames =
      static_cast<int32_t>((plan->window_frames + plan->slice_frames - 1) / plan->slice_frames);
}

}  // namespace

DspPlan plan_dsp(const pipeline::TrainedPipeline& p, int slices) {
  if (p.sensor == "image") {
    throw Error("deploy: image pipelines are not supported yet (time series and audio only)");
  }
  if (slices < 1) throw Error("deploy: --slices must be at least 1");
  DspPlan plan;
  plan.window_frames = p.window_frames;
  plan.axes = p.axes;
  plan.feature_count = p.feature_count();
  plan.feature_channels = static_cast<int32_t>(p.feature_shape.back());
  plan.resolved = data::resolve_block(p.dsp_block, p.dsp_params, p.sample_rate_hz, p.axes,
                                      static_cast<size_t>(p.window_frames));
  plan.slice_frames = std::max<int64_t>(1, round_div(p.window_frames, slices));
  const size_t w = static_cast<size_t>(p.window_frames);
  int64_t produced = 0;
  std::visit(
      [&](const auto& params) {
        using T = std::decay_t<decltype(params)>;
        if constexpr (std::is_same_v<T, dsp::SpectrogramParams>) {
          // The audio streams read their constant tables from flash (deploy/dsp_tables.h):
          // their workspace holds the per-frame buffers only.
          plan_stream(&plan, params.audio, dsp::spectrogram_num_features(params),
                      static_cast<int64_t>(dsp::spectrogram_stream_buffers_bytes(params)), 0,
                      slices);
        } else if constexpr (std::is_same_v<T, dsp::MfeParams>) {
          // MFE's pre-emphasis is fixed by the reference: one sample back.
          plan_stream(&plan, params.audio, dsp::mfe_num_features(params),
                      static_cast<int64_t>(dsp::mfe_stream_buffers_bytes(params)), 1, slices);
        } else if constexpr (std::is_same_v<T, dsp::MfccParams>) {
          plan_stream(&plan, params.audio, dsp::mfcc_num_features(params),
                      static_cast<int64_t>(dsp::mfcc_stream_buffers_bytes(params)),
                      params.pre_cof != 0.0f ? params.pre_shift : 0, slices);
          plan.normalize_workspace_bytes =
              static_cast<int64_t>(dsp::mfcc_normalize_workspace_bytes(params, plan.window_rows));
        } else if constexpr (std::is_same_v<T, dsp::SpectralParams>) {
          plan.batch_workspace_bytes =
              static_cast<int64_t>(dsp::spectral_workspace_bytes(params, w));
          produced = static_cast<int64_t>(p.axes) * dsp::spectral_num_features(params);
        } else if constexpr (std::is_same_v<T, dsp::FlattenParams>) {
          plan.batch_workspace_bytes =
              static_cast<int64_t>(dsp::flatten_workspace_bytes(params, w));
          produced = static_cast<int64_t>(p.axes) * dsp::flatten_num_features(params);
        } else if constexpr (std::is_same_v<T, dsp::RawParams>) {
          produced = static_cast<int64_t>(p.axes) * p.window_frames;
        } else {
          throw Error("deploy: image pipelines are not supported yet");
        }
      },
      plan.resolved.params);
  if (plan.streaming) {
    produced = static_cast<int64_t>(plan.window_rows) * plan.row_values;
    if (plan.stream_workspace_bytes <= 0) throw Error("deploy: the DSP stream cannot be laid out");
  }
  if (produced != plan.feature_count) {
    throw Error(fmt::format("deploy: the DSP block gives {} features but the pipeline has {}",
                            produced, plan.feature_count));
  }
  return plan;
}

std::string device_params_type(const data::ResolvedBlock& r) {
  return std::visit(
      [](const auto& params) -> std::string {
        using T = std::decay_t<decltype(params)>;
        if constexpr (std::is_same_v<T, dsp::SpectrogramParams>)
          return "kiln::dsp::SpectrogramParams";
        if constexpr (std::is_same_v<T, dsp::MfeParams>) return "kiln::dsp::MfeParams";
        if constexpr (std::is_same_v<T, dsp::MfccParams>) return "kiln::dsp::MfccParams";
        if constexpr (std::is_same_v<T, dsp::SpectralParams>) return "kiln::dsp::SpectralParams";
        if constexpr (std::is_same_v<T, dsp::FlattenParams>) return "kiln::dsp::FlattenParams";
        if constexpr (std::is_same_v<T, dsp::RawParams>) return "kiln::dsp::RawParams";
        return "kiln::dsp::ImageParams";
      },
      r.params);
}

std::string device_block_header(const data::ResolvedBlock& r) {
  if (r.block == "spectral") return "dsp/spectral_analysis.h";
  return fmt::format("dsp/{}.h", r.block);
}

namespace {

// Field assignments, one per line: "  p.audio.fft_length = 256;".
class FieldWriter {
 public:
  void real(const std::string& field, float v) { add(field, float_literal(v)); }
  void integer(const std::string& field, int32_t v) { add(field, fmt::format("{}", v)); }
  void flag(const std::string& field, bool v) { add(field, v ? "true" : "false"); }
  const std::string& text() const { return text_; }

 private:
  void add(const std::string& field, const std::string& value) {
    text_ += fmt::format("  p.{} = {};\n", field, value);
  }
  std::string text_;
};

void write_audio(FieldWriter& w, const dsp::AudioFrameParams& a) {
  w.real("audio.sampling_frequency", a.sampling_frequency);
  w.real("audio.frame_length", a.frame_length);
  w.real("audio.frame_stride", a.frame_stride);
  w.integer("audio.fft_length", a.fft_length);
  w.integer("audio.implementation_version", a.implementation_version);
  w.integer("audio.window", a.window);
  w.flag("audio.exact_log", a.exact_log);
}

}  // namespace

std::string device_params_function(const data::ResolvedBlock& r, const std::string& name) {
  FieldWriter w;
  std::visit(
      [&w](const auto& q) {
        using T = std::decay_t<decltype(q)>;
        if constexpr (std::is_same_v<T, dsp::SpectrogramParams>) {
          write_audio(w, q.audio);
          w.integer("noise_floor_db", q.noise_floor_db);
        } else if constexpr (std::is_same_v<T, dsp::MfeParams>) {
          write_audio(w, q.audio);
          w.integer("num_filters", q.num_filters);
          w.real("low_frequency", q.low_frequency);
          w.real("high_frequency", q.high_frequency);
          w.integer("noise_floor_db", q.noise_floor_db);
        } else if constexpr (std::is_same_v<T, dsp::MfccParams>) {
          write_audio(w, q.audio);
          w.integer("num_filters", q.num_filters);
          w.integer("num_cepstral", q.num_cepstral);
          w.real("low_frequency", q.low_frequency);
          w.real("high_frequency", q.high_frequency);
          w.real("pre_cof", q.pre_cof);
          w.integer("pre_shift", q.pre_shift);
          w.integer("win_size", q.win_size);
        } else if constexpr (std::is_same_v<T, dsp::SpectralParams>) {
          w.real("sampling_frequency", q.sampling_frequency);
          w.integer("axes", q.axes);
          w.real("scale_axes", q.scale_axes);
          w.integer("implementation_version", q.implementation_version);
          w.integer("input_decimation_ratio", q.input_decimation_ratio);
          w.flag("extra_low_freq", q.extra_low_freq);
          w.integer("filter_type", q.filter_type);
          w.real("filter_cutoff", q.filter_cutoff);
          w.integer("filter_order", q.filter_order);
          w.integer("fft_length", q.fft_length);
          w.flag("do_log", q.do_log);
          w.flag("do_fft_overlap", q.do_fft_overlap);
          w.flag("exact_log", q.exact_log);
        } else if constexpr (std::is_same_v<T, dsp::FlattenParams>) {
          w.integer("axes", q.axes);
          w.real("scale_axes", q.scale_axes);
          w.flag("average", q.average);
          w.flag("minimum", q.minimum);
          w.flag("maximum", q.maximum);
          w.flag("rms", q.rms);
          w.flag("stdev", q.stdev);
          w.flag("skewness", q.skewness);
          w.flag("kurtosis", q.kurtosis);
        } else if constexpr (std::is_same_v<T, dsp::RawParams>) {
          w.integer("axes", q.axes);
          w.real("scale_axes", q.scale_axes);
        } else {
          w.integer("width", q.width);
          w.integer("height", q.height);
          w.integer("resize_mode", q.resize_mode);
          w.integer("channels", q.channels);
          w.real("scale_min", q.scale_min);
          w.real("scale_max", q.scale_max);
        }
      },
      r.params);
  const std::string type = device_params_type(r);
  return fmt::format("{} {}() {{\n  {} p;\n  memset(&p, 0, sizeof(p));\n{}  return p;\n}}\n", type,
                     name, type, w.text());
}

}  // namespace kiln::deploy
