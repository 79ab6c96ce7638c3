#include "profile/toolchain.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

#include "profile/process.h"

namespace kiln::profile {

ToolNames ToolNames::from_environment() {
  ToolNames n;
  if (const char* v = std::getenv("KILN_ARM_PREFIX")) n.arm_prefix = v;
  if (const char* v = std::getenv("KILN_QEMU")) n.qemu = v;
  if (const char* v = std::getenv("KILN_HOST_CXX")) n.host_cxx = v;
  return n;
}

Toolchain find_toolchain(const ToolNames& names) {
  Toolchain t;
  t.arm_gcc = find_program(names.arm_prefix + "gcc");
  t.arm_gxx = find_program(names.arm_prefix + "g++");
  t.qemu = find_program(names.qemu);
  t.host_cxx = find_program(names.host_cxx);
  t.make = find_program(names.make);
  return t;
}

std::vector<std::string> Toolchain::missing(const ToolNames& names) const {
  std::vector<std::string> m;
  if (arm_gcc.empty()) m.push_back(names.arm_prefix + "gcc");
  if (arm_gxx.empty()) m.push_back(names.arm_prefix + "g++");
  if (make.empty()) m.push_back(names.make);
  if (qemu.empty()) m.push_back(names.qemu);
  return m;
}

std::string install_hint(const std::vector<std::string>& missing) {
  return fmt::format(
      "{} not found: run tools/install_deps.sh (Debian packages gcc-arm-none-eabi "
      "libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm make)",
      fmt::join(missing, ", "));
}

}  // namespace kiln::profile
