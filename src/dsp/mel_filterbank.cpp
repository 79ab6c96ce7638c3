#include "dsp/mel_filterbank.h"

#include <math.h>

#include "dsp/reference_log.h"

namespace kiln {
namespace dsp {

namespace {

// The arithmetic below stays in float, step by step, like the reference, so that edges land in
// the same bins (a bin index is a floor, so a different rounding could move an edge).
float hz_to_mel(float hz, bool exact) {
  return 1127.0f * natural_log(1.0f + hz / 700.0f, exact);
}
float mel_to_hz(float mel) {
  return 700.0f * (expf(mel / 1127.0f) - 1.0f);
}

int32_t bin_scale(const MelFilterbankSpec& spec) {
  return spec.implementation_version >= 4 ? spec.fft_length : spec.fft_length / 2 + 1;
}

// Number of rising and falling weights of filter i, matching the loops in apply().
void filter_extent(int32_t left, int32_t middle, int32_t right, int32_t* rising_begin,
                   int32_t* rising_end, int32_t* falling_begin, int32_t* falling_end) {
  *rising_begin = left + 1;
  *rising_end = middle < right ? middle : right;
  *falling_begin = (middle > left ? middle : left) + 1;
  *falling_end = right;
}

int32_t span(int32_t begin, int32_t end) {
  return end > begin ? end - begin : 0;
}

}  // namespace

MelFilterbankSpec mel_filterbank_spec(int32_t num_filters, int32_t fft_length,
                                      float sampling_frequency, float low_frequency,
                                      float high_frequency, int32_t implementation_version,
                                      bool exact_log) {
  MelFilterbankSpec spec;
  spec.exact_log = exact_log;
  spec.num_filters = num_filters;
  spec.fft_length = fft_length;
  spec.sampling_frequency = sampling_frequency;
  spec.implementation_version = implementation_version;
  const uint32_t rate = sampling_frequency > 0.0f && sampling_frequency < 4.0e9f
                            ? static_cast<uint32_t>(sampling_frequency)
                            : 0u;
  spec.high_frequency = high_frequency == 0.0f ? static_cast<float>(rate / 2u) : high_frequency;
  spec.low_frequency =
      (implementation_version < 4 && low_frequency == 0.0f) ? 300.0f : low_frequency;
  return spec;
}

const char* mel_filterbank_check(const MelFilterbankSpec& spec) {
  if (spec.num_filters < 1 || spec.num_filters > 1024) return "num_filters must be in [1, 1024]";
  if (!(spec.low_frequency >= 0.0f)) return "low_frequency must not be negative";
  if (!(spec.high_frequency <= spec.sampling_frequency / 2.0f)) {
    return "high_frequency must not exceed half the sampling frequency";
  }
  if (!(spec.low_frequency < spec.high_frequency)) {
    return "low_frequency must be below high_frequency";
  }
  return NULL;
}

int32_t mel_edge_bin(const MelFilterbankSpec& spec, int32_t index) {
  const int32_t points = spec.num_filters + 2;
  const float mel_low = hz_to_mel(spec.low_frequency, spec.exact_log);
  const float mel_high = hz_to_mel(spec.high_frequency, spec.exact_log);
  const float step = (mel_high - mel_low) / static_cast<float>(points - 1);
  float hz;
  if (index == points - 1) {
    hz = mel_to_hz(mel_high);
    if (hz > spec.high_frequency) hz = spec.high_frequency;
    hz = static_cast<float>(static_cast<double>(hz) - 0.001);
  } else {
    hz = mel_to_hz(mel_low + static_cast<float>(index) * step);
    if (hz < spec.low_frequency) hz = spec.low_frequency;
    if (hz > spec.high_frequency) hz = spec.high_frequency;
  }
  int32_t bin = static_cast<int32_t>(
      floorf(static_cast<float>(bin_scale(spec) + 1) * hz / spec.sampling_frequency));
  // Cannot trigger for valid specs (high <= fs / 2); keeps every table access in range regardless.
  const int32_t last_bin = spec.fft_length / 2;
  if (bin < 0) bin = 0;
  if (bin > last_bin) bin = last_bin;
  return bin;
}

int32_t mel_filterbank_weight_count(const MelFilterbankSpec& spec) {
  if (mel_filterbank_check(spec) != NULL) return 0;
  // Counted exactly (edges are cheap to recompute) so the table is no bigger than needed.
  int32_t total = 0;
  for (int32_t i = 0; i < spec.num_filters; ++i) {
    int32_t rb, re, fb, fe;
    filter_extent(mel_edge_bin(spec, i), mel_edge_bin(spec, i + 1), mel_edge_bin(spec, i + 2), &rb,
                  &re, &fb, &fe);
    total += span(rb, re) + span(fb, fe);
  }
  return total;
}

Status mel_filterbank_fill(const MelFilterbankSpec& spec, int32_t* edges, int32_t* starts,
                           float* weights) {
  if (mel_filterbank_check(spec) != NULL) return rt::kBadArgument;
  const int32_t nf = spec.num_filters;
  for (int32_t i = 0; i < nf + 2; ++i) edges[i] = mel_edge_bin(spec, i);
  int32_t at = 0;
  for (int32_t i = 0; i < nf; ++i) {
    const int32_t left = edges[i], middle = edges[i + 1], right = edges[i + 2];
    int32_t rb, re, fb, fe;
    filter_extent(left, middle, right, &rb, &re, &fb, &fe);
    starts[i] = at;
    for (int32_t b = rb; b < re; ++b) {
      weights[at++] =
          (static_cast<float>(b) - static_cast<float>(left)) / static_cast<float>(middle - left);
    }
    for (int32_t b = fb; b < fe; ++b) {
      weights[at++] =
          (static_cast<float>(right) - static_cast<float>(b)) / static_cast<float>(right - middle);
    }
  }
  starts[nf] = at;
  return rt::kOk;
}

Status mel_filterbank_init(MelFilterbank* bank, const MelFilterbankSpec& spec,
                           WorkspaceCarver* carver) {
  if (mel_filterbank_check(spec) != NULL) return rt::kBadArgument;
  const int32_t nf = spec.num_filters;
  const int32_t total = mel_filterbank_weight_count(spec);
  int32_t* edges = carve_ints(carver, static_cast<size_t>(nf + 2));
  int32_t* starts = carve_ints(carver, static_cast<size_t>(nf + 1));
  float* weights = carve_floats(carver, static_cast<size_t>(total > 0 ? total : 1));
  bank->num_filters = nf;
  bank->edges = edges;
  bank->weight_start = starts;
  bank->weights = weights;
  if (carver->base == NULL) return rt::kOk;
  if (carver->overflow) return rt::kBadArgument;
  return mel_filterbank_fill(spec, edges, starts, weights);
}

void mel_filterbank_apply(const MelFilterbank& bank, const float* power, float* out) {
  for (int32_t i = 0; i < bank.num_filters; ++i) {
    const int32_t left = bank.edges[i], middle = bank.edges[i + 1], right = bank.edges[i + 2];
    int32_t rb, re, fb, fe;
    filter_extent(left, middle, right, &rb, &re, &fb, &fe);
    const float* w = bank.weights + bank.weight_start[i];
    // Middle first, then ascending bins: the reference's summation order.
    float sum = power[middle];
    for (int32_t b = rb; b < re; ++b) sum += *w++ * power[b];
    for (int32_t b = fb; b < fe; ++b) sum += *w++ * power[b];
    out[i] = sum;
  }
}

}  // namespace dsp
}  // namespace kiln
