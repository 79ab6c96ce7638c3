#include "profile/profile.h"

#include <fmt/format.h>
#include <cmath>

#include "compiler/compile.h"
#include "core/error.h"
#include "exec/executor.h"
#include "ir/op_stats.h"
#include "profile/profile_steps.h"

namespace kiln::profile {

namespace fs = std::filesystem;

namespace {

// The profiled model's symbols get this prefix in the firmware.
constexpr const char* kModelName = "kiln_net";

std::vector<std::vector<uint8_t>> model_inputs(const ir::Model& model,
                                               const ProfileOptions& options) {
  std::vector<std::vector<uint8_t>> inputs = options.inputs;
  if (inputs.empty())
    for (int32_t t : model.inputs)
      inputs.emplace_back(static_cast<size_t>(model.tensor(t).num_bytes()), 0);
  if (inputs.size() != model.inputs.size())
    throw Error(fmt::format("the model has {} inputs but {} were given", model.inputs.size(),
                            inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Tensor& t = model.tensor(model.inputs[i]);
    if (static_cast<int64_t>(inputs[i].size()) != t.num_bytes())
      throw Error(fmt::format("input {} ('{}') needs {} bytes, got {}", i, t.name, t.num_bytes(),
                              inputs[i].size()));
  }
  return inputs;
}

std::vector<std::vector<uint8_t>> host_outputs(const ir::Model& model,
                                               const std::vector<std::vector<uint8_t>>& inputs) {
  exec::Executor executor(model);
  executor.reset();
  for (size_t i = 0; i < inputs.size(); ++i) executor.set_input(i, inputs[i]);
  executor.invoke();
  std::vector<std::vector<uint8_t>> outputs;
  for (size_t i = 0; i < executor.num_outputs(); ++i) {
    const auto out = executor.output(i);
    outputs.emplace_back(out.begin(), out.end());
  }
  return outputs;
}

// Without firmware: instructions and cycles from the formulas, memory from the compiler's plan
// (code size unknown, stack not measured).
void fill_analytic(const compiler::CompiledModel& compiled, ProfileReport& report) {
  report.method = "analytic";
  report.nn_instructions = report.analytic.instructions;
  report.cycles_est = report.analytic.cycles;
  report.nn_cycles_est = report.cycles_est;
  report.flash_bytes = compiled.weight_bytes + compiled.constant_bytes;
  report.static_ram_bytes = compiled.arena_bytes;
  report.stack_bytes = 0;
  report.notes.push_back(
      "analytic estimate: instructions and cycles from per-operator formulas; flash counts weights "
      "and constants only (no code), static RAM is the arena; stack not measured");
}

}  // namespace

std::string model_precision(const ir::Model& model) {
  for (const ir::Tensor& t : model.tensors)
    if (t.dtype == ir::DType::kInt8) return "int8";
  return "float32";
}

ProfileReport profile_model(const ir::Model& model, const ProfileOptions& options) {
  if (!(options.clock_mhz > 0)) throw Error("--clock-mhz must be positive");
  if (options.ram_kb <= 0 || options.flash_kb <= 0)
    throw Error("--ram-kb and --flash-kb must be positive");
  ProfileReport report;
  report.precision = model_precision(model);
  report.macs = ir::model_stats(model).macs;
  report.input_source = options.input_source;

  const std::vector<std::vector<uint8_t>> inputs = model_inputs(model, options);
  compiler::CompileOptions compile_options;
  compile_options.name = kModelName;
  compile_options.target = "cortex-m4";
  compile_options.optimize_memory = options.optimize_memory;
  compile_options.portable_kernels = options.portable_kernels;
  const compiler::CompiledModel compiled = compiler::compile_model(model, compile_options);
  report.arena_bytes = compiled.arena_bytes;
  report.weight_bytes = compiled.weight_bytes;
  // The kernel choice is per operator of the compiled model, which folding a PAD can shorten;
  // then the estimate assumes the fast kernels throughout.
  report.analytic =
      analytic_estimate(model,
                        compiled.fast_kernel.size() == model.operators.size() ? compiled.fast_kernel
                                                                              : std::vector<bool>{},
                        !options.optimize_memory && !options.portable_kernels);

  const Toolchain tools = find_toolchain(options.tool_names);
  const std::vector<std::string> missing = tools.missing(options.tool_names);
  if (!missing.empty()) {
    report.notes.push_back(install_hint(missing));
    fill_analytic(compiled, report);
    apply_budget(options, report);
    return report;
  }

  // Everything that can fail before QEMU runs is done: now the firmware.
  const WorkDir work(options.work_dir);
  const fs::path& dir = work.path();
  if (work.kept()) report.work_dir = dir.string();
  FirmwareProject project = base_firmware();
  add_model(project, compiled, kModelName, inputs);
  const fs::path elf = build_firmware(tools, project, dir, options.build);
  measure_image(elf, report);

  EmulationOptions run;
  run.timeout_seconds = options.run_timeout_seconds;
  run.traced_function = std::string(kModelName) + "_invoke";
  run.exact_function = run.traced_function;
  run.plugin = count_plugin_or_note(tools, options, report);
  EmulationResult emulated;
  try {
    emulated = run_on_qemu(tools, elf, run);
  } catch (const Error& e) {
    if (run.plugin.empty()) throw;
    // A QEMU built without plugin support rejects -plugin: measure with the clock instead.
    report.notes.push_back(
        fmt::format("the counting plugin failed, using the -icount clock: {}", e.what()));
    run.plugin.clear();
    emulated = run_on_qemu(tools, elf, run);
  }

  report.method = emulated.method;
  report.nn_instructions = emulated.instructions;
  if (emulated.method == "qemu-plugin") {
    report.cycles_est = emulated.cycles;
  } else {
    // No per-instruction view: scale by the analytic model's cycles per instruction.
    const double cpi = report.analytic.instructions
                           ? static_cast<double>(report.analytic.cycles) /
                                 static_cast<double>(report.analytic.instructions)
                           : 1.0;
    report.cycles_est =
        static_cast<uint64_t>(std::llround(cpi * static_cast<double>(emulated.instructions)));
    report.notes.push_back(
        "icount-timer: instructions measured with QEMU's -icount clock and the board timer "
        "(resolution 40 instructions); cycles scaled by the analytic cycles per instruction");
  }
  report.taken_branches = emulated.taken_branches;
  report.instruction_classes = emulated.instruction_classes;
  report.calls = emulated.calls;
  report.stack_bytes = emulated.stack_bytes;
  report.stack_reserve_bytes = emulated.stack_reserve_bytes;
  report.qemu_command = emulated.command;
  report.counted_region = emulated.region;
  report.emulation_seconds = emulated.seconds;
  if (emulated.stack_bytes >= emulated.stack_reserve_bytes)
    report.notes.push_back("the stack reached the bottom of its reserve: the peak may be larger");
  if (emulated.firmware_status != 0)
    throw Error(
        fmt::format("the model's invoke returned {} on the device", emulated.firmware_status));
  report.matches_host = emulated.outputs == host_outputs(model, inputs);
  report.nn_cycles_est = report.cycles_est;
  apply_budget(options, report);
  return report;
}

}  // namespace kiln::profile
