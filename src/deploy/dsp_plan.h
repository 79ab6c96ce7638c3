// How the deployed library runs a pipeline's DSP block on the device: the resolved device
// parameters, whether the block is computed frame by frame from a stream (the audio blocks, whose
// frames a continuous classifier can reuse) or in one batch over a raw window (spectral, flatten,
// raw), and every size the arena plan needs. All sizes come from the device code's own
// *_bytes() functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "data/feature_blocks.h"
#include "pipeline/trained_pipeline.h"

namespace kiln::deploy {

struct DspPlan {
  data::ResolvedBlock resolved;
  bool streaming = false;  // spectrogram / mfe / mfcc: frames from a dsp::*Stream
  int64_t window_frames = 0;
  int32_t axes = 1;
  int64_t feature_count = 0;
  int32_t feature_channels = 0;  // last dimension of the feature shape (normalization channels)
  int64_t slice_frames = 0;      // samples per continuous call (frames for multi-axis signals)

  // Streaming blocks.
  int32_t frame_samples = 0;
  int32_t stride_samples = 0;
  int32_t preemphasis_shift = 0;  // raw samples a pre-emphasized value looks back (0 = none)
  int32_t row_values = 0;         // features per frame
  int32_t window_rows = 0;        // frames the window's features hold
  int32_t stream_rows = 0;        // frames a stream completes inside one window (>= window_rows)
  int32_t chunk_samples = 0;      // samples read per get_data call (<= stride: <= 1 frame per feed)
  int64_t stream_workspace_bytes = 0;
  int64_t normalize_workspace_bytes = 0;  // MFCC's CMVN over the window of frames
  int64_t grid_offset = 0;                // first stream sample of the continuous frame grid
  int32_t pending_first_frames = 0;       // windows whose first frame is being captured at once

  // Batch blocks.
  int64_t batch_workspace_bytes = 0;
};

// Throws kiln::Error for pipelines the deployed library cannot run (images for now) and for a
// feature count that does not match the pipeline's.
DspPlan plan_dsp(const pipeline::TrainedPipeline& pipeline, int slices_per_window);

// The C++ type of the resolved device struct, e.g. "kiln::dsp::MfeParams".
std::string device_params_type(const data::ResolvedBlock& resolved);

// A function `TYPE NAME()` returning the resolved struct, one named field at a time, so a field
// renamed in the device code fails to compile instead of shifting values.
std::string device_params_function(const data::ResolvedBlock& resolved, const std::string& name);

// The device header declaring the block ("dsp/mfe.h").
std::string device_block_header(const data::ResolvedBlock& resolved);

}  // namespace kiln::deploy
