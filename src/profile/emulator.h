// Running a profiling firmware image on QEMU's mps2-an386 and reading back what it reported:
// the exact instruction count between the markers from Kiln's QEMU plugin (or, without the
// plugin, an instruction estimate from QEMU's -icount clock), the per-class counts and cycle
// estimate, and what the firmware printed over semihosting (status, peak stack, outputs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "profile/toolchain.h"

namespace kiln::profile {

// Builds (or reuses from `cache_dir`) the counting plugin from the sources built into kiln.
// Throws kiln::Error with the compiler's messages on failure.
std::filesystem::path build_count_plugin(const Toolchain& tools,
                                         const std::filesystem::path& cache_dir);

// Default cache folder: $KILN_CACHE_DIR, else $XDG_CACHE_HOME/kiln, else ~/.cache/kiln, else /tmp.
std::filesystem::path default_cache_dir();

// Cost of one call made directly by the traced function, from the call instruction up to the
// next such call (or the end marker).
struct CallCost {
  uint32_t address = 0;  // of the call instruction
  std::string callee;    // demangled name; "(indirect)" for BLX register
  uint64_t instructions = 0;
  uint64_t cycles = 0;
};

struct EmulationOptions {
  std::filesystem::path plugin;  // empty: no plugin, use the -icount clock instead
  std::string begin_symbol = "kiln_profile_begin";
  std::string end_symbol = "kiln_profile_end";
  std::string traced_function;  // calls made by this function are broken down (optional)
  // When set and main calls it exactly once, the plugin counts exactly this function's
  // instructions (its entry up to the return into main) instead of the marker region.
  std::string exact_function;
  double timeout_seconds = 900;
};

struct EmulationResult {
  std::string method;  // "qemu-plugin" (exact) or "icount-timer" (approximate)
  uint64_t instructions = 0;
  uint64_t cycles = 0;  // cycle-model estimate (plugin only; 0 otherwise)
  uint64_t taken_branches = 0;
  std::map<std::string, uint64_t> instruction_classes;
  std::vector<CallCost> calls;
  int firmware_status = -1;  // KILN_STATUS printed by the firmware (the invoke's return value)
  int64_t stack_bytes = -1;  // KILN_STACK
  int64_t stack_reserve_bytes = -1;
  std::vector<std::vector<uint8_t>> outputs;  // KILN_OUTPUT lines, in order
  std::string console;                        // everything the firmware printed
  std::string command;                        // the QEMU command line
  std::string region;                         // what was counted
  double seconds = 0;                         // wall time of the emulation
};

// Runs `elf` and parses its reports. Throws kiln::Error if QEMU fails, times out, the firmware
// faults, or the counts are missing.
EmulationResult run_on_qemu(const Toolchain& tools, const std::filesystem::path& elf,
                            const EmulationOptions& options);

}  // namespace kiln::profile
