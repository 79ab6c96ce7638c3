// The DSP plan and the arena plan of a deployed library, checked against hand-computed values.
#include <gtest/gtest.h>

#include "core/error.h"
#include "deploy/arena_layout.h"
#include "deploy/dsp_plan.h"

namespace kiln::deploy {
namespace {

// A 0.5 s MFE window at 8 kHz with default parameters: 20 ms frames (160 samples) every 10 ms
// (80 samples), 40 filters.
pipeline::TrainedPipeline mfe_pipeline() {
  pipeline::TrainedPipeline p;
  p.sensor = "audio";
  p.sample_rate_hz = 8000;
  p.axes = 1;
  p.window_frames = 4000;
  p.stride_frames = 2000;
  p.dsp_block = "mfe";
  // Frames that fit: floor((4000 - 160) / 80) + 1 = 49.
  p.feature_shape = {49, 40};
  p.normalization.mean.assign(40, 0.0f);
  p.normalization.inv_std.assign(40, 1.0f);
  p.labels = {"a", "b"};
  return p;
}

TEST(DeployPlan, MfeStreamGeometry) {
  const DspPlan d = plan_dsp(mfe_pipeline(), 4);
  EXPECT_TRUE(d.streaming);
  EXPECT_EQ(d.frame_samples, 160);
  EXPECT_EQ(d.stride_samples, 80);
  EXPECT_EQ(d.window_rows, 49);
  EXPECT_EQ(d.stream_rows, 49);
  EXPECT_EQ(d.row_values, 40);
  EXPECT_EQ(d.preemphasis_shift, 1);  // MFE's fixed pre-emphasis
  // 4000 / 4 = 1000 samples = 12.5 strides, rounded to 13 strides = 1040 samples.
  EXPECT_EQ(d.slice_frames, 1040);
  EXPECT_EQ(d.grid_offset, 0);           // 4000 is a multiple of 80
  EXPECT_EQ(d.pending_first_frames, 4);  // ceil(4000 / 1040)
  EXPECT_EQ(d.chunk_samples, 80);
  EXPECT_GT(d.stream_workspace_bytes, 0);
}

TEST(DeployPlan, EmitsEveryParameterByName) {
  const DspPlan d = plan_dsp(mfe_pipeline(), 4);
  const std::string f = device_params_function(d.resolved, "params");
  EXPECT_NE(f.find("kiln::dsp::MfeParams params() {"), std::string::npos) << f;
  EXPECT_NE(f.find("p.audio.sampling_frequency = 8000.0f;"), std::string::npos) << f;
  // 0.02f is 0.0199999996 to nine significant digits.
  EXPECT_NE(f.find("p.audio.frame_length = 0.0199999996f;"), std::string::npos) << f;
  EXPECT_NE(f.find("p.audio.fft_length = 256;"), std::string::npos) << f;
  EXPECT_NE(f.find("p.num_filters = 40;"), std::string::npos) << f;
  EXPECT_NE(f.find("p.noise_floor_db = -52;"), std::string::npos) << f;
  EXPECT_NE(f.find("p.audio.exact_log = false;"), std::string::npos) << f;
}

TEST(DeployPlan, RejectsMismatchedFeaturesAndImages) {
  pipeline::TrainedPipeline p = mfe_pipeline();
  p.feature_shape = {48, 40};
  EXPECT_THROW(plan_dsp(p, 4), Error);
  p = mfe_pipeline();
  p.sensor = "image";
  EXPECT_THROW(plan_dsp(p, 4), Error);
}

TEST(DeployArena, DspScratchSharesTheModelArena) {
  const DspPlan d = plan_dsp(mfe_pipeline(), 4);
  const int64_t features = 49 * 40 * 4;
  // DSP scratch: stream workspace + 80-sample chunk + 1-sample history, each 16-byte aligned.
  const auto up = [](int64_t v) { return (v + 15) / 16 * 16; };
  const int64_t scratch = up(d.stream_workspace_bytes) + up(80 * 4) + up(4);

  // The input tensor at the start of a large model arena: the scratch goes after it, inside it.
  const ArenaLayout after = plan_arena(d, 100000, 0, 2, 8);
  EXPECT_EQ(after.offset_of("dsp_stream_workspace"), up(features));
  EXPECT_EQ(after.dsp_phase_bytes, features + scratch);
  EXPECT_EQ(after.nn_phase_bytes, 100000);
  EXPECT_EQ(after.shared_arena_bytes, 100000);

  // Room below the input tensor: the scratch goes there.
  const ArenaLayout before = plan_arena(d, 100000, 90000, 2, 8);
  EXPECT_EQ(before.offset_of("dsp_stream_workspace"), 0);
  EXPECT_EQ(before.shared_arena_bytes, 100000);

  // A small model: the arena grows to the DSP phase, not to the sum.
  const ArenaLayout small = plan_arena(d, features + 64, 0, 2, 8);
  EXPECT_EQ(small.shared_arena_bytes, up(features) + scratch);
  EXPECT_LT(small.shared_arena_bytes, small.dsp_phase_bytes + small.nn_phase_bytes);
  // Continuous state follows the shared part: stream tables, 49 rows of 40, 4 first frames of
  // 160 samples, 1 last sample, 8 x 2 smoothing scores.
  EXPECT_EQ(small.state_blocks.front().offset, small.shared_arena_bytes);
  EXPECT_EQ(small.state_bytes, up(d.stream_workspace_bytes) + up(49 * 40 * 4) + up(4 * 160 * 4) +
                                   up(4) + up(8 * 2 * 4));
  EXPECT_EQ(small.total_arena_bytes, small.shared_arena_bytes + small.state_bytes);
}

TEST(DeployArena, RejectsAnInputOutsideTheModelArena) {
  const DspPlan d = plan_dsp(mfe_pipeline(), 4);
  EXPECT_THROW(plan_arena(d, 1000, 0, 2, 8), Error);
}

}  // namespace
}  // namespace kiln::deploy
