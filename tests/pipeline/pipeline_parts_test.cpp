// The small parts of the pipeline: windowing, normalization statistics, pipeline.json.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "dsp/normalize.h"
#include "pipeline/normalization.h"
#include "pipeline/trained_pipeline.h"
#include "pipeline/window_features.h"

namespace kiln::pipeline {
namespace {

data::Signal ramp(size_t frames, int axes) {
  data::Signal s;
  s.sampling_frequency_hz = 100;
  s.axes = axes;
  for (size_t i = 0; i < frames * static_cast<size_t>(axes); ++i) s.samples.push_back(i + 1.0f);
  return s;
}

TEST(CutWindows, SlidesWholeWindowsAndDropsTheTail) {
  const auto w = cut_windows(ramp(10, 2), 4, 3, true);
  ASSERT_EQ(w.size(), 3u);                // starts 0, 3, 6; a window at 9 would run past the end
  EXPECT_EQ(w[1].samples.front(), 7.0f);  // frame 3, axis 0 = value 3 * 2 + 1
  EXPECT_EQ(w[2].samples.back(), 20.0f);
  EXPECT_EQ(w[0].samples.size(), 8u);
}

TEST(CutWindows, PadsShortSignalsOnlyWhenAsked) {
  const auto padded = cut_windows(ramp(3, 1), 5, 5, true);
  ASSERT_EQ(padded.size(), 1u);
  EXPECT_EQ(padded[0].samples, (std::vector<float>{1, 2, 3, 0, 0}));
  EXPECT_TRUE(cut_windows(ramp(3, 1), 5, 5, false).empty());
  EXPECT_TRUE(cut_windows(ramp(0, 1), 5, 5, true).empty());
}

TEST(Normalization, MeanAndInverseStdPerChannel) {
  // Channel 0 takes 1, 3, 5, 7 (mean 4, population std sqrt(5)); channel 1 is constant.
  const std::vector<std::vector<float>> f = {{1, 9, 3, 9}, {5, 9, 7, 9}};
  const NormalizationStats s = compute_normalization(f, 2);
  EXPECT_FLOAT_EQ(s.mean[0], 4.0f);
  EXPECT_FLOAT_EQ(s.inv_std[0], static_cast<float>(1.0 / std::sqrt(5.0)));
  EXPECT_FLOAT_EQ(s.mean[1], 9.0f);
  EXPECT_EQ(s.inv_std[1], 1.0f);
  std::vector<float> v = {7, 9};
  dsp::normalize_features(v.data(), v.size(), s.mean.data(), s.inv_std.data(), 2);
  EXPECT_FLOAT_EQ(v[0], static_cast<float>(3.0 / std::sqrt(5.0)));
  EXPECT_EQ(v[1], 0.0f);
}

TrainedPipeline sample_pipeline() {
  TrainedPipeline p;
  p.sensor = "audio";
  p.sample_rate_hz = 16000;
  p.axes = 1;
  p.window_frames = 16000;
  p.stride_frames = 8000;
  p.dsp_block = "mfcc";
  p.dsp_params = {{"num_cepstral", "13"}};
  p.feature_shape = {49, 13};
  p.normalization.mean.assign(13, 0.5f);
  p.normalization.inv_std.assign(13, 2.0f);
  p.labels = {"no", "yes"};
  return p;
}

TEST(TrainedPipelineJson, RoundTrips) {
  TrainedPipeline p = sample_pipeline();
  p.anomaly = AnomalyModel{2, 49 * 13, std::vector<float>(2 * 49 * 13, 0.25f), 3.5f};
  const TrainedPipeline q = pipeline_from_json(pipeline_to_json(p), "x");
  EXPECT_EQ(pipeline_to_json(q), pipeline_to_json(p));
  EXPECT_EQ(q.feature_count(), 49 * 13);
  EXPECT_EQ(q.anomaly->threshold, 3.5f);
}

TEST(TrainedPipelineJson, RejectsInconsistentFiles) {
  nlohmann::json j = pipeline_to_json(sample_pipeline());
  j["features"]["mean"] = std::vector<float>(12, 0.0f);
  EXPECT_THROW(pipeline_from_json(j, "x"), Error);
  j = pipeline_to_json(sample_pipeline());
  j["input"].erase("axes");
  EXPECT_THROW(pipeline_from_json(j, "x"), Error);
  j = pipeline_to_json(sample_pipeline());
  j["input"]["sensor"] = "radar";
  EXPECT_THROW(pipeline_from_json(j, "x"), Error);
  EXPECT_THROW(pipeline_from_json(nlohmann::json::array(), "x"), Error);
}

}  // namespace
}  // namespace kiln::pipeline
