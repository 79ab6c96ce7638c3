// One static arena for the whole classifier. A classification has two phases that never overlap
// in time: the DSP phase (signal chunks or the raw window, the block's workspace, and the feature
// output) and the network phase (the compiled model's activations). The features are written
// straight into the model's input tensor, and the DSP scratch is placed beside that tensor inside
// the model's arena, so the arena is the larger of the two phases rather than their sum. State that
// must survive between continuous calls (the DSP stream, frame ring, smoothing) follows at the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "deploy/dsp_plan.h"

namespace kiln::deploy {

// A named block of the arena.
struct ArenaBlock {
  std::string name;
  int64_t offset = 0;
  int64_t bytes = 0;
};

struct ArenaLayout {
  int64_t model_arena_bytes = 0;  // the network phase (0 without a network)
  int64_t features_offset = 0;    // = the model's input tensor
  int64_t features_bytes = 0;
  std::vector<ArenaBlock> dsp_blocks;         // full-window DSP scratch
  std::vector<ArenaBlock> continuous_blocks;  // DSP scratch of one continuous call
  std::vector<ArenaBlock> state_blocks;       // persistent continuous state
  int64_t dsp_phase_bytes = 0;                // features + full-window DSP scratch
  int64_t nn_phase_bytes = 0;      // model arena (or the features alone without a network)
  int64_t shared_arena_bytes = 0;  // both phases planned together
  int64_t state_bytes = 0;         // continuous state, after the shared part
  int64_t total_arena_bytes = 0;   // shared + state

  int64_t offset_of(const std::string& name) const;  // throws if absent
};

// `model_arena_bytes` / `input_offset`: the compiled model's arena and input tensor offset (0, 0
// without a network or with an external engine: then the features get their own region).
ArenaLayout plan_arena(const DspPlan& dsp, int64_t model_arena_bytes, int64_t input_offset,
                       int label_count, int smoothing_max);

}  // namespace kiln::deploy
