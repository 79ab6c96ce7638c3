// Host-only SIMD variants of the int8 convolution-family kernels, used by the executor to
// evaluate big test sets fast. They are not device code: the portable kernels in src/runtime stay
// the reference, and every variant here must reproduce them byte for byte.
//
// The vector code lives in *_avx2.cpp files compiled with -mavx2; everything else (planning,
// weight packing, this dispatch) is compiled for the baseline x86-64 so that the choice can be
// made at run time on any CPU.
#pragma once

#include <optional>
#include <string>

namespace kiln::exec::host_simd {

// The CPU and operating system support AVX2, and this build contains the AVX2 kernels.
bool avx2_available();

// avx2_available() and the CPU has AVX-VNNI (vpdpwssd on 256-bit vectors).
bool avx_vnni_available();

// Whether kernels created now should use the AVX2 variants: avx2_available() unless the
// environment variable KILN_HOST_SIMD is "0" (forces the portable kernels, for tests and
// benchmarks). Read each time it is called, so a change takes effect for the next executor.
bool enabled();

// Whether kernels created now may use AVX-VNNI: avx_vnni_available() unless KILN_HOST_SIMD is
// "0" or "avx2" (AVX2 alone, to measure and test what CPUs without AVX-VNNI run).
bool vnni_enabled();

// Sets KILN_HOST_SIMD (nullptr: unsets it) for the executors built while it lives and restores
// the previous value afterwards: for tests and benchmarks that compare both paths.
class ScopedSetting {
 public:
  explicit ScopedSetting(const char* value);
  ~ScopedSetting();
  ScopedSetting(const ScopedSetting&) = delete;
  ScopedSetting& operator=(const ScopedSetting&) = delete;

 private:
  std::optional<std::string> saved_;
};

}  // namespace kiln::exec::host_simd
