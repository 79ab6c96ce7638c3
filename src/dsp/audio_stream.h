// Framing machinery shared by the audio blocks, in a batch form (a whole signal in memory) and a
// streaming form (samples arrive in chunks of any size; each completed frame is emitted once).
//
// Both forms hand every frame to the same per-frame function with bit-identical samples, so a
// stream fed with any split of a signal produces exactly the frames of the batch computation.
// Pre-emphasis is applied as samples arrive. The only difference at the start of a signal: the
// reference wraps around to the END of the signal for the first `shift` samples (numpy.roll); a
// stream has no end, so its history is zero unless set with frame_stream_set_history().
#ifndef KILN_DSP_AUDIO_STREAM_H_
#define KILN_DSP_AUDIO_STREAM_H_

#include "dsp/dsp_common.h"
#include "dsp/framing.h"

namespace kiln {
namespace dsp {

// Computes one output row (of `features` floats) from one frame of frame_samples samples.
typedef void (*AudioFrameFunction)(const void* engine, const float* frame, float* row);

struct Preemphasis {
  int32_t shift;  // 0 = no pre-emphasis
  float cof;
};

// Batch: every frame of `signal`, rows written to out (num_frames x features). `frame_buffer`
// (frame_samples floats) is needed only when pre-emphasis is on.
void audio_run_batch(const FrameLayout& layout, int32_t num_frames, const Preemphasis& pre,
                     const float* signal, size_t num_samples, float* frame_buffer,
                     AudioFrameFunction function, const void* engine, float* out, int32_t features);

struct FrameStream {
  FrameLayout layout;
  Preemphasis pre;
  float* frame;    // frame_samples floats being filled (pre-emphasized)
  float* history;  // the last `shift` raw samples, oldest at history_at
  int32_t history_at;
  int64_t fill;  // samples in `frame`; negative = samples still to skip (stride > frame)
  int32_t kept;  // leading frame samples the frame function reads (frame_samples by default)
};

// Lays out the frame buffer and pre-emphasis history (counting only when the carver has no base)
// and starts an empty stream with zero history.
Status frame_stream_init(FrameStream* stream, const FrameLayout& layout, const Preemphasis& pre,
                         WorkspaceCarver* carver);

// Tells the stream that the frame function reads only the first `kept` samples of a frame
// (e.g. a frame longer than the FFT). When frames do not overlap, the others are then not stored.
void frame_stream_limit(FrameStream* stream, int32_t kept);

// Sets the raw samples that precede the stream (the newest last). With fewer than `shift` samples
// the missing older ones are zero.
void frame_stream_set_history(FrameStream* stream, const float* samples, int32_t count);

// Frames that feeding `num_new` more samples will complete.
size_t frame_stream_frames_for(const FrameStream& stream, size_t num_new);

// Feeds samples; each completed frame goes through `function` into the next row of `out`.
// kBadArgument (and nothing consumed) if more than `max_frames` frames would be produced.
Status frame_stream_feed(FrameStream* stream, const float* samples, size_t count,
                         AudioFrameFunction function, const void* engine, float* out,
                         int32_t features, size_t max_frames, size_t* frames_written);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_AUDIO_STREAM_H_
