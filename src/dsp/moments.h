// Summary statistics of a (strided) sequence, in float with the reference's formulas:
//   mean = sum / n;  rms = sqrt(sum x^2 / n);  stdev = sqrt(sum (x - mean)^2 / n)  (population)
//   skewness = m3 / m2^(3/2)   (0 when m2 = 0)
//   kurtosis = m4 / m2^2 - 3   (Fisher; -3 when m2 = 0),  m_k = sum (x - mean)^k / n
#ifndef KILN_DSP_MOMENTS_H_
#define KILN_DSP_MOMENTS_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

// x[0], x[stride], ..., x[(n - 1) stride]; n >= 1.
float moment_mean(const float* x, size_t n, size_t stride);
float moment_min(const float* x, size_t n, size_t stride);
float moment_max(const float* x, size_t n, size_t stride);
float moment_rms(const float* x, size_t n, size_t stride);
float moment_stdev(const float* x, size_t n, size_t stride);
float moment_skewness(const float* x, size_t n, size_t stride);
float moment_kurtosis(const float* x, size_t n, size_t stride);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_MOMENTS_H_
