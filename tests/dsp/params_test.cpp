// Bad parameters are reported (a static message from *_check, kBadArgument from the compute
// functions), never crash, and workspace sizes are exact.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dsp/flatten.h"
#include "dsp/image.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/spectral_analysis.h"
#include "dsp/spectrogram.h"
#include "dsp_test_util.h"

namespace kiln::dsp {
namespace {

using dsp_test::AlignedBuffer;

MfccParams good_mfcc() {
  MfccParams p{};
  p.audio.sampling_frequency = 16000;
  p.audio.frame_length = 0.02f;
  p.audio.frame_stride = 0.02f;
  p.audio.fft_length = 256;
  p.audio.implementation_version = 4;
  p.num_filters = 32;
  p.num_cepstral = 13;
  p.low_frequency = 300;
  p.pre_cof = 0.98f;
  p.pre_shift = 1;
  p.win_size = 101;
  return p;
}

std::string message(const char* m) {
  return m ? m : "(accepted)";
}

// The message names the offending parameter or rule.
::testing::AssertionResult mentions(const std::string& text, const std::string& word) {
  if (text.find(word) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not mention " << word;
}

TEST(DspParams, FftLengthMustBeAPowerOfTwo) {
  MfccParams p = good_mfcc();
  p.audio.fft_length = 200;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "power of two"));
  std::vector<float> signal(16000, 1.0f), out(50 * 13);
  AlignedBuffer ws(1 << 20);
  EXPECT_EQ(
      mfcc_compute(p, signal.data(), signal.size(), out.data(), out.size(), ws.data(), ws.size()),
      rt::kBadArgument);
  EXPECT_EQ(mfcc_workspace_bytes(p, signal.size()), 0u);
}

TEST(DspParams, FrameLongerThanTheSignalProducesNoFrames) {
  const MfccParams p = good_mfcc();
  std::vector<float> signal(319, 1.0f), out(13);
  EXPECT_EQ(mfcc_num_frames(p, signal.size()), 0);
  AlignedBuffer ws(1 << 20);
  EXPECT_EQ(
      mfcc_compute(p, signal.data(), signal.size(), out.data(), out.size(), ws.data(), ws.size()),
      rt::kBadArgument);
  signal.resize(320);
  EXPECT_EQ(mfcc_num_frames(p, signal.size()), 1);
}

TEST(DspParams, FrameArithmeticFollowsTheReference) {
  MfccParams p = good_mfcc();
  p.audio.frame_length = 0.018f;  // 288.00003 samples in float: rounds down, not up
  p.audio.frame_stride = 0.018f;
  EXPECT_EQ(mfcc_num_frames(p, 16000), 16000 / 288);
  p.audio.frame_length = 0.0183f;  // 292.8 samples: rounds up to 293
  p.audio.frame_stride = 0.0183f;
  EXPECT_EQ(mfcc_num_frames(p, 16000), 16000 / 293);
  p.audio.implementation_version = 1;  // rounds to nearest and keeps one stride in reserve
  EXPECT_EQ(mfcc_num_frames(p, 16000), (16000 - 293) / 293);
}

TEST(DspParams, InvalidBlockParametersAreNamed) {
  MfccParams p = good_mfcc();
  p.win_size = 100;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "odd"));
  p = good_mfcc();
  p.num_cepstral = 40;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "num_cepstral"));
  p = good_mfcc();
  p.pre_shift = 0;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "pre_shift"));
  p = good_mfcc();
  p.high_frequency = 9000;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "high_frequency"));
  p = good_mfcc();
  p.audio.implementation_version = 5;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "implementation_version"));
  p = good_mfcc();
  p.audio.frame_length = 0;
  EXPECT_TRUE(mentions(message(mfcc_check(p)), "frame_length"));

  MfeParams m{};
  m.audio = good_mfcc().audio;
  m.num_filters = 40;
  m.noise_floor_db = -52;
  m.audio.implementation_version = 2;
  EXPECT_TRUE(mentions(message(mfe_check(m)), "implementation_version"));
  m.audio.implementation_version = 4;
  m.low_frequency = 8000;
  EXPECT_TRUE(mentions(message(mfe_check(m)), "low_frequency"));
  m.low_frequency = 0;
  m.noise_floor_db = 5;
  EXPECT_TRUE(mentions(message(mfe_check(m)), "noise_floor_db"));

  SpectrogramParams s{};
  s.audio = good_mfcc().audio;
  s.audio.implementation_version = 3;
  s.noise_floor_db = -52;
  EXPECT_EQ(spectrogram_check(s), nullptr);
  s.audio.window = 7;
  EXPECT_TRUE(mentions(message(spectrogram_check(s)), "window"));

  SpectralParams sp{};
  sp.sampling_frequency = 100;
  sp.axes = 3;
  sp.scale_axes = 1;
  sp.implementation_version = 4;
  sp.input_decimation_ratio = 1;
  sp.filter_type = kFilterLowPass;
  sp.filter_cutoff = 20;
  sp.filter_order = 6;
  sp.fft_length = 64;
  EXPECT_EQ(spectral_check(sp), nullptr);
  sp.filter_order = 5;
  EXPECT_TRUE(mentions(message(spectral_check(sp)), "even"));
  sp.filter_order = 6;
  sp.filter_cutoff = 50;
  EXPECT_TRUE(mentions(message(spectral_check(sp)), "filter_cutoff"));
  sp.filter_cutoff = 20;
  sp.input_decimation_ratio = 7;
  EXPECT_TRUE(mentions(message(spectral_check(sp)), "decimation"));
  sp.input_decimation_ratio = 1;
  sp.fft_length = 48;
  EXPECT_TRUE(mentions(message(spectral_check(sp)), "power of two"));

  FlattenParams f{};
  f.axes = 3;
  f.scale_axes = 1;
  EXPECT_TRUE(mentions(message(flatten_check(f)), "statistic"));

  ImageParams im{};
  im.width = 0;
  im.height = 96;
  im.channels = 3;
  EXPECT_TRUE(mentions(message(image_check(im)), "width"));
}

TEST(DspParams, WorkspaceSizeIsExactAndAlignmentIsChecked) {
  MfeParams m{};
  m.audio = good_mfcc().audio;
  m.num_filters = 40;
  m.noise_floor_db = -52;
  const std::vector<float> signal(4000, 100.0f);
  std::vector<float> out(mfe_num_frames(m, signal.size()) * 40);
  const size_t bytes = mfe_workspace_bytes(m);
  ASSERT_GT(bytes, 0u);
  AlignedBuffer ws(bytes + 8);
  EXPECT_EQ(
      mfe_compute(m, signal.data(), signal.size(), out.data(), out.size(), ws.data(), bytes - 1),
      rt::kBadArgument);
  EXPECT_EQ(mfe_compute(m, signal.data(), signal.size(), out.data(), out.size(),
                        static_cast<char*>(ws.data()) + 4, bytes),
            rt::kBadArgument);
  EXPECT_EQ(
      mfe_compute(m, signal.data(), signal.size(), out.data(), out.size() - 1, ws.data(), bytes),
      rt::kBadArgument);
  EXPECT_EQ(mfe_compute(m, signal.data(), signal.size(), out.data(), out.size(), ws.data(), bytes),
            rt::kOk);
}

}  // namespace
}  // namespace kiln::dsp
