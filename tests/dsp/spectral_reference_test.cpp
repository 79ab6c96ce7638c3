// Spectral analysis against the Edge Impulse SDK reference (accel3_spectral_v4.f32).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/spectral_analysis.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

SpectralParams reference_params() {
  SpectralParams p{};
  p.sampling_frequency = 100.0f;
  p.axes = 3;
  p.scale_axes = 1.0f;
  p.implementation_version = 4;
  p.input_decimation_ratio = 1;
  p.extra_low_freq = false;
  p.filter_type = kFilterLowPass;
  p.filter_cutoff = 20.0f;
  p.filter_order = 6;
  p.fft_length = 64;
  p.do_log = true;
  p.do_fft_overlap = true;
  return p;
}

TEST(SpectralReference, Version4MatchesWithinRelativeTolerance) {
  KILN_REQUIRE_REFERENCE_DATA();
  const std::vector<float> input =
      dsp_test::read_f32(dsp_test::reference_dir() / "accel3_100hz_2s_f32le.raw");
  const std::vector<float> want =
      dsp_test::read_f32(dsp_test::reference_dir() / "accel3_spectral_v4.f32");
  ASSERT_EQ(input.size(), 600u);
  const SpectralParams p = reference_params();
  ASSERT_EQ(spectral_check(p), nullptr);
  ASSERT_EQ(spectral_num_features(p), 18);
  AlignedBuffer ws(spectral_workspace_bytes(p, 200));
  std::vector<float> got(3 * 18);
  ASSERT_EQ(spectral_compute(p, input.data(), 200, got.data(), got.size(), ws.data(), ws.size()),
            rt::kOk);
  ASSERT_EQ(want.size(), got.size());
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double relative = std::fabs(got[i] - want[i]) / std::max(std::fabs(want[i]), 1e-30f);
    worst = std::max(worst, relative);
    EXPECT_LE(relative, 1e-4) << "feature " << i % 18 << " of axis " << i / 18 << ": got " << got[i]
                              << ", reference " << want[i];
  }
  ::testing::Test::RecordProperty("max_relative_error", std::to_string(worst));
}

}  // namespace
}  // namespace kiln::dsp
