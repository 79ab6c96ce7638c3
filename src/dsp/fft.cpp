#include "dsp/fft.h"

#include <math.h>
#include <string.h>

namespace kiln {
namespace dsp {

namespace {

const double kTwoPi = 6.283185307179586476925286766559;

bool valid_length(int32_t n) {
  return is_power_of_two(n) && n >= 2 && n <= kMaxFftLength;
}

void layout(RealFft* fft, int32_t n, WorkspaceCarver* carver) {
  fft->n = n;
  fft->twiddle = carve_floats(carver, static_cast<size_t>(n));
  fft->work = carve_floats(carver, static_cast<size_t>(n));
}

// Copies the input into the work buffer with zero padding / truncation to n samples. Seen as
// complex numbers, the buffer then holds z[m] = x[2m] + i x[2m+1].
void load_packed(const RealFft& fft, const float* in, int32_t count) {
  const int32_t n = fft.n;
  const int32_t used = count < 0 ? 0 : (count > n ? n : count);
  if (used > 0) memcpy(fft.work, in, static_cast<size_t>(used) * sizeof(float));
  if (used < n) memset(fft.work + used, 0, static_cast<size_t>(n - used) * sizeof(float));
}

// In-place iterative radix-2 decimation-in-time FFT of the m = n/2 complex values in `z`.
void complex_fft_half(const RealFft& fft) {
  float* z = fft.work;
  const int32_t m = fft.n / 2;
  // Bit-reversal permutation (Gold-Rader counter: j is i with its bits mirrored).
  for (int32_t i = 0, j = 0; i < m; ++i) {
    if (i < j) {
      const float re = z[2 * i], im = z[2 * i + 1];
      z[2 * i] = z[2 * j];
      z[2 * i + 1] = z[2 * j + 1];
      z[2 * j] = re;
      z[2 * j + 1] = im;
    }
    int32_t bit = m >> 1;
    while (bit > 0 && (j & bit)) {
      j ^= bit;
      bit >>= 1;
    }
    j |= bit;
  }
  // Butterflies. For a stage combining blocks of `half` into blocks of 2*half, the twiddle for
  // position k is exp(-2 pi i k / (2 half)) = table[k * n / (2 half)].
  for (int32_t half = 1; half < m; half *= 2) {
    const int32_t table_step = fft.n / (2 * half);
    for (int32_t k = 0; k < half; ++k) {
      const float wr = fft.twiddle[2 * k * table_step];
      const float wi = fft.twiddle[2 * k * table_step + 1];
      for (int32_t start = k; start < m; start += 2 * half) {
        float* a = z + 2 * start;
        float* b = z + 2 * (start + half);
        const float br = b[0] * wr - b[1] * wi;
        const float bi = b[0] * wi + b[1] * wr;
        b[0] = a[0] - br;
        b[1] = a[1] - bi;
        a[0] += br;
        a[1] += bi;
      }
    }
  }
}

// Bin k of the real transform from the half-length complex transform Z:
//   E_k = (Z_k + conj(Z_{m-k})) / 2   (spectrum of the even samples)
//   O_k = (Z_k - conj(Z_{m-k})) / 2i  (spectrum of the odd samples)
//   X_k = E_k + exp(-2 pi i k / n) O_k,  for 0 < k < m.
inline void split_bin(const RealFft& fft, int32_t k, float* re, float* im) {
  const int32_t m = fft.n / 2;
  const float* z = fft.work;
  const float a = z[2 * k], b = z[2 * k + 1];
  const float c = z[2 * (m - k)], d = z[2 * (m - k) + 1];
  const float er = 0.5f * (a + c), ei = 0.5f * (b - d);
  const float orr = 0.5f * (b + d), oi = -0.5f * (a - c);
  const float wr = fft.twiddle[2 * k], wi = fft.twiddle[2 * k + 1];
  *re = er + wr * orr - wi * oi;
  *im = ei + wr * oi + wi * orr;
}

}  // namespace

size_t rfft_workspace_bytes(int32_t n) {
  if (!valid_length(n)) return 0;
  RealFft fft;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  layout(&fft, n, &carver);
  return carver.used;
}

Status rfft_init(RealFft* fft, int32_t n, void* workspace, size_t workspace_bytes) {
  if (!valid_length(n)) return rt::kBadArgument;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  layout(fft, n, &carver);
  if (!carver_ok(carver)) return rt::kBadArgument;
  float* table = const_cast<float*>(fft->twiddle);
  // Computed once in double precision so every entry is correctly rounded to float.
  for (int32_t k = 0; k < n / 2; ++k) {
    const double angle = -kTwoPi * static_cast<double>(k) / static_cast<double>(n);
    table[2 * k] = static_cast<float>(cos(angle));
    table[2 * k + 1] = static_cast<float>(sin(angle));
  }
  return rt::kOk;
}

void rfft_forward(const RealFft& fft, const float* in, int32_t count, float* out) {
  load_packed(fft, in, count);
  complex_fft_half(fft);
  const int32_t m = fft.n / 2;
  // DC and Nyquist bins are real: sum and difference of the even and odd parts of Z_0.
  out[0] = fft.work[0] + fft.work[1];
  out[1] = 0.0f;
  out[2 * m] = fft.work[0] - fft.work[1];
  out[2 * m + 1] = 0.0f;
  for (int32_t k = 1; k < m; ++k) split_bin(fft, k, &out[2 * k], &out[2 * k + 1]);
}

void rfft_power(const RealFft& fft, const float* in, int32_t count, float* power) {
  load_packed(fft, in, count);
  complex_fft_half(fft);
  const int32_t m = fft.n / 2;
  const float dc = fft.work[0] + fft.work[1];
  const float nyquist = fft.work[0] - fft.work[1];
  power[0] = dc * dc;
  power[m] = nyquist * nyquist;
  for (int32_t k = 1; k < m; ++k) {
    float re, im;
    split_bin(fft, k, &re, &im);
    power[k] = re * re + im * im;
  }
}

}  // namespace dsp
}  // namespace kiln
