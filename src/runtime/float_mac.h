// Float multiply-accumulate blocks of the float convolution-family kernels (conv2d_float,
// depthwise_conv2d_float, fully_connected_float).
//
// Host and device must produce the same bits, so every block keeps the reference's arithmetic
// per output: one rounded product and one rounded addition per term, the terms in input order.
// Blocks only work on several outputs side by side (sharing input loads between them).
//
// On an FPv4-SP core (Cortex-M4F) GCC loads floats one VLDR at a time (2 cycles each); VLDM
// loads N consecutive words in 1 + N cycles but GCC does not emit it for such loops. The ARM
// paths below therefore load with VLDM in inline assembly and then run exactly the VMUL and VADD
// instructions the C code compiles to (IEEE single precision, round to nearest, as on the
// host), so both paths give identical results; the portable C path is what host tests run.
#ifndef KILN_RUNTIME_FLOAT_MAC_H_
#define KILN_RUNTIME_FLOAT_MAC_H_

#include <stdint.h>

#if defined(__ARM_FP) && (__ARM_FP & 4) && defined(__thumb2__)
#define KILN_FLOAT_VLDM 1
#else
#define KILN_FLOAT_VLDM 0
#endif

namespace kiln {
namespace rt {

// Running sums of four outputs (named members, so that GCC keeps them in registers).
struct FloatSums4 {
  float s0, s1, s2, s3;
};

// Four outputs over one run of `count` consecutive inputs: s_j += in[i] * f_j[i] for i in
// order, j = 0..3. Each input value is loaded once for the four outputs.
inline void float_dot4(const float* in, const float* f0, const float* f1, const float* f2,
                       const float* f3, int32_t count, FloatSums4& sums) {
  float s0 = sums.s0, s1 = sums.s1, s2 = sums.s2, s3 = sums.s3;
#if KILN_FLOAT_VLDM
  // Four inputs and four weights per output at a time: 5 + 4 * 5 load cycles for 16 terms
  // instead of 40 with VLDR. Registers s0-s7 are scratch; the sums live in other S registers.
  for (; count >= 4; count -= 4) {
    __asm__(
        "vldmia %[in]!, {s0-s3}\n\t"
        "vldmia %[f0]!, {s4-s7}\n\t"
        "vmul.f32 s4, s0, s4\n\t"
        "vmul.f32 s5, s1, s5\n\t"
        "vmul.f32 s6, s2, s6\n\t"
        "vmul.f32 s7, s3, s7\n\t"
        "vadd.f32 %[s0], %[s0], s4\n\t"
        "vadd.f32 %[s0], %[s0], s5\n\t"
        "vadd.f32 %[s0], %[s0], s6\n\t"
        "vadd.f32 %[s0], %[s0], s7\n\t"
        "vldmia %[f1]!, {s4-s7}\n\t"
        "vmul.f32 s4, s0, s4\n\t"
        "vmul.f32 s5, s1, s5\n\t"
        "vmul.f32 s6, s2, s6\n\t"
        "vmul.f32 s7, s3, s7\n\t"
        "vadd.f32 %[s1], %[s1], s4\n\t"
        "vadd.f32 %[s1], %[s1], s5\n\t"
        "vadd.f32 %[s1], %[s1], s6\n\t"
        "vadd.f32 %[s1], %[s1], s7\n\t"
        "vldmia %[f2]!, {s4-s7}\n\t"
        "vmul.f32 s4, s0, s4\n\t"
        "vmul.f32 s5, s1, s5\n\t"
        "vmul.f32 s6, s2, s6\n\t"
        "vmul.f32 s7, s3, s7\n\t"
        "vadd.f32 %[s2], %[s2], s4\n\t"
        "vadd.f32 %[s2], %[s2], s5\n\t"
        "vadd.f32 %[s2], %[s2], s6\n\t"
        "vadd.f32 %[s2], %[s2], s7\n\t"
        "vldmia %[f3]!, {s4-s7}\n\t"
        "vmul.f32 s4, s0, s4\n\t"
        "vmul.f32 s5, s1, s5\n\t"
        "vmul.f32 s6, s2, s6\n\t"
        "vmul.f32 s7, s3, s7\n\t"
        "vadd.f32 %[s3], %[s3], s4\n\t"
        "vadd.f32 %[s3], %[s3], s5\n\t"
        "vadd.f32 %[s3], %[s3], s6\n\t"
        "vadd.f32 %[s3], %[s3], s7\n\t"
        : [in] "+r"(in), [f0] "+r"(f0), [f1] "+r"(f1), [f2] "+r"(f2), [f3] "+r"(f3), [s0] "+t"(s0),
          [s1] "+t"(s1), [s2] "+t"(s2), [s3] "+t"(s3)
        : "m"(*reinterpret_cast<const float(*)[4]>(in)),
          "m"(*reinterpret_cast<const float(*)[4]>(f0)),
          "m"(*reinterpret_cast<const float(*)[4]>(f1)),
          "m"(*reinterpret_cast<const float(*)[4]>(f2)),
          "m"(*reinterpret_cast<const float(*)[4]>(f3))
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
  }
#endif
  for (int32_t i = 0; i < count; ++i) {
    const float x = in[i];
    s0 += x * f0[i];
    s1 += x * f1[i];
    s2 += x * f2[i];
    s3 += x * f3[i];
  }
  sums.s0 = s0;
  sums.s1 = s1;
  sums.s2 = s2;
  sums.s3 = s3;
}

// One output over one run: sum += in[i] * f[i] for i in order.
inline float float_dot1(const float* in, const float* f, int32_t count, float sum) {
  for (int32_t i = 0; i < count; ++i) sum += in[i] * f[i];
  return sum;
}

// Eight outputs side by side (depthwise: eight channels of one tap): s_j += in[j] * f[j].
struct FloatSums8 {
  float s0, s1, s2, s3, s4, s5, s6, s7;
};
inline void float_mul_add8(const float* in, const float* f, FloatSums8& s) {
#if KILN_FLOAT_VLDM
  // 9 + 9 load cycles for the 16 values instead of 32. s0-s15 are scratch.
  __asm__(
      "vldmia %[in], {s0-s7}\n\t"
      "vldmia %[f], {s8-s15}\n\t"
      "vmul.f32 s0, s0, s8\n\t"
      "vmul.f32 s1, s1, s9\n\t"
      "vmul.f32 s2, s2, s10\n\t"
      "vmul.f32 s3, s3, s11\n\t"
      "vmul.f32 s4, s4, s12\n\t"
      "vmul.f32 s5, s5, s13\n\t"
      "vmul.f32 s6, s6, s14\n\t"
      "vmul.f32 s7, s7, s15\n\t"
      "vadd.f32 %[a0], %[a0], s0\n\t"
      "vadd.f32 %[a1], %[a1], s1\n\t"
      "vadd.f32 %[a2], %[a2], s2\n\t"
      "vadd.f32 %[a3], %[a3], s3\n\t"
      "vadd.f32 %[a4], %[a4], s4\n\t"
      "vadd.f32 %[a5], %[a5], s5\n\t"
      "vadd.f32 %[a6], %[a6], s6\n\t"
      "vadd.f32 %[a7], %[a7], s7\n\t"
      : [a0] "+t"(s.s0), [a1] "+t"(s.s1), [a2] "+t"(s.s2), [a3] "+t"(s.s3), [a4] "+t"(s.s4),
        [a5] "+t"(s.s5), [a6] "+t"(s.s6), [a7] "+t"(s.s7)
      : [in] "r"(in), [f] "r"(f), "m"(*reinterpret_cast<const float(*)[8]>(in)),
        "m"(*reinterpret_cast<const float(*)[8]>(f))
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13",
        "s14", "s15");
#else
  s.s0 += in[0] * f[0];
  s.s1 += in[1] * f[1];
  s.s2 += in[2] * f[2];
  s.s3 += in[3] * f[3];
  s.s4 += in[4] * f[4];
  s.s5 += in[5] * f[5];
  s.s6 += in[6] * f[6];
  s.s7 += in[7] * f[7];
#endif
}

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FLOAT_MAC_H_
