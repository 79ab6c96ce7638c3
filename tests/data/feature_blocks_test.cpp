// The host layer: parameter parsing, input checks, and the end-to-end path from the shared WAV
// file to the reference features.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/feature_blocks.h"
#include "data/heatmap_png.h"
#include "data/image_reader.h"

namespace kiln::data {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(KILN_SHARED_DIR) / "testdata" / "dsp";

std::vector<float> read_f32(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

Signal tone_signal(size_t n, double rate) {
  Signal s;
  s.sampling_frequency_hz = rate;
  s.axes = 1;
  for (size_t i = 0; i < n; ++i) s.samples.push_back(static_cast<float>(1000 * std::sin(0.1 * i)));
  return s;
}

std::string error_of(const std::string& block, const BlockInput& in, const ParamMap& params) {
  try {
    compute_features(block, in, params);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FeatureBlocks, ReferenceParametersReproduceTheSharedFeatures) {
  if (!std::filesystem::exists(kDataDir / "params.json")) GTEST_SKIP() << "no shared data";
  const BlockInput wav = load_block_input(kDataDir / "yes_espeak_16k.wav", {});
  // Parameter names and values exactly as in params.json.
  const Features mfe = compute_features("mfe", wav,
                                        {{"implementation_version", "4"},
                                         {"frame_length", "0.02"},
                                         {"frame_stride", "0.01"},
                                         {"num_filters", "40"},
                                         {"fft_length", "256"},
                                         {"low_frequency", "0"},
                                         {"high_frequency", "0"},
                                         {"win_size", "101"},
                                         {"noise_floor_db", "-52"}});
  EXPECT_EQ(mfe.shape, (std::vector<int64_t>{99, 40}));
  EXPECT_EQ(mfe.values, read_f32(kDataDir / "yes_espeak_mfe_v4.f32"));
  const Features mfcc = compute_features("mfcc", wav,
                                         {{"implementation_version", "3"},
                                          {"num_cepstral", "13"},
                                          {"frame_length", "0.02"},
                                          {"frame_stride", "0.02"},
                                          {"num_filters", "40"},
                                          {"fft_length", "256"},
                                          {"win_size", "101"},
                                          {"low_frequency", "300"},
                                          {"high_frequency", "0"},
                                          {"pre_cof", "0.98"},
                                          {"pre_shift", "1"}});
  const std::vector<float> want = read_f32(kDataDir / "yes_espeak_mfcc_v3.f32");
  ASSERT_EQ(mfcc.values.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(mfcc.values[i], want[i], 1e-4) << i;
  ASSERT_EQ(mfe.notes.size(), 1u);  // 320-sample frames truncated to the 256-point FFT
}

TEST(FeatureBlocks, ParameterErrorsAreSpecific) {
  const BlockInput s = tone_signal(16000, 16000);
  EXPECT_NE(error_of("mfcc", s, {{"fft_length", "300"}}).find("power of two"), std::string::npos);
  EXPECT_NE(error_of("mfcc", s, {{"fft_length", "2.5"}}).find("not an integer"), std::string::npos);
  EXPECT_NE(error_of("mfe", s, {{"frame_length", "1.5"}}).find("shorter than one frame"),
            std::string::npos);
  EXPECT_NE(error_of("mfe", s, {{"nfft", "256"}}).find("unknown parameter 'nfft'"),
            std::string::npos);
  EXPECT_NE(error_of("spectral", s, {{"do_log", "maybe"}}).find("true or false"),
            std::string::npos);
  EXPECT_NE(error_of("spectral", s, {{"filter_type", "band"}}).find("one of none, low, high"),
            std::string::npos);
  EXPECT_NE(error_of("spectral", s, {{"analysis_type", "Wavelet"}}).find("not supported"),
            std::string::npos);
  EXPECT_NE(error_of("fourier", s, {}).find("unknown block"), std::string::npos);
  Signal stereo = tone_signal(16000, 16000);
  stereo.axes = 2;
  EXPECT_NE(error_of("mfcc", stereo, {}).find("single-channel"), std::string::npos);
  EXPECT_NE(error_of("image", s, {}).find("image file"), std::string::npos);
  EXPECT_NE(error_of("mfcc", Image{2, 2, 3, std::vector<uint8_t>(12)}, {}).find("time series"),
            std::string::npos);
}

TEST(FeatureBlocks, SamplingFrequencyOverrideChangesTheFraming) {
  const BlockInput s = tone_signal(8000, 16000);
  EXPECT_EQ(compute_features("spectrogram", s, {}).shape, (std::vector<int64_t>{49, 65}));
  const Features f = compute_features("spectrogram", s, {{"sampling_frequency_hz", "8000"}});
  EXPECT_EQ(f.shape, (std::vector<int64_t>{99, 65}));  // 160-sample frames every 80 samples
}

TEST(FeatureBlocks, ShapesOfTheOtherBlocks) {
  Signal s = tone_signal(300, 100);
  s.axes = 3;
  EXPECT_EQ(compute_features("flatten", s, {}).shape, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(compute_features("flatten", s, {{"rms", "false"}}).shape, (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(compute_features("raw", s, {}).shape, (std::vector<int64_t>{100, 3}));
  // Default spectral: no filter, 16-point FFT: 5 statistics + bins 1..8.
  EXPECT_EQ(compute_features("spectral", s, {}).shape, (std::vector<int64_t>{3, 13}));
  // Low-pass at 10 Hz: bin = 10 * 16 / 100 = 1.6, bins 1..floor(2.1) = 1..2 are kept.
  EXPECT_EQ(
      compute_features("spectral", s, {{"filter_type", "low"}, {"filter_cutoff", "10"}}).shape,
      (std::vector<int64_t>{3, 7}));
  EXPECT_NE(error_of("spectral", s, {{"filter_type", "low"}, {"filter_cutoff", "3"}})
                .find("keeps no FFT bin"),
            std::string::npos);
  const Image image{4, 2, 3, std::vector<uint8_t>(24, 200)};
  const Features f = compute_features("image", image, {{"width", "8"}, {"height", "8"}});
  EXPECT_EQ(f.shape, (std::vector<int64_t>{8, 8, 3}));
  EXPECT_NEAR(f.values[8 * 3 * 4], 200.0 / 255, 1e-6);  // middle row: image content
  EXPECT_NEAR(f.values[0], 200.0 / 255, 1e-6);          // squash: no padding
}

TEST(Heatmap, RendersAndRoundTripsThroughPng) {
  std::vector<float> values(10 * 4);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  const RgbImage image = render_heatmap(values, 10, 4, {"test", "frame", "feature"});
  EXPECT_GT(image.width, 10 * 16);
  EXPECT_GT(image.height, 4 * 16);
  const auto path = std::filesystem::temp_directory_path() / "kiln_heatmap_test.png";
  write_png(path, image);
  const Image back = read_image(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back.width, image.width);
  EXPECT_EQ(back.height, image.height);
  EXPECT_EQ(back.pixels, image.pixels);
  EXPECT_THROW(render_heatmap(values, 0, 4, {}), Error);
}

TEST(ImageReader, CorruptDataIsAnError) {
  const std::vector<uint8_t> junk = {0x89, 'P', 'N', 'G', 1, 2, 3};
  EXPECT_THROW(parse_image(junk, "x.png"), Error);
  EXPECT_THROW(parse_image({}, "x.png"), Error);
}

TEST(BlockInput, UnknownExtensionsAndMissingRawRateAreErrors) {
  EXPECT_THROW(load_block_input("signal.xyz", {}), Error);
  const auto path = std::filesystem::temp_directory_path() / "kiln_block_input_test.raw";
  std::ofstream(path, std::ios::binary).write("\x01\x00\x02\x00", 4);
  EXPECT_THROW(load_block_input(path, {}), Error);  // no sampling_frequency_hz
  const BlockInput in = load_block_input(path, {{"sampling_frequency_hz", "100"}});
  std::filesystem::remove(path);
  ASSERT_TRUE(std::holds_alternative<Signal>(in));
  EXPECT_EQ(std::get<Signal>(in).samples, (std::vector<float>{1, 2}));
}

}  // namespace
}  // namespace kiln::data
