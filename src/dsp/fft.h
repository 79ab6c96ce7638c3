// Real-input FFT for power-of-two lengths (Kiln's own; no third-party FFT ships in generated code).
//
// A length-n real signal is packed into m = n/2 complex values (even samples as real parts, odd
// samples as imaginary parts), transformed with an iterative radix-2 complex FFT, and split into
// the n/2 + 1 non-negative-frequency bins. Two constant tables drive it: the twiddles
// exp(-2 pi i k / n), k < n/2, and the m-entry bit-reversal permutation, which the load step uses
// to place the samples directly in butterfly order. They are built once (rfft_init, or
// rfft_fill_tables into memory of the caller's choice, e.g. arrays that kiln deploy writes to
// flash), so the transform itself needs no transcendental calls.
#ifndef KILN_DSP_FFT_H_
#define KILN_DSP_FFT_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

struct RealFft {
  int32_t n;                    // transform length, a power of two >= 2
  const float* twiddle;         // n/2 complex values (re, im) of exp(-2 pi i k / n)
  const uint16_t* bit_reverse;  // n/2 entries: position of packed value i after reordering
  float* work;                  // n floats: the packed half-length complex sequence
};

// Sizes of the constant tables of a plan of length n (0 if n is not a supported power of two).
size_t rfft_twiddle_floats(int32_t n);
size_t rfft_bit_reverse_count(int32_t n);

// Fills both tables (rfft_twiddle_floats(n) and rfft_bit_reverse_count(n) entries).
Status rfft_fill_tables(int32_t n, float* twiddle, uint16_t* bit_reverse);

// A plan over tables filled by rfft_fill_tables (possibly long ago, possibly in flash) and a work
// buffer of n floats.
Status rfft_attach(RealFft* fft, int32_t n, const float* twiddle, const uint16_t* bit_reverse,
                   float* work);

// Workspace bytes for a self-contained plan of length n (tables and work buffer; 0 if n is not a
// supported power of two).
size_t rfft_workspace_bytes(int32_t n);

// Lays out the plan in `workspace` and fills its tables. kBadArgument when n is not a power of two
// in [2, kMaxFftLength] or the workspace is too small.
Status rfft_init(RealFft* fft, int32_t n, void* workspace, size_t workspace_bytes);

// Transforms the first `count` samples of `in` (count <= n; the rest is taken as zero, count > n is
// truncated to n) and writes the n/2 + 1 bins as interleaved (re, im) pairs: n + 2 floats.
void rfft_forward(const RealFft& fft, const float* in, int32_t count, float* out);

// Same input convention; writes the n/2 + 1 squared magnitudes |X_k|^2 (unscaled).
void rfft_power(const RealFft& fft, const float* in, int32_t count, float* power);

// Same as rfft_power followed by power[k] *= scale; exactly so when scale is a power of two.
void rfft_power_scaled(const RealFft& fft, const float* in, int32_t count, float scale,
                       float* power);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_FFT_H_
