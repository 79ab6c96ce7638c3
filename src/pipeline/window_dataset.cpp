#include "pipeline/window_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "pipeline/augment.h"
#include "pipeline/window_features.h"

namespace kiln::pipeline {

namespace {

bool is_silent(const std::vector<float>& samples) {
  return std::all_of(samples.begin(), samples.end(), [](float v) { return v == 0.0f; });
}

struct SampleWindows {
  std::vector<std::vector<float>> features;
  std::vector<bool> augmented;
};

SampleWindows sample_windows_features(const TrainedPipeline& p, const std::filesystem::path& file,
                                      size_t position, const WindowSetOptions& options) {
  SampleWindows out;
  const data::BlockInput input = load_sample(p, file);
  const std::vector<data::BlockInput> windows = sample_windows(p, input, p.zero_pad);
  const bool audio_like = p.feature_shape.size() == 2;
  for (size_t w = 0; w < windows.size(); ++w) {
    std::vector<float> f = raw_features(p, windows[w]);
    if (options.normalize) normalize(p, f);
    out.features.push_back(std::move(f));
    out.augmented.push_back(false);
    for (int copy = 0; copy < options.copies; ++copy) {
      // One generator per (sample, window, copy): independent of which thread runs it.
      Rng rng(options.seed * 0x9E3779B97F4A7C15ull + position * 1000003ull + w * 7919ull +
              static_cast<uint64_t>(copy) + 1);
      std::vector<float> a;
      if (std::holds_alternative<data::Signal>(windows[w])) {
        const data::Signal& original = std::get<data::Signal>(windows[w]);
        data::Signal s = original;
        // A shift can move all of a short sound out of its window. Digital silence is not a
        // realistic input (some blocks, like MFCC's variance normalization, map it to extreme
        // values that would wreck batchnorm statistics), so draw again, or keep the original.
        for (int attempt = 0; attempt < 4; ++attempt) {
          s = original;
          augment_signal(s.samples, s.axes, s.sampling_frequency_hz, options.augmentation, rng);
          if (!is_silent(s.samples) || is_silent(original.samples)) break;
          s = original;
        }
        a = raw_features(p, s);
      } else {
        a = raw_features(p, windows[w]);
      }
      if (options.normalize) normalize(p, a);
      if (audio_like) {
        augment_features(a, static_cast<int>(p.feature_shape[0]),
                         static_cast<int>(p.feature_shape[1]), options.augmentation, rng);
      }
      out.features.push_back(std::move(a));
      out.augmented.push_back(true);
    }
  }
  return out;
}

}  // namespace

WindowSet build_window_set(const TrainedPipeline& p, const std::filesystem::path& root,
                           const std::vector<project::SampleRecord>& samples,
                           const WindowSetOptions& options) {
  std::vector<SampleWindows> per_sample(samples.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex error_mutex, progress_mutex;
  std::exception_ptr error;
  auto work = [&] {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= samples.size()) return;
      {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error) return;
      }
      try {
        per_sample[i] = sample_windows_features(p, root / samples[i].path, i, options);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) {
          error = std::make_exception_ptr(
              Error(fmt::format("sample {} ({}): {}", samples[i].id, samples[i].source, e.what())));
        }
        return;
      }
      const size_t d = done.fetch_add(1) + 1;
      if (options.progress) {
        try {
          std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress(d, samples.size());
        } catch (...) {
          // The callback may stop the work (a cancelled job): its exception reaches the caller
          // as thrown, once the other workers have finished the sample they are on.
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) error = std::current_exception();
          return;
        }
      }
    }
  };
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);

  WindowSet set;
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto it = std::find(p.labels.begin(), p.labels.end(), samples[i].label);
    const int32_t label = it == p.labels.end() ? -1 : static_cast<int32_t>(it - p.labels.begin());
    for (size_t w = 0; w < per_sample[i].features.size(); ++w) {
      set.features.push_back(std::move(per_sample[i].features[w]));
      set.labels.push_back(label);
      set.sample_of.push_back(static_cast<int32_t>(i));
      set.augmented.push_back(per_sample[i].augmented[w]);
    }
  }
  return set;
}

}  // namespace kiln::pipeline
