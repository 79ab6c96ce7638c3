#include "exec/host_simd/host_simd.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace kiln::exec::host_simd {

bool avx2_available() {
#if defined(KILN_HOST_SIMD_AVX2) && (defined(__x86_64__) || defined(__i386__))
  // GCC and Clang also check that the OS saves the YMM registers before reporting AVX2.
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
#else
  return false;
#endif
}

bool avx_vnni_available() {
#if defined(KILN_HOST_SIMD_AVX2) && (defined(__x86_64__) || defined(__i386__))
  // CPUID leaf 7, sub-leaf 1: EAX bit 4 is AVX-VNNI (the VEX-encoded vpdpwssd). Read directly:
  // Clang's __builtin_cpu_supports does not know the feature name GCC uses for it. The OS
  // support for YMM state is what avx2_available() already checked.
  static const bool supported = [] {
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!avx2_available() || !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return false;
    return (eax & (1u << 4)) != 0;
  }();
  return supported;
#else
  return false;
#endif
}

bool enabled() {
  const char* setting = std::getenv("KILN_HOST_SIMD");
  if (setting && std::strcmp(setting, "0") == 0) return false;
  return avx2_available();
}

bool vnni_enabled() {
  const char* setting = std::getenv("KILN_HOST_SIMD");
  if (setting && (std::strcmp(setting, "0") == 0 || std::strcmp(setting, "avx2") == 0))
    return false;
  return avx_vnni_available();
}

ScopedSetting::ScopedSetting(const char* value) {
  if (const char* old = std::getenv("KILN_HOST_SIMD")) saved_ = old;
  if (value)
    setenv("KILN_HOST_SIMD", value, 1);
  else
    unsetenv("KILN_HOST_SIMD");
}

ScopedSetting::~ScopedSetting() {
  if (saved_)
    setenv("KILN_HOST_SIMD", saved_->c_str(), 1);
  else
    unsetenv("KILN_HOST_SIMD");
}

}  // namespace kiln::exec::host_simd
