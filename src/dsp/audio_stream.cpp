#include "dsp/audio_stream.h"

#include <string.h>

#include "dsp/audio_frontend.h"

namespace kiln {
namespace dsp {

void audio_run_batch(const FrameLayout& layout, int32_t num_frames, const Preemphasis& pre,
                     const float* signal, size_t num_samples, float* frame_buffer,
                     AudioFrameFunction function, const void* engine, float* out,
                     int32_t features) {
  for (int32_t f = 0; f < num_frames; ++f) {
    const size_t offset = static_cast<size_t>(f) * static_cast<size_t>(layout.stride_samples);
    const float* frame = signal + offset;
    if (pre.shift > 0) {
      preemphasis_wrapped(signal, num_samples, offset, layout.frame_samples, pre.shift, pre.cof,
                          frame_buffer);
      frame = frame_buffer;
    }
    function(engine, frame, out + static_cast<size_t>(f) * static_cast<size_t>(features));
  }
}

Status frame_stream_init(FrameStream* stream, const FrameLayout& layout, const Preemphasis& pre,
                         WorkspaceCarver* carver) {
  if (layout.frame_samples < 1 || layout.stride_samples < 1 || pre.shift < 0) {
    return rt::kBadArgument;
  }
  stream->layout = layout;
  stream->pre = pre;
  stream->frame = carve_floats(carver, static_cast<size_t>(layout.frame_samples));
  stream->history = pre.shift > 0 ? carve_floats(carver, static_cast<size_t>(pre.shift)) : NULL;
  stream->history_at = 0;
  stream->fill = 0;
  if (carver->base == NULL) return rt::kOk;
  if (carver->overflow) return rt::kBadArgument;
  if (stream->history) memset(stream->history, 0, static_cast<size_t>(pre.shift) * sizeof(float));
  return rt::kOk;
}

void frame_stream_set_history(FrameStream* stream, const float* samples, int32_t count) {
  const int32_t shift = stream->pre.shift;
  for (int32_t i = 0; i < shift; ++i) {
    const int32_t source = count - shift + i;
    stream->history[i] = source >= 0 ? samples[source] : 0.0f;
  }
  stream->history_at = 0;
}

size_t frame_stream_frames_for(const FrameStream& stream, size_t num_new) {
  // Samples available from the start of the current frame once the new ones are in.
  const int64_t available = stream.fill + static_cast<int64_t>(num_new);
  const int64_t frame = stream.layout.frame_samples;
  if (available < frame) return 0;
  return static_cast<size_t>(1 + (available - frame) / stream.layout.stride_samples);
}

Status frame_stream_feed(FrameStream* stream, const float* samples, size_t count,
                         AudioFrameFunction function, const void* engine, float* out,
                         int32_t features, size_t max_frames, size_t* frames_written) {
  *frames_written = 0;
  if (frame_stream_frames_for(*stream, count) > max_frames) return rt::kBadArgument;
  const int32_t frame_samples = stream->layout.frame_samples;
  const int32_t stride = stream->layout.stride_samples;
  const int32_t shift = stream->pre.shift;
  for (size_t i = 0; i < count; ++i) {
    float value = samples[i];
    if (shift > 0) {
      // history[history_at] is the raw sample `shift` positions back.
      const float previous = stream->history[stream->history_at];
      stream->history[stream->history_at] = value;
      stream->history_at = stream->history_at + 1 == shift ? 0 : stream->history_at + 1;
      value = value - stream->pre.cof * previous;
    }
    if (stream->fill < 0) {  // inside the gap between frames (stride longer than frame)
      ++stream->fill;
      continue;
    }
    stream->frame[stream->fill++] = value;
    if (stream->fill == frame_samples) {
      function(engine, stream->frame, out + *frames_written * static_cast<size_t>(features));
      ++*frames_written;
      if (stride < frame_samples) {
        memmove(stream->frame, stream->frame + stride,
                static_cast<size_t>(frame_samples - stride) * sizeof(float));
      }
      stream->fill = static_cast<int64_t>(frame_samples) - stride;
    }
  }
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
