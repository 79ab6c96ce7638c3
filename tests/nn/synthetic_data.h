// Small generated data sets for training tests.
#pragma once

#include <cmath>
#include <numbers>

#include "nn/random.h"
#include "nn/trainer.h"

namespace kiln::nn::testing {

// Standard normal by Box-Muller from the portable uniform.
inline float normal(Rng& rng) {
  const float u1 = 1.0f - rng.uniform();  // (0, 1]
  const float u2 = rng.uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(2.0f * std::numbers::pi_v<float> * u2);
}

// Points around the given 2-D centres with spread `sigma`; the label is the centre's class.
inline Dataset blobs(const std::vector<std::array<float, 2>>& centres,
                     const std::vector<int32_t>& classes, int per_centre, float sigma,
                     uint32_t seed) {
  Rng rng(seed);
  Dataset d;
  const int n = per_centre * static_cast<int>(centres.size());
  d.features = Tensor({n, 2});
  for (int i = 0; i < n; ++i) {
    const size_t c = static_cast<size_t>(i) % centres.size();
    d.features.values[2 * i] = centres[c][0] + sigma * normal(rng);
    d.features.values[2 * i + 1] = centres[c][1] + sigma * normal(rng);
    d.labels.push_back(classes[c]);
  }
  return d;
}

// Sequences of shape [frames, coefficients] whose class is where a bump sits in time, plus noise:
// learnable by a small conv1d.
inline Dataset bump_sequences(int samples, int frames, int coefficients, int classes,
                              uint32_t seed) {
  Rng rng(seed);
  Dataset d;
  d.features = Tensor({samples, frames, coefficients});
  for (int i = 0; i < samples; ++i) {
    const int label = i % classes;
    const int centre = (2 * label + 1) * frames / (2 * classes);
    for (int t = 0; t < frames; ++t)
      for (int k = 0; k < coefficients; ++k) {
        const float bump = std::abs(t - centre) <= 1 ? 1.0f : 0.0f;
        d.features.values[(static_cast<int64_t>(i) * frames + t) * coefficients + k] =
            bump + 0.3f * normal(rng);
      }
    d.labels.push_back(label);
  }
  return d;
}

}  // namespace kiln::nn::testing
