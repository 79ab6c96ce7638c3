#include "pipeline/augment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.h"

namespace kiln::pipeline {

double uniform01(Rng& rng) {
  static_assert(Rng::min() == 0 && Rng::max() == std::numeric_limits<uint64_t>::max());
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

int64_t uniform_int(Rng& rng, int64_t lo, int64_t hi) {
  if (lo > hi) throw Error(fmt::format("uniform_int: empty range [{}, {}]", lo, hi));
  // Unsigned arithmetic: hi - lo may exceed INT64_MAX; wrapping is defined for uint64_t.
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == std::numeric_limits<uint64_t>::max()) return static_cast<int64_t>(rng());
  const uint64_t count = span + 1;
  // Draws at or above the largest multiple of count would favour small values; redraw them.
  const uint64_t limit = std::numeric_limits<uint64_t>::max() -
                         (std::numeric_limits<uint64_t>::max() % count + 1) % count;
  uint64_t r = rng();
  while (r > limit) r = rng();
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + r % count);
}

double standard_normal(Rng& rng) {
  // 1 - u lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform01(rng)));
  const double angle = 2.0 * std::numbers::pi * uniform01(rng);
  return radius * std::cos(angle);
}

void augment_signal(std::vector<float>& samples, int axes, double sample_rate_hz,
                    const project::AugmentationConfig& config, Rng& rng) {
  if (axes <= 0 || samples.size() % static_cast<size_t>(axes) != 0) {
    throw Error(fmt::format("augment_signal: {} samples do not form frames of {} axes",
                            samples.size(), axes));
  }
  const size_t n_axes = static_cast<size_t>(axes);
  const size_t frames = samples.size() / n_axes;

  if (config.speed_percent > 0 && frames > 1) {
    // Played faster or slower (tempo and pitch together, like tape): output frame i reads the
    // input at i * r by linear interpolation; frames past the end of the input are 0.
    const double r = 1.0 + (2.0 * uniform01(rng) - 1.0) * config.speed_percent / 100.0;
    const std::vector<float> in = samples;
    for (size_t f = 0; f < frames; ++f) {
      const double pos = static_cast<double>(f) * r;
      const size_t i0 = static_cast<size_t>(pos);
      for (size_t a = 0; a < n_axes; ++a) {
        float v = 0.0f;
        if (i0 + 1 < frames) {
          const double t = pos - static_cast<double>(i0);
          v = static_cast<float>(in[i0 * n_axes + a] * (1.0 - t) + in[(i0 + 1) * n_axes + a] * t);
        } else if (i0 + 1 == frames) {
          v = in[i0 * n_axes + a];
        }
        samples[f * n_axes + a] = v;
      }
    }
  }

  if (config.gain_db > 0) {
    const double gain_db = (2.0 * uniform01(rng) - 1.0) * config.gain_db;
    const double factor = std::pow(10.0, gain_db / 20.0);
    for (float& x : samples) x = static_cast<float>(x * factor);
  }

  if (config.time_shift_ms > 0) {
    if (!(sample_rate_hz > 0) || !std::isfinite(sample_rate_hz)) {
      throw Error(
          fmt::format("augment_signal: cannot shift at a sample rate of {} Hz", sample_rate_hz));
    }
    const double max_frames = std::floor(config.time_shift_ms * sample_rate_hz / 1000.0);
    const int64_t limit = static_cast<int64_t>(std::min(max_frames, static_cast<double>(frames)));
    if (limit > 0) {
      const int64_t shift = uniform_int(rng, -limit, limit);
      const size_t moved = static_cast<size_t>(shift < 0 ? -shift : shift) * n_axes;
      if (shift > 0) {
        std::copy_backward(samples.begin(), samples.end() - static_cast<ptrdiff_t>(moved),
                           samples.end());
        std::fill(samples.begin(), samples.begin() + static_cast<ptrdiff_t>(moved), 0.0f);
      } else if (shift < 0) {
        std::copy(samples.begin() + static_cast<ptrdiff_t>(moved), samples.end(), samples.begin());
        std::fill(samples.end() - static_cast<ptrdiff_t>(moved), samples.end(), 0.0f);
      }
    }
  }

  if (config.noise_snr_db > 0 && frames > 0) {
    const double amplitude_ratio = std::pow(10.0, config.noise_snr_db / 20.0);
    for (size_t a = 0; a < n_axes; ++a) {
      double power = 0;
      for (size_t f = 0; f < frames; ++f) {
        const double x = samples[f * n_axes + a];
        power += x * x;
      }
      const double rms = std::sqrt(power / static_cast<double>(frames));
      if (rms == 0) continue;
      const double sigma = rms / amplitude_ratio;
      for (size_t f = 0; f < frames; ++f) {
        float& x = samples[f * n_axes + a];
        x = static_cast<float>(x + sigma * standard_normal(rng));
      }
    }
  }
}

void augment_features(std::vector<float>& features, int frames, int coefficients,
                      const project::AugmentationConfig& config, Rng& rng) {
  if (frames < 0 || coefficients < 0 ||
      features.size() != static_cast<size_t>(frames) * static_cast<size_t>(coefficients)) {
    throw Error(fmt::format("augment_features: {} features are not {} frames x {} coefficients",
                            features.size(), frames, coefficients));
  }
  const bool time = config.time_masks > 0 && frames > 0;
  const bool frequency = config.frequency_masks > 0 && coefficients > 0;
  if (config.mask_width <= 0 || (!time && !frequency) || features.empty()) return;

  double sum = 0;
  for (float x : features) sum += x;
  const float fill = static_cast<float>(sum / static_cast<double>(features.size()));
  const size_t cols = static_cast<size_t>(coefficients);

  if (time) {
    const int width = std::min(config.mask_width, frames);
    for (int m = 0; m < config.time_masks; ++m) {
      const size_t start = static_cast<size_t>(uniform_int(rng, 0, frames - width));
      std::fill(features.begin() + static_cast<ptrdiff_t>(start * cols),
                features.begin() + static_cast<ptrdiff_t>((start + width) * cols), fill);
    }
  }
  if (frequency) {
    const int width = std::min(config.mask_width, coefficients);
    for (int m = 0; m < config.frequency_masks; ++m) {
      const size_t start = static_cast<size_t>(uniform_int(rng, 0, coefficients - width));
      for (size_t f = 0; f < static_cast<size_t>(frames); ++f) {
        std::fill_n(features.begin() + static_cast<ptrdiff_t>(f * cols + start), width, fill);
      }
    }
  }
}

}  // namespace kiln::pipeline
