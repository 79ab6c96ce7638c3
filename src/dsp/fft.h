// Real-input FFT for power-of-two lengths (Kiln's own; no third-party FFT ships in generated code).
//
// A length-n real signal is packed into n/2 complex values (even samples as real parts, odd
// samples as imaginary parts), transformed with an iterative radix-2 complex FFT, and split into
// the n/2 + 1 non-negative-frequency bins. The twiddle table exp(-2 pi i k / n), k < n/2, is built
// once at init, so the transform itself needs no transcendental calls.
#ifndef KILN_DSP_FFT_H_
#define KILN_DSP_FFT_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

struct RealFft {
  int32_t n;             // transform length, a power of two >= 2
  const float* twiddle;  // n/2 complex values (re, im) of exp(-2 pi i k / n)
  float* work;           // n floats: the packed half-length complex sequence
};

// Workspace bytes for a plan of length n (0 if n is not a supported power of two).
size_t rfft_workspace_bytes(int32_t n);

// Lays out the plan in `workspace` and fills the twiddle table. kBadArgument when n is not a power
// of two in [2, kMaxFftLength] or the workspace is too small.
Status rfft_init(RealFft* fft, int32_t n, void* workspace, size_t workspace_bytes);

// Transforms the first `count` samples of `in` (count <= n; the rest is taken as zero, count > n is
// truncated to n) and writes the n/2 + 1 bins as interleaved (re, im) pairs: n + 2 floats.
void rfft_forward(const RealFft& fft, const float* in, int32_t count, float* out);

// Same input convention; writes the n/2 + 1 squared magnitudes |X_k|^2 (unscaled).
void rfft_power(const RealFft& fft, const float* in, int32_t count, float* power);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_FFT_H_
