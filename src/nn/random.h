// Seeded random numbers whose sequence is fixed by the seed alone. std::mt19937's output is
// specified by the C++ standard, but the standard distributions and std::shuffle are not (they
// differ between library implementations), so the conversions to floats, bounded integers and
// permutations are written out here.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace kiln::nn {

class Rng {
 public:
  explicit Rng(uint32_t seed) : engine_(seed) {}

  uint32_t next_u32() { return static_cast<uint32_t>(engine_()); }
  // Uniform in [0, 1) with 24 random bits: every value is exactly representable in float.
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }
  float uniform(float low, float high) { return low + (high - low) * uniform(); }
  // Uniform integer in [0, n) by rejection, so no value is favoured. n must be > 0.
  uint32_t below(uint32_t n);
  // Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      const size_t j = below(static_cast<uint32_t>(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  std::mt19937 engine_;
};

// SplitMix64 (Steele, Lea & Flood): a tiny, fast generator of 64-bit words, used where a layer
// needs many random bits per step (dropout masks) and mt19937 would dominate the step's time.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Derives an independent seed for a sub-stream (a layer, the shuffler) from a base seed.
uint32_t derive_seed(uint32_t base, uint32_t stream);

}  // namespace kiln::nn
