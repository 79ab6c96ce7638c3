// resolve_block: the device struct a block runs with, from its parameters and the window's shape.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/feature_blocks.h"

namespace kiln::data {
namespace {

TEST(ResolveBlock, MfccDefaultsAndOverrides) {
  const ResolvedBlock r = resolve_block("mfcc", {{"num_cepstral", "10"}}, 16000, 1, 16000);
  EXPECT_EQ(r.block, "mfcc");
  const auto& p = std::get<dsp::MfccParams>(r.params);
  EXPECT_EQ(p.num_cepstral, 10);
  EXPECT_EQ(p.num_filters, 32);
  EXPECT_EQ(p.audio.sampling_frequency, 16000.0f);
  EXPECT_EQ(p.audio.frame_length, 0.02f);
  EXPECT_EQ(p.pre_cof, 0.98f);
  EXPECT_EQ(p.pre_shift, 1);
}

TEST(ResolveBlock, RateParameterOverridesTheSignal) {
  const ResolvedBlock r =
      resolve_block("spectral_analysis", {{"sampling_frequency_hz", "100"}}, 62.5, 3, 200);
  EXPECT_EQ(r.block, "spectral");
  const auto& p = std::get<dsp::SpectralParams>(r.params);
  EXPECT_EQ(p.sampling_frequency, 100.0f);
  EXPECT_EQ(p.axes, 3);
}

TEST(ResolveBlock, SameErrorsAsComputeFeatures) {
  EXPECT_THROW(resolve_block("mfe", {}, 16000, 2, 16000), Error);                // not mono
  EXPECT_THROW(resolve_block("mfe", {{"bogus", "1"}}, 16000, 1, 16000), Error);  // unknown name
  EXPECT_THROW(resolve_block("mfe", {}, 16000, 1, 100), Error);  // shorter than one frame
  EXPECT_THROW(resolve_block("nope", {}, 16000, 1, 16000), Error);
}

TEST(ResolveBlock, ComputeFeaturesRunsTheResolvedStruct) {
  // A window of 400 samples at 8 kHz: 0.02 s frames every 0.01 s give floor((400 - 160)/80) + 1
  // = 4 frames of 40 filters.
  Signal s;
  s.sampling_frequency_hz = 8000;
  s.axes = 1;
  s.samples.assign(400, 0.0f);
  for (size_t i = 0; i < s.samples.size(); ++i) s.samples[i] = static_cast<float>(i % 50) * 100.0f;
  const ResolvedBlock r = resolve_block("mfe", {}, 8000, 1, 400);
  const auto& p = std::get<dsp::MfeParams>(r.params);
  std::vector<float> direct(static_cast<size_t>(dsp::mfe_num_frames(p, 400)) * p.num_filters);
  std::vector<uint64_t> ws((dsp::mfe_workspace_bytes(p) + 7) / 8);
  ASSERT_EQ(dsp::mfe_compute(p, s.samples.data(), 400, direct.data(), direct.size(), ws.data(),
                             ws.size() * 8),
            rt::kOk);
  const Features f = compute_features("mfe", s, {});
  EXPECT_EQ(f.shape, (std::vector<int64_t>{4, 40}));
  EXPECT_EQ(f.values, direct);
}

}  // namespace
}  // namespace kiln::data
