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
  stream->kept = layout.frame_samples;
  if (carver->base == NULL) return rt::kOk;
  if (carver->overflow) return rt::kBadArgument;
  if (stream->history) memset(stream->history, 0, static_cast<size_t>(pre.shift) * sizeof(float));
  return rt::kOk;
}

void frame_stream_limit(FrameStream* stream, int32_t kept) {
  if (kept >= 1 && kept <= stream->layout.frame_samples) stream->kept = kept;
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
  const int64_t excess = available - frame;
  // A 32-bit division when it fits: the 64-bit one is a library call on a Cortex-M4.
  if (excess <= 0x7fffffff) {
    return 1u + static_cast<uint32_t>(excess) / static_cast<uint32_t>(stream.layout.stride_samples);
  }
  return static_cast<size_t>(1 + excess / stream.layout.stride_samples);
}

namespace {

// y[j] = x[j] - cof * x[j - shift] for j in [begin, end) of a chunk, where x[j - shift] comes from
// the history ring for j < shift. Same arithmetic as one sample at a time; just no per-sample
// bookkeeping.
void preemphasize_span(const FrameStream& s, const float* x, size_t begin, size_t end, float* y) {
  const size_t shift = static_cast<size_t>(s.pre.shift);
  const float cof = s.pre.cof;
  size_t j = begin;
  if (j < shift) {
    size_t at = static_cast<size_t>(s.history_at) + j;
    if (at >= shift) at -= shift;
    for (; j < end && j < shift; ++j) {
      *y++ = x[j] - cof * s.history[at];
      if (++at == shift) at = 0;
    }
  }
  if (j >= end) return;
  const float* previous = x + (j - shift);  // j >= shift here
  // Unrolled by hand (the compiler does not at -O2): fewer loop branches per sample.
  for (; j + 4 <= end; j += 4) {
    y[0] = x[j] - cof * previous[0];
    y[1] = x[j + 1] - cof * previous[1];
    y[2] = x[j + 2] - cof * previous[2];
    y[3] = x[j + 3] - cof * previous[3];
    y += 4;
    previous += 4;
  }
  for (; j < end; ++j) *y++ = x[j] - cof * *previous++;
}

// After a chunk of `count` raw samples: the ring keeps the last `shift` raw samples seen.
void advance_history(FrameStream* s, const float* x, size_t count) {
  const int32_t shift = s->pre.shift;
  if (count >= static_cast<size_t>(shift)) {
    memcpy(s->history, x + count - static_cast<size_t>(shift),
           static_cast<size_t>(shift) * sizeof(float));
    s->history_at = 0;
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    s->history[s->history_at] = x[i];
    s->history_at = s->history_at + 1 == shift ? 0 : s->history_at + 1;
  }
}

}  // namespace

Status frame_stream_feed(FrameStream* stream, const float* samples, size_t count,
                         AudioFrameFunction function, const void* engine, float* out,
                         int32_t features, size_t max_frames, size_t* frames_written) {
  *frames_written = 0;
  if (frame_stream_frames_for(*stream, count) > max_frames) return rt::kBadArgument;
  const int32_t frame_samples = stream->layout.frame_samples;
  const int32_t stride = stream->layout.stride_samples;
  // Frame positions at or past `stored` are neither read by the frame function nor carried into
  // the next frame, so they are skipped.
  const int64_t stored = stride >= frame_samples ? stream->kept : frame_samples;
  size_t i = 0;
  while (i < count) {
    if (stream->fill < 0) {  // inside the gap between frames (stride longer than frame)
      const size_t gap = static_cast<size_t>(-stream->fill);
      const size_t skip = gap < count - i ? gap : count - i;
      stream->fill += static_cast<int64_t>(skip);
      i += skip;
      continue;
    }
    const size_t room = static_cast<size_t>(frame_samples - stream->fill);
    const size_t take = room < count - i ? room : count - i;
    if (stream->fill < stored) {
      const size_t left = static_cast<size_t>(stored - stream->fill);
      const size_t store = take < left ? take : left;
      float* y = stream->frame + stream->fill;
      if (stream->pre.shift > 0) {
        preemphasize_span(*stream, samples, i, i + store, y);
      } else {
        memcpy(y, samples + i, store * sizeof(float));
      }
    }
    stream->fill += static_cast<int64_t>(take);
    i += take;
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
  if (stream->pre.shift > 0) advance_history(stream, samples, count);
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
