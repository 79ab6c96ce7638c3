// The constant DSP tables a deployed library keeps in flash: which blocks get them, their array
// sizes, and that the emitted literals read back to exactly the values the host builds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "deploy/dsp_plan.h"
#include "deploy/dsp_tables.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"

namespace kiln::deploy {
namespace {

// 1 s of 16 kHz audio through MFCC with 40 filters, FFT 256 and 20 ms frames every 20 ms: 50
// frames of 13 coefficients.
pipeline::TrainedPipeline mfcc_pipeline() {
  pipeline::TrainedPipeline p;
  p.sensor = "audio";
  p.sample_rate_hz = 16000;
  p.axes = 1;
  p.window_frames = 16000;
  p.stride_frames = 8000;
  p.dsp_block = "mfcc";
  p.dsp_params = {{"num_filters", "40"}, {"fft_length", "256"}};
  p.feature_shape = {50, 13};
  p.normalization.mean.assign(13, 0.0f);
  p.normalization.inv_std.assign(13, 1.0f);
  p.labels = {"a", "b"};
  return p;
}

// The values of `const TYPE NAME[N] = {...};` in `code`, parsed with strtod (float literals are
// written to read back exactly).
std::vector<double> array_values(const std::string& code, const std::string& name, size_t* count) {
  const size_t at = code.find(name + "[");
  if (at == std::string::npos) return {};
  *count = std::strtoul(code.c_str() + at + name.size() + 1, nullptr, 10);
  const size_t open = code.find('{', at);
  const size_t close = code.find('}', open);
  std::vector<double> values;
  const char* p = code.c_str() + open + 1;
  const char* end = code.c_str() + close;
  while (p < end) {
    char* next = nullptr;
    const double v = std::strtod(p, &next);
    if (next == p) {
      ++p;
      continue;
    }
    values.push_back(v);
    p = next;
    if (*p == 'f') ++p;
  }
  return values;
}

TEST(DeployTables, MfccTablesAreEmittedWithTheHostValues) {
  const DspPlan d = plan_dsp(mfcc_pipeline(), 4);
  const auto& params = std::get<dsp::MfccParams>(d.resolved.params);
  // The stream workspace holds only the per-frame buffers.
  EXPECT_EQ(d.stream_workspace_bytes, static_cast<int64_t>(dsp::mfcc_stream_buffers_bytes(params)));
  EXPECT_LT(d.stream_workspace_bytes,
            static_cast<int64_t>(dsp::mfcc_stream_workspace_bytes(params)));

  const DspTablesCode code = dsp_tables_code(d);
  ASSERT_TRUE(code.present);
  EXPECT_EQ(code.type, "kiln::dsp::MfccTables");
  EXPECT_NE(code.definitions.find("kiln::dsp::MfccTables dsp_tables() {"), std::string::npos);
  EXPECT_NE(code.definitions.find("t.spectrum.window = 0;"), std::string::npos);

  std::vector<uint64_t> memory(dsp::mfcc_tables_bytes(params) / 8 + 1);
  dsp::MfccTables host{};
  ASSERT_EQ(dsp::mfcc_tables_build(&host, params, memory.data(), memory.size() * 8), rt::kOk);
  size_t count = 0;
  const std::vector<double> twiddle = array_values(code.definitions, "kDspTwiddle", &count);
  ASSERT_EQ(count, 256u);  // 128 complex twiddles
  ASSERT_EQ(twiddle.size(), 256u);
  for (size_t i = 0; i < 256; ++i) {
    EXPECT_EQ(static_cast<float>(twiddle[i]), host.spectrum.twiddle[i]) << i;
  }
  const std::vector<double> reverse = array_values(code.definitions, "kDspBitReverse", &count);
  ASSERT_EQ(count, 128u);
  ASSERT_EQ(reverse.size(), 128u);
  for (size_t i = 0; i < 128; ++i) EXPECT_EQ(reverse[i], host.spectrum.bit_reverse[i]) << i;
  const std::vector<double> dct = array_values(code.definitions, "kDspDct", &count);
  ASSERT_EQ(count, 13u * 40u);
  ASSERT_EQ(dct.size(), 13u * 40u);
  for (size_t i = 0; i < dct.size(); ++i) EXPECT_EQ(static_cast<float>(dct[i]), host.dct[i]) << i;
  const std::vector<double> edges = array_values(code.definitions, "kDspMelEdges", &count);
  ASSERT_EQ(count, 42u);
  ASSERT_EQ(edges.size(), 42u);
  for (size_t i = 0; i < 42; ++i) EXPECT_EQ(edges[i], host.bank.edges[i]) << i;
  const std::vector<double> weights = array_values(code.definitions, "kDspMelWeights", &count);
  ASSERT_EQ(static_cast<int32_t>(count), host.bank.weight_start[40]);
  ASSERT_EQ(weights.size(), count);
  for (size_t i = 0; i < count; ++i) {
    EXPECT_EQ(static_cast<float>(weights[i]), host.bank.weights[i]) << i;
  }
  EXPECT_EQ(code.definitions.find("kDspWindow"), std::string::npos);
}

TEST(DeployTables, MfeAndSpectrogramTablesHaveTheirShapes) {
  pipeline::TrainedPipeline p = mfcc_pipeline();
  p.dsp_block = "mfe";
  p.dsp_params = {{"num_filters", "40"}};
  p.feature_shape = {99, 40};  // 20 ms frames every 10 ms: floor((16000 - 320) / 160) + 1
  p.normalization.mean.assign(40, 0.0f);
  p.normalization.inv_std.assign(40, 1.0f);
  const DspPlan mfe = plan_dsp(p, 4);
  EXPECT_EQ(mfe.stream_workspace_bytes, static_cast<int64_t>(dsp::mfe_stream_buffers_bytes(
                                            std::get<dsp::MfeParams>(mfe.resolved.params))));
  const DspTablesCode mfe_code = dsp_tables_code(mfe);
  ASSERT_TRUE(mfe_code.present);
  EXPECT_EQ(mfe_code.type, "kiln::dsp::MfeTables");
  size_t count = 0;
  EXPECT_EQ(array_values(mfe_code.definitions, "kDspMelEdges", &count).size(), 42u);
  EXPECT_EQ(mfe_code.definitions.find("kDspDct"), std::string::npos);

  p.dsp_block = "spectrogram";
  p.dsp_params = {};
  p.feature_shape = {99, 65};  // fft_length 128 by default: 65 bins
  p.normalization.mean.assign(65, 0.0f);
  p.normalization.inv_std.assign(65, 1.0f);
  const DspTablesCode spectrogram_code = dsp_tables_code(plan_dsp(p, 4));
  ASSERT_TRUE(spectrogram_code.present);
  EXPECT_EQ(spectrogram_code.type, "kiln::dsp::PowerSpectrumTables");
  EXPECT_EQ(array_values(spectrogram_code.definitions, "kDspTwiddle", &count).size(), 128u);
  EXPECT_NE(spectrogram_code.definitions.find("  t.twiddle = kDspTwiddle;"), std::string::npos);
  EXPECT_EQ(spectrogram_code.definitions.find("kDspMelEdges"), std::string::npos);
}

TEST(DeployTables, BatchBlocksHaveNone) {
  pipeline::TrainedPipeline p;
  p.sensor = "accelerometer";
  p.sample_rate_hz = 100;
  p.axes = 3;
  p.window_frames = 200;
  p.stride_frames = 100;
  p.dsp_block = "raw";
  p.feature_shape = {600};
  p.normalization.mean.assign(600, 0.0f);
  p.normalization.inv_std.assign(600, 1.0f);
  p.labels = {"a", "b"};
  EXPECT_FALSE(dsp_tables_code(plan_dsp(p, 4)).present);
}

}  // namespace
}  // namespace kiln::deploy
