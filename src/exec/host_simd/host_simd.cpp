#include "exec/host_simd/host_simd.h"

#include <cstdlib>
#include <cstring>

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
  static const bool supported = avx2_available() && __builtin_cpu_supports("avxvnni");
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
