// exp and tanh for the float32 kernels, written out so the host and the device compute the same
// bits. The C libraries disagree (glibc and newlib round some expf inputs differently), which
// would make a float model's scores on the MCU differ from the host's in the last bit. These use
// only +, -, *, / and exact power-of-two scaling, in a fixed order (FMA contraction is off), so
// every IEEE single-precision FPU gives the same result. Accuracy: within a few ulp of the true
// value over the whole range.
#ifndef KILN_RUNTIME_FLOAT_MATH_H_
#define KILN_RUNTIME_FLOAT_MATH_H_

namespace kiln {
namespace rt {

// e^x; +infinity above 88.72, 0 below -103.97, NaN for NaN.
float exp_float(float x);
// tanh(x); exactly +-1 beyond |x| > 9.1 (where tanh rounds to 1 in float).
float tanh_float(float x);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FLOAT_MATH_H_
