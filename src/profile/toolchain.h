// The external tools `kiln profile` needs: Debian's arm-none-eabi GCC to build the firmware,
// qemu-system-arm to run it, a host C++ compiler to build the counting plugin, and make.
#pragma once

#include <string>
#include <vector>

namespace kiln::profile {

struct ToolNames {
  std::string arm_prefix = "arm-none-eabi-";  // KILN_ARM_PREFIX overrides
  std::string qemu = "qemu-system-arm";       // KILN_QEMU overrides
  std::string host_cxx = "g++";               // KILN_HOST_CXX overrides
  std::string make = "make";

  // The defaults with the environment overrides applied.
  static ToolNames from_environment();
};

struct Toolchain {
  // Full paths; empty when not found.
  std::string arm_gcc, arm_gxx;
  std::string qemu;
  std::string host_cxx;
  std::string make;

  // Names of the tools needed to build and emulate firmware that are missing.
  std::vector<std::string> missing(const ToolNames& names) const;
};

Toolchain find_toolchain(const ToolNames& names);

// One line telling how to get the missing tools.
std::string install_hint(const std::vector<std::string>& missing);

}  // namespace kiln::profile
