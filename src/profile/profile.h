// `kiln profile --model`: how fast and how big a model is on a Cortex-M4F before flashing it.
// The model is compiled ahead of time, built into a bare-metal firmware image with Debian's
// arm-none-eabi GCC, and run on QEMU's mps2-an386; Kiln's QEMU plugin counts the instructions
// of one inference exactly and estimates cycles with a Cortex-M4 cycle model. The firmware
// reports its peak stack and the model's outputs, which must equal the host executor's.
// Without the tools, an analytic estimate from per-operator formulas stands in, labelled so.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/model.h"
#include "profile/analytic.h"
#include "profile/emulator.h"
#include "profile/firmware.h"
#include "profile/toolchain.h"

namespace kiln::profile {

struct ProfileOptions {
  double clock_mhz = 64;
  int64_t ram_kb = 256;
  int64_t flash_kb = 1024;
  // One byte vector per model input; empty means all-zero inputs.
  std::vector<std::vector<uint8_t>> inputs;
  std::string input_source = "zeros";  // what `inputs` are, for the report
  std::filesystem::path work_dir;      // build folder; empty: a temporary one, removed afterwards
  ToolNames tool_names = ToolNames::from_environment();
  FirmwareBuildOptions build;
  double run_timeout_seconds = 900;
  bool use_plugin = true;  // false: QEMU's -icount clock instead of the counting plugin
  // Compile for the smallest arena instead of speed (compiler/compile.h, --opt-memory).
  bool optimize_memory = false;
  bool portable_kernels = false;  // the reference: no fast kernel variants (compile.h)
  std::filesystem::path cache_dir = default_cache_dir();
};

struct ProfileReport {
  std::string precision;  // "int8" or "float32": the key of the JSON report
  std::string method;     // "qemu-plugin" (exact), "icount-timer" (approximate) or "analytic"
  std::vector<std::string> notes;  // why a fallback was used, what to install, ...

  uint64_t dsp_instructions = 0;  // a bare model has no DSP block
  uint64_t nn_instructions = 0;
  uint64_t cycles_est = 0;  // DSP + network
  uint64_t dsp_cycles_est = 0;
  uint64_t nn_cycles_est = 0;
  bool dsp_known = true;  // false: the analytic fallback has no DSP figure (reported as null)
  double ms_est = 0;
  int64_t flash_bytes = 0;       // text + rodata + data of the firmware image
  int64_t static_ram_bytes = 0;  // data + bss (the arena is in bss)
  int64_t stack_bytes = 0;       // peak, measured by painting (emulation only)
  int64_t stack_reserve_bytes = 0;
  std::optional<bool> matches_host;  // emulated outputs == host executor outputs

  uint64_t taken_branches = 0;
  std::map<std::string, uint64_t> instruction_classes;
  std::vector<CallCost> calls;      // per kernel call inside the model's invoke
  std::vector<CallCost> dsp_calls;  // per call inside the DSP phase (project only)
  AnalyticEstimate analytic;        // always computed, to compare with the emulation

  int64_t arena_bytes = 0;
  int64_t weight_bytes = 0;
  int64_t macs = 0;
  double clock_mhz = 0;
  int64_t ram_budget_bytes = 0;
  int64_t flash_budget_bytes = 0;
  bool fits_ram = false;
  bool fits_flash = false;

  // The project's input window (project only; window_ms == 0 for a bare model), so the DSP
  // count can be put per second of signal.
  std::string dsp_block;
  double sample_rate_hz = 0;
  int64_t window_frames = 0;
  double window_ms = 0;
  int64_t dsp_phase_bytes = 0;  // arena plan of the deployed library
  int64_t nn_phase_bytes = 0;

  std::string counted_region;      // what the (network) instruction count covers
  std::string dsp_counted_region;  // what the DSP instruction count covers
  std::string input_source;
  std::string qemu_command;
  std::string work_dir;  // kept build folder, if any
  double emulation_seconds = 0;
};

// Throws kiln::Error on a model the compiler cannot handle or a failed build/run.
ProfileReport profile_model(const ir::Model& model, const ProfileOptions& options);

// "int8" when the model computes in int8 (any int8 tensor), else "float32".
std::string model_precision(const ir::Model& model);

}  // namespace kiln::profile
