#include "deploy/arena_layout.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace kiln::deploy {

namespace {

constexpr int64_t kAlign = 16;

int64_t align(int64_t v) {
  return (v + kAlign - 1) / kAlign * kAlign;
}

struct Request {
  std::string name;
  int64_t bytes;
};

// Packs requests one after another from `base`. Empty requests keep a (zero-byte) block so the
// generated code can name every block whatever the pipeline.
std::vector<ArenaBlock> pack(const std::vector<Request>& requests, int64_t base) {
  std::vector<ArenaBlock> blocks;
  int64_t at = align(base);
  for (const Request& r : requests) {
    const int64_t bytes = std::max<int64_t>(r.bytes, 0);
    blocks.push_back({r.name, at, bytes});
    at = align(at + bytes);
  }
  return blocks;
}

int64_t total(const std::vector<Request>& requests) {
  int64_t sum = 0;
  for (const Request& r : requests) sum += r.bytes > 0 ? align(r.bytes) : 0;
  return sum;
}

int64_t end_of(const std::vector<ArenaBlock>& blocks) {
  int64_t end = 0;
  for (const ArenaBlock& b : blocks) end = std::max(end, b.offset + b.bytes);
  return end;
}

// Scratch beside the features: before them when it fits in the space below the input tensor,
// otherwise right after them.
std::vector<ArenaBlock> place_beside(const std::vector<Request>& requests, int64_t features_offset,
                                     int64_t features_bytes) {
  const int64_t need = total(requests);
  if (need <= features_offset) return pack(requests, 0);
  return pack(requests, features_offset + features_bytes);
}

}  // namespace

int64_t ArenaLayout::offset_of(const std::string& name) const {
  for (const auto* list : {&dsp_blocks, &continuous_blocks, &state_blocks}) {
    for (const ArenaBlock& b : *list) {
      if (b.name == name) return b.offset;
    }
  }
  throw Error(fmt::format("deploy: no arena block '{}'", name));
}

ArenaLayout plan_arena(const DspPlan& dsp, int64_t model_arena_bytes, int64_t input_offset,
                       int label_count, int smoothing_max) {
  ArenaLayout a;
  a.features_bytes = dsp.feature_count * 4;
  if (model_arena_bytes > 0) {
    if (input_offset < 0 || input_offset + a.features_bytes > model_arena_bytes) {
      throw Error("deploy: the model's input tensor lies outside its arena");
    }
    a.model_arena_bytes = model_arena_bytes;
    a.features_offset = input_offset;
  } else {
    a.model_arena_bytes = 0;
    a.features_offset = 0;
  }
  const int64_t f = 4;  // bytes per float
  std::vector<Request> full, step, state;
  if (dsp.streaming) {
    full = {{"dsp_stream_workspace", dsp.stream_workspace_bytes},
            {"dsp_chunk", dsp.chunk_samples * f},
            {"dsp_history", dsp.preemphasis_shift * f},
            {"dsp_normalize_workspace", dsp.normalize_workspace_bytes}};
    step = {{"step_chunk", dsp.chunk_samples * f},
            {"step_frame_backup",
             dsp.preemphasis_shift > 0 ? (dsp.frame_samples + dsp.preemphasis_shift) * f : 0},
            {"step_normalize_workspace", dsp.normalize_workspace_bytes}};
    state = {{"state_stream_workspace", dsp.stream_workspace_bytes},
             {"state_rows", static_cast<int64_t>(dsp.stream_rows) * dsp.row_values * f},
             {"state_first_frames",
              dsp.preemphasis_shift > 0
                  ? static_cast<int64_t>(dsp.pending_first_frames) * dsp.frame_samples * f
                  : 0},
             {"state_last_samples", dsp.preemphasis_shift * f}};
  } else {
    full = {{"dsp_window", dsp.window_frames * dsp.axes * f},
            {"dsp_workspace", dsp.batch_workspace_bytes}};
    step = {{"step_workspace", dsp.batch_workspace_bytes}};
    state = {{"state_window", dsp.window_frames * dsp.axes * f}};
  }
  state.push_back(
      {"state_smoothing", static_cast<int64_t>(smoothing_max) * std::max(label_count, 1) * f});
  a.dsp_blocks = place_beside(full, a.features_offset, a.features_bytes);
  a.continuous_blocks = place_beside(step, a.features_offset, a.features_bytes);
  a.dsp_phase_bytes = a.features_bytes + total(full);
  a.nn_phase_bytes = model_arena_bytes > 0 ? model_arena_bytes : a.features_bytes;
  a.shared_arena_bytes = align(std::max({a.model_arena_bytes, a.features_offset + a.features_bytes,
                                         end_of(a.dsp_blocks), end_of(a.continuous_blocks)}));
  a.state_blocks = pack(state, a.shared_arena_bytes);
  a.state_bytes = align(total(state));
  a.total_arena_bytes = a.shared_arena_bytes + a.state_bytes;
  return a;
}

}  // namespace kiln::deploy
