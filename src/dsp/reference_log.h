// The Edge Impulse reference computes its logarithms with fast approximations, not with libm.
// Their errors (up to ~1e-4 in log10) are visible in its features, so Kiln reproduces them by
// default; every block also offers exact logarithms (parameter exact_log).
//
// Natural log: the argument is split as a = m 2^e with m in [2/3, 4/3) (by integer arithmetic on
// the float's bits), and ln(m) = ln(1 + f) is evaluated with a degree-5 polynomial in f built from
// fused multiply-adds; ln(a) = ln(1 + f) + e ln 2.
// log10: frexp gives a = f 2^e with f in [0.5, 1); log2(f) is a cubic in f (Horner form), and
// log10(a) = (log2(f) + e) log10(2).
#ifndef KILN_DSP_REFERENCE_LOG_H_
#define KILN_DSP_REFERENCE_LOG_H_

#include <math.h>

namespace kiln {
namespace dsp {

float reference_ln(float a);
float reference_log10(float a);

inline float natural_log(float a, bool exact) {
  return exact ? logf(a) : reference_ln(a);
}
inline float log10_of(float a, bool exact) {
  return exact ? log10f(a) : reference_log10(a);
}

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_REFERENCE_LOG_H_
