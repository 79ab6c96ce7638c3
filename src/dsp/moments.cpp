#include "dsp/moments.h"

#include <math.h>

namespace kiln {
namespace dsp {

float moment_mean(const float* x, size_t n, size_t stride) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += x[i * stride];
  return sum / static_cast<float>(n);
}

float moment_min(const float* x, size_t n, size_t stride) {
  float v = x[0];
  for (size_t i = 1; i < n; ++i) v = x[i * stride] < v ? x[i * stride] : v;
  return v;
}

float moment_max(const float* x, size_t n, size_t stride) {
  float v = x[0];
  for (size_t i = 1; i < n; ++i) v = x[i * stride] > v ? x[i * stride] : v;
  return v;
}

float moment_rms(const float* x, size_t n, size_t stride) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += x[i * stride] * x[i * stride];
  return sqrtf(sum / static_cast<float>(n));
}

float moment_stdev(const float* x, size_t n, size_t stride) {
  const float mean = moment_mean(x, n, stride);
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float d = x[i * stride] - mean;
    sum += d * d;
  }
  return sqrtf(sum / static_cast<float>(n));
}

float moment_skewness(const float* x, size_t n, size_t stride) {
  const float mean = moment_mean(x, n, stride);
  float m2 = 0.0f, m3 = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float d = x[i * stride] - mean;
    m3 += d * d * d;
    m2 += d * d;
  }
  m3 = m3 / static_cast<float>(n);
  m2 = m2 / static_cast<float>(n);
  const float denominator = sqrtf(m2 * m2 * m2);
  return denominator == 0.0f ? 0.0f : m3 / denominator;
}

float moment_kurtosis(const float* x, size_t n, size_t stride) {
  const float mean = moment_mean(x, n, stride);
  float m2 = 0.0f, m4 = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float d = x[i * stride] - mean;
    const float d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  m4 = m4 / static_cast<float>(n);
  m2 = m2 / static_cast<float>(n);
  const float variance_squared = m2 * m2;
  return variance_squared == 0.0f ? -3.0f : m4 / variance_squared - 3.0f;
}

}  // namespace dsp
}  // namespace kiln
