// The bare-metal profiling firmware for QEMU's mps2-an386 (Cortex-M4F): Kiln's own startup code,
// linker script and semihosting (src/profile/firmware), a compiled model and its embedded input,
// built with arm-none-eabi-gcc through a generated Makefile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "profile/toolchain.h"

namespace kiln::profile {

// Files of a firmware project, by path relative to its folder.
struct FirmwareProject {
  std::map<std::string, std::string> files;
  std::vector<std::string> sources;       // .c, .cpp and .S files to compile, in this order
  std::vector<std::string> include_dirs;  // relative folders added with -I
};

// Startup, semihosting, markers/stack probe and the linker script; no main().
FirmwareProject base_firmware();

// Adds the compiled model (under model/, its host test driver left out), the profiling main and
// a generated kiln_profile_model.h embedding `inputs` (one byte vector per model input).
void add_model(FirmwareProject& project, const compiler::CompiledModel& compiled,
               const std::string& name, const std::vector<std::vector<uint8_t>>& inputs);

struct FirmwareBuildOptions {
  int64_t stack_bytes = 64 * 1024;  // stack reserve at the bottom of RAM
  std::string optimization = "-O2";
  int jobs = 2;
  double timeout_seconds = 900;
};

// The Cortex-M4F flags of the generated libraries, used for every firmware file.
constexpr const char* kCortexM4Flags = "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard";

// Writes the project into `dir` with a Makefile and builds dir/image.elf. Throws kiln::Error
// with the compiler's messages if the build fails. Returns the image path.
std::filesystem::path build_firmware(const Toolchain& tools, const FirmwareProject& project,
                                     const std::filesystem::path& dir,
                                     const FirmwareBuildOptions& options);

}  // namespace kiln::profile
