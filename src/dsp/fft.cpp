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

struct PlanLayout {
  float* twiddle;
  uint16_t* bit_reverse;
  float* work;
};

PlanLayout layout(int32_t n, WorkspaceCarver* carver) {
  PlanLayout l;
  l.twiddle = carve_floats(carver, rfft_twiddle_floats(n));
  l.bit_reverse =
      static_cast<uint16_t*>(carve_bytes(carver, rfft_bit_reverse_count(n) * sizeof(uint16_t)));
  l.work = carve_floats(carver, static_cast<size_t>(n));
  return l;
}

// Packs the input into the work buffer in bit-reversed order: z[rev(i)] = x[2i] + i x[2i+1], with
// zero padding / truncation to n samples. One pass replaces a copy followed by swaps.
void load_reordered(const RealFft& fft, const float* in, int32_t count) {
  const int32_t n = fft.n;
  const int32_t m = n / 2;
  const int32_t used = count < 0 ? 0 : (count > n ? n : count);
  float* z = fft.work;
  const uint16_t* rev = fft.bit_reverse;
  if (used == n) {
    for (int32_t i = 0; i < m; ++i) {
      float* slot = z + 2 * rev[i];
      slot[0] = in[2 * i];
      slot[1] = in[2 * i + 1];
    }
    return;
  }
  for (int32_t i = 0; i < m; ++i) {
    float* slot = z + 2 * rev[i];
    slot[0] = 2 * i < used ? in[2 * i] : 0.0f;
    slot[1] = 2 * i + 1 < used ? in[2 * i + 1] : 0.0f;
  }
}

// In-place radix-2 decimation-in-time butterflies over the m = n/2 bit-reversed complex values.
void complex_fft_half(const RealFft& fft) {
  float* z = fft.work;
  const int32_t m = fft.n / 2;
  int32_t half = 1;
  if (m >= 4) {
    // The first two stages together: their twiddles are 1 and -i, so no multiplications.
    for (int32_t g = 0; g < m; g += 4) {
      float* p = z + 2 * g;
      const float t0r = p[0] + p[2], t0i = p[1] + p[3];
      const float t1r = p[0] - p[2], t1i = p[1] - p[3];
      const float t2r = p[4] + p[6], t2i = p[5] + p[7];
      const float t3r = p[4] - p[6], t3i = p[5] - p[7];
      p[0] = t0r + t2r;
      p[1] = t0i + t2i;
      p[4] = t0r - t2r;
      p[5] = t0i - t2i;
      // t3 * (-i) = (t3i, -t3r)
      p[2] = t1r + t3i;
      p[3] = t1i - t3r;
      p[6] = t1r - t3i;
      p[7] = t1i + t3r;
    }
    half = 4;
  } else if (m == 2) {
    const float ar = z[0], ai = z[1];
    z[0] = ar + z[2];
    z[1] = ai + z[3];
    z[2] = ar - z[2];
    z[3] = ai - z[3];
    return;
  }
  // Remaining stages, two at a time where possible (radix 2^2): stage `half` combines blocks of
  // half into blocks of 2 half with twiddle w1 = exp(-2 pi i k / (2 half)) = table[k n / (2 half)],
  // and stage 2 half the results with w2 = table[k n / (4 half)] and, for the second quarter,
  // exp(-2 pi i (k + half) / (4 half)) = -i w2. Doing both in one pass halves the loads and stores;
  // the arithmetic is that of two radix-2 passes.
  for (; 4 * half <= m; half *= 4) {
    const int32_t step1 = 2 * (fft.n / (2 * half));  // table floats between w1 entries
    const int32_t step2 = step1 / 2;                 // ... between w2 entries
    for (float* block = z; block < z + 2 * m; block += 8 * half) {
      const float* t1 = fft.twiddle;
      const float* t2 = fft.twiddle;
      float* a = block;
      float* b = block + 2 * half;
      float* c = block + 4 * half;
      float* d = block + 6 * half;
      for (int32_t k = 0; k < half; ++k) {
        const float w1r = t1[0], w1i = t1[1];
        const float w2r = t2[0], w2i = t2[1];
        // Stage half: (a, b) and (c, d), both with w1.
        const float br = b[0] * w1r - b[1] * w1i;
        const float bi = b[0] * w1i + b[1] * w1r;
        const float dr = d[0] * w1r - d[1] * w1i;
        const float di = d[0] * w1i + d[1] * w1r;
        const float a1r = a[0] + br, a1i = a[1] + bi;
        const float b1r = a[0] - br, b1i = a[1] - bi;
        const float c1r = c[0] + dr, c1i = c[1] + di;
        const float d1r = c[0] - dr, d1i = c[1] - di;
        // Stage 2 half: (a1, c1) with w2, (b1, d1) with w3 = -i w2 = (w2i, -w2r).
        const float cr = c1r * w2r - c1i * w2i;
        const float ci = c1r * w2i + c1i * w2r;
        const float er = d1r * w2i + d1i * w2r;
        const float ei = d1i * w2i - d1r * w2r;
        a[0] = a1r + cr;
        a[1] = a1i + ci;
        c[0] = a1r - cr;
        c[1] = a1i - ci;
        b[0] = b1r + er;
        b[1] = b1i + ei;
        d[0] = b1r - er;
        d[1] = b1i - ei;
        a += 2;
        b += 2;
        c += 2;
        d += 2;
        t1 += step1;
        t2 += step2;
      }
    }
  }
  // A last single stage when the number of stages left is odd.
  if (half < m) {
    const int32_t table_step = 2 * (fft.n / (2 * half));  // in floats
    for (float* block = z; block < z + 2 * m; block += 4 * half) {
      const float* w = fft.twiddle;
      float* a = block;
      float* b = block + 2 * half;
      for (int32_t k = 0; k < half; ++k) {
        const float wr = w[0], wi = w[1];
        const float br = b[0] * wr - b[1] * wi;
        const float bi = b[0] * wi + b[1] * wr;
        const float ar = a[0], ai = a[1];
        b[0] = ar - br;
        b[1] = ai - bi;
        a[0] = ar + br;
        a[1] = ai + bi;
        a += 2;
        b += 2;
        w += table_step;
      }
    }
  }
}

// Bin k of the real transform from the half-length complex transform Z, for 0 < k < m:
//   E_k = (Z_k + conj(Z_{m-k})) / 2,  O_k = (Z_k - conj(Z_{m-k})) / 2i,
//   X_k = E_k + exp(-2 pi i k / n) O_k.
// Computed here without the halvings, i.e. as 2 X_k (exact: a power-of-two scale).
inline void split_bin_doubled(const RealFft& fft, int32_t k, float* re, float* im) {
  const int32_t m = fft.n / 2;
  const float* z = fft.work;
  const float a = z[2 * k], b = z[2 * k + 1];
  const float c = z[2 * (m - k)], d = z[2 * (m - k) + 1];
  const float er = a + c, ei = b - d;
  const float orr = b + d, oi = c - a;
  const float wr = fft.twiddle[2 * k], wi = fft.twiddle[2 * k + 1];
  *re = er + wr * orr - wi * oi;
  *im = ei + wr * oi + wi * orr;
}

}  // namespace

size_t rfft_twiddle_floats(int32_t n) {
  return valid_length(n) ? static_cast<size_t>(n) : 0;
}

size_t rfft_bit_reverse_count(int32_t n) {
  return valid_length(n) ? static_cast<size_t>(n / 2) : 0;
}

Status rfft_fill_tables(int32_t n, float* twiddle, uint16_t* bit_reverse) {
  if (!valid_length(n) || twiddle == NULL || bit_reverse == NULL) return rt::kBadArgument;
  // Computed in double precision so every entry is correctly rounded to float. Entries past n/4
  // mirror the first ones (exp(-2 pi i (m - k) / n) = -conj(exp(-2 pi i k / n))), so that bins k
  // and m - k of the real split can share their products exactly.
  const int32_t m = n / 2;
  for (int32_t k = 0; k < m; ++k) {
    if (2 * k > m) {
      twiddle[2 * k] = -twiddle[2 * (m - k)];
      twiddle[2 * k + 1] = twiddle[2 * (m - k) + 1];
      continue;
    }
    const double angle = -kTwoPi * static_cast<double>(k) / static_cast<double>(n);
    twiddle[2 * k] = static_cast<float>(cos(angle));
    twiddle[2 * k + 1] = static_cast<float>(sin(angle));
  }
  int32_t bits = 0;
  while ((1 << bits) < m) ++bits;
  for (int32_t i = 0; i < m; ++i) {
    int32_t r = 0;
    for (int32_t b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    bit_reverse[i] = static_cast<uint16_t>(r);
  }
  return rt::kOk;
}

Status rfft_attach(RealFft* fft, int32_t n, const float* twiddle, const uint16_t* bit_reverse,
                   float* work) {
  if (!valid_length(n) || twiddle == NULL || bit_reverse == NULL || work == NULL) {
    return rt::kBadArgument;
  }
  fft->n = n;
  fft->twiddle = twiddle;
  fft->bit_reverse = bit_reverse;
  fft->work = work;
  return rt::kOk;
}

size_t rfft_workspace_bytes(int32_t n) {
  if (!valid_length(n)) return 0;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  layout(n, &carver);
  return carver.used;
}

Status rfft_init(RealFft* fft, int32_t n, void* workspace, size_t workspace_bytes) {
  if (!valid_length(n)) return rt::kBadArgument;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  const PlanLayout l = layout(n, &carver);
  if (!carver_ok(carver)) return rt::kBadArgument;
  const Status status = rfft_fill_tables(n, l.twiddle, l.bit_reverse);
  if (status != rt::kOk) return status;
  return rfft_attach(fft, n, l.twiddle, l.bit_reverse, l.work);
}

void rfft_forward(const RealFft& fft, const float* in, int32_t count, float* out) {
  load_reordered(fft, in, count);
  complex_fft_half(fft);
  const int32_t m = fft.n / 2;
  // DC and Nyquist bins are real: sum and difference of the even and odd parts of Z_0.
  out[0] = fft.work[0] + fft.work[1];
  out[1] = 0.0f;
  out[2 * m] = fft.work[0] - fft.work[1];
  out[2 * m + 1] = 0.0f;
  for (int32_t k = 1; k < m; ++k) {
    float re, im;
    split_bin_doubled(fft, k, &re, &im);
    out[2 * k] = 0.5f * re;
    out[2 * k + 1] = 0.5f * im;
  }
}

void rfft_power_scaled(const RealFft& fft, const float* in, int32_t count, float scale,
                       float* power) {
  load_reordered(fft, in, count);
  complex_fft_half(fft);
  const int32_t m = fft.n / 2;
  const float dc = fft.work[0] + fft.work[1];
  const float nyquist = fft.work[0] - fft.work[1];
  power[0] = dc * dc * scale;
  power[m] = nyquist * nyquist * scale;
  // |2 X_k|^2 / 4 = |X_k|^2; 0.25 * scale is exact, so this equals |X_k|^2 * scale.
  const float quarter_scale = 0.25f * scale;
  // Bins k and m - k read the same two values of Z and their products with the twiddle: with
  // Z_{m-k} in the role of Z_k, the even/odd parts change sign where noted and the twiddle of m - k
  // is (-wr, wi). Same operations (up to exact negations) as split_bin_doubled for each bin.
  const float* z = fft.work;
  for (int32_t k = 1, j = m - 1; k < j; ++k, --j) {
    const float a = z[2 * k], b = z[2 * k + 1];
    const float c = z[2 * j], d = z[2 * j + 1];
    const float er = a + c, ei = b - d;   // bin j: er, -ei
    const float orr = b + d, oi = c - a;  // bin j: orr, -oi
    const float wr = fft.twiddle[2 * k], wi = fft.twiddle[2 * k + 1];
    const float p = wr * orr, q = wi * oi, r = wr * oi, s = wi * orr;
    const float re_k = er + p - q, im_k = ei + r + s;
    const float re_j = er - p + q, im_j = r - ei + s;
    power[k] = (re_k * re_k + im_k * im_k) * quarter_scale;
    power[j] = (re_j * re_j + im_j * im_j) * quarter_scale;
  }
  if (m >= 2) {
    float re, im;
    split_bin_doubled(fft, m / 2, &re, &im);
    power[m / 2] = (re * re + im * im) * quarter_scale;
  }
}

void rfft_power(const RealFft& fft, const float* in, int32_t count, float* power) {
  rfft_power_scaled(fft, in, count, 1.0f, power);
}

}  // namespace dsp
}  // namespace kiln
