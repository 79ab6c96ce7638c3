#include "nn/random.h"

namespace kiln::nn {

uint32_t Rng::below(uint32_t n) {
  // Reject the top partial block of 2^32 so that every residue is equally likely.
  const uint32_t limit = UINT32_MAX - (UINT32_MAX % n + 1) % n;
  uint32_t r = next_u32();
  while (r > limit) r = next_u32();
  return r % n;
}

uint32_t derive_seed(uint32_t base, uint32_t stream) {
  // splitmix64 finaliser: nearby (base, stream) pairs give unrelated seeds.
  uint64_t z = (static_cast<uint64_t>(base) << 32 | stream) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<uint32_t>(z);
}

}  // namespace kiln::nn
