// A small, learnable audio project for tests of the later stages (train, test, deploy, profile):
// two labels of noisy tones at 300 Hz ("low") and 1500 Hz ("high"), imported into a fresh project.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include "project/importer.h"
#include "project/project.h"
#include "project/project_test_util.h"

namespace kiln::testing {

// A tone at `hz` over white noise at 8 kHz, `min_frames` plus up to `spread_frames` long, starting
// after up to `max_offset` frames of noise only.
inline void write_tone(const std::filesystem::path& path, double hz, std::mt19937& rng,
                       size_t min_frames = 2400, size_t spread_frames = 4800,
                       size_t max_offset = 0) {
  const int rate = 8000;
  const size_t length = min_frames + rng() % spread_frames;
  const size_t offset = max_offset > 0 ? rng() % max_offset : 0;
  const double phase = (rng() % 1000) / 1000.0 * 6.283;
  std::vector<int16_t> s(length);
  for (size_t i = 0; i < length; ++i) {
    const double noise = (static_cast<double>(rng() % 2001) - 1000.0) * 2.0;
    const double tone = i >= offset ? 8000.0 * std::sin(6.2831853 * hz * i / rate + phase) : 0.0;
    s[i] = static_cast<int16_t>(tone + noise);
  }
  project::testing::write_wav(path, rate, s);
}

// `per_label` tones of each label under source/low and source/high.
inline void write_tone_dataset(const std::filesystem::path& source, int per_label, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int i = 0; i < per_label; ++i) {
    write_tone(source / "low" / fmt::format("low_{}.wav", i), 300.0, rng);
    write_tone(source / "high" / fmt::format("high_{}.wav", i), 1500.0, rng);
  }
}

// kiln init with `config` in `root`, then kiln import of `source` with the given test fraction.
inline project::Project make_tone_project(const std::filesystem::path& root,
                                          const std::filesystem::path& source,
                                          const project::ProjectConfig& config,
                                          double test_fraction = 0.25) {
  project::init_project(root, config);
  project::Project p = project::open_project(root);
  project::ImportOptions options;
  options.inputs = {source};
  options.test_fraction = test_fraction;
  project::import_samples(p, options);
  return p;
}

}  // namespace kiln::testing
