// Triangular mel filterbank over a power spectrum, placed the way the Edge Impulse reference
// (speechpy-derived) places it.
//
// Edges: num_filters + 2 points equally spaced on the mel scale mel(f) = 1127 ln(1 + f / 700)
// between low and high frequency, converted back to Hz, clamped to [low, high], and mapped to FFT
// bins with bin = floor((B + 1) * f / fs). B is fft_length for implementation version >= 4; older
// versions use fft_length/2 + 1 (a reference bug that squeezes the filters towards low
// frequencies). The last edge is lowered by 0.001 Hz first, as speechpy's float rounding did.
//
// Filter i spans bins left = edge[i], middle = edge[i+1], right = edge[i+2]:
//   out[i] = P[middle] + sum_{left < b < middle} (b - left) / (middle - left) P[b]
//                      + sum_{middle < b < right} (right - b) / (right - middle) P[b]
// (edge bins get weight 0, the middle weight 1). Weights are tabulated once at build time.
#ifndef KILN_DSP_MEL_FILTERBANK_H_
#define KILN_DSP_MEL_FILTERBANK_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

struct MelFilterbankSpec {
  int32_t num_filters;
  int32_t fft_length;
  float sampling_frequency;
  float low_frequency;   // Hz, already resolved (no 0 = default here)
  float high_frequency;  // Hz, already resolved, <= sampling_frequency / 2
  int32_t implementation_version;
  bool exact_log;  // false: the reference's approximate ln in the mel conversion
};

struct MelFilterbank {
  int32_t num_filters;
  const int32_t* edges;         // num_filters + 2 FFT bins
  const int32_t* weight_start;  // num_filters + 1 offsets into weights
  const float* weights;         // per filter: rising-edge weights, then falling-edge weights
};

// Resolves block parameters into a spec the way the reference does: high_frequency 0 means half
// the (integer) sampling rate, and before version 4 a low_frequency of 0 means 300 Hz.
MelFilterbankSpec mel_filterbank_spec(int32_t num_filters, int32_t fft_length,
                                      float sampling_frequency, float low_frequency,
                                      float high_frequency, int32_t implementation_version,
                                      bool exact_log);

// Null when the spec is usable, else a static message.
const char* mel_filterbank_check(const MelFilterbankSpec& spec);

// Number of weights of the filterbank's table (0 for an invalid spec). The edge table has
// num_filters + 2 entries, the weight_start table num_filters + 1.
int32_t mel_filterbank_weight_count(const MelFilterbankSpec& spec);

// Fills the three tables (edges, weight_start, weights) of a valid spec.
Status mel_filterbank_fill(const MelFilterbankSpec& spec, int32_t* edges, int32_t* weight_start,
                           float* weights);

// Lays out (and, with a real workspace, builds) the filterbank.
Status mel_filterbank_init(MelFilterbank* bank, const MelFilterbankSpec& spec,
                           WorkspaceCarver* carver);

// The FFT bin of edge `index` (0 .. num_filters + 1).
int32_t mel_edge_bin(const MelFilterbankSpec& spec, int32_t index);

// out[i] for every filter from the fft_length/2 + 1 power values.
void mel_filterbank_apply(const MelFilterbank& bank, const float* power, float* out);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_MEL_FILTERBANK_H_
