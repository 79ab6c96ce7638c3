#include "dsp/decimate.h"

#include "dsp/butterworth.h"

namespace kiln {
namespace dsp {

namespace {

const int32_t kMaxStages = 3;

// Splits a valid ratio into stage factors of 3 or 10; returns the number of stages (0 = invalid).
int32_t stage_factors(int32_t ratio, int32_t* factors) {
  switch (ratio) {
    case 1:
      return 0;
    case 3:
    case 10:
      factors[0] = ratio;
      return 1;
    case 30:
      factors[0] = 3;
      factors[1] = 10;
      return 2;
    case 100:
      factors[0] = 10;
      factors[1] = 10;
      return 2;
    case 1000:
      factors[0] = 10;
      factors[1] = 10;
      factors[2] = 10;
      return 3;
    default:
      return -1;
  }
}

size_t stage_length(int32_t factor, size_t n) {
  const size_t q = static_cast<size_t>(factor);
  return n / q + (n % q != 0 ? 1 : 0);
}

size_t decimate_stage(int32_t factor, float* x, size_t n) {
  Butterworth filter;
  // Normalized to a sampling frequency of 1: cutoff 0.8 x (1 / q) / 2.
  butterworth_design(&filter, false, kDecimationFilterOrder, 1.0f,
                     kDecimationCutoffFraction * 0.5f / static_cast<float>(factor));
  const float first = x[0];
  for (size_t i = 0; i < n; ++i) x[i] -= first;
  butterworth_apply(filter, x, n);
  // Forward compaction in place is safe: the source index i q is never below the target i.
  const size_t m = stage_length(factor, n);
  const size_t q = static_cast<size_t>(factor);
  for (size_t i = 0; i < m; ++i) x[i] = x[i * q] + first;
  return m;
}

}  // namespace

bool decimation_ratio_valid(int32_t ratio) {
  int32_t factors[kMaxStages];
  return stage_factors(ratio, factors) >= 0;
}

size_t decimated_length(int32_t ratio, size_t n) {
  int32_t factors[kMaxStages];
  const int32_t stages = stage_factors(ratio, factors);
  if (stages < 0) return 0;
  for (int32_t s = 0; s < stages; ++s) n = stage_length(factors[s], n);
  return n;
}

size_t decimate_in_place(int32_t ratio, float* samples, size_t n) {
  int32_t factors[kMaxStages];
  const int32_t stages = stage_factors(ratio, factors);
  if (stages < 0) return 0;
  for (int32_t s = 0; s < stages && n > 0; ++s) n = decimate_stage(factors[s], samples, n);
  return n;
}

}  // namespace dsp
}  // namespace kiln
