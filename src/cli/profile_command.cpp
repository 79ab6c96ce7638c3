// kiln profile [-C PROJECT] | --model MODEL.tflite: instructions, cycles, time, flash, RAM and
// stack of one classification (DSP + network of a trained project, per precision) or one inference
// (a bare model) on a Cortex-M4F, measured by running it on QEMU.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "cli/file_io.h"
#include "core/error.h"
#include "profile/profile.h"
#include "profile/project_profile.h"
#include "profile/report.h"
#include "tflite/reader.h"

namespace kiln::cli {

namespace {

namespace fs = std::filesystem;

struct ProfileArgs {
  std::string project_dir = ".";
  std::string precision = "both";
  std::string model;
  std::vector<std::string> inputs;
  std::string target = "cortex-m4";
  std::string work_dir;
  bool json = false;
  bool icount = false;
  profile::ProfileOptions options;
};

// The golden-vector layout keeps input_0.bin (or input_0_<i>.bin per input) beside model.tflite.
std::optional<std::vector<std::vector<uint8_t>>> inputs_beside(const ir::Model& model,
                                                               const fs::path& model_path) {
  const fs::path dir = model_path.parent_path();
  std::vector<std::vector<uint8_t>> inputs;
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    fs::path p = dir / "input_0.bin";
    if (model.inputs.size() != 1 || !fs::exists(p)) p = dir / fmt::format("input_0_{}.bin", i);
    if (!fs::exists(p)) return std::nullopt;
    inputs.push_back(read_file(p.string()));
    if (static_cast<int64_t>(inputs.back().size()) != model.tensor(model.inputs[i]).num_bytes())
      return std::nullopt;
  }
  return inputs;
}

void run_project_profile(const ProfileArgs& args) {
  const fs::path dir = args.project_dir;
  if (!fs::exists(dir / "kiln.json"))
    throw Error(fmt::format(
        "{} is not a Kiln project (no kiln.json): give the project with -C DIR, or a bare model "
        "with --model MODEL.tflite",
        fs::absolute(dir).lexically_normal().string()));
  std::vector<pipeline::Precision> precisions;
  if (args.precision == "both" || args.precision == "int8")
    precisions.push_back(pipeline::Precision::kInt8);
  if (args.precision == "both" || args.precision == "float32")
    precisions.push_back(pipeline::Precision::kFloat32);
  profile::ProfileOptions options = args.options;
  options.work_dir = args.work_dir;
  options.use_plugin = !args.icount;
  const std::vector<profile::ProfileReport> reports =
      profile::profile_project(dir, precisions, options);
  if (args.json) {
    fmt::print("{}\n", profile::reports_json(reports).dump(2));
  } else {
    for (size_t i = 0; i < reports.size(); ++i)
      fmt::print("{}{}", i ? "\n" : "",
                 profile::report_text(reports[i], "project " + dir.string()));
  }
  for (const profile::ProfileReport& r : reports)
    if (r.matches_host && !*r.matches_host)
      throw Error(
          fmt::format("the emulated device's {} scores differ from the host's", r.precision));
}

void run_profile(ProfileArgs& args) {
  if (args.model.empty()) {
    run_project_profile(args);
    return;
  }
  const ir::Model model = tflite::read_model_file(args.model);
  profile::ProfileOptions options = args.options;
  if (!args.inputs.empty()) {
    for (const std::string& path : args.inputs) options.inputs.push_back(read_file(path));
    options.input_source = fmt::format("{}", fmt::join(args.inputs, ", "));
  } else if (auto beside = inputs_beside(model, args.model)) {
    options.inputs = *beside;
    options.input_source = (fs::path(args.model).parent_path() / "input_0.bin").string();
    if (model.inputs.size() != 1) options.input_source += " (one file per input)";
  } else {
    options.input_source = "zeros";
  }
  options.work_dir = args.work_dir;
  options.use_plugin = !args.icount;

  const profile::ProfileReport report = profile::profile_model(model, options);
  if (args.json) {
    fmt::print("{}\n", profile::report_json(report).dump(2));
  } else {
    fmt::print("{}", profile::report_text(report, args.model));
  }
  if (report.matches_host && !*report.matches_host)
    throw Error("the emulated device's outputs differ from the host executor's");
}

}  // namespace

void add_profile_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("profile",
                                 "Measure instructions, cycles, time, flash, RAM and stack of the "
                                 "project's classifier (DSP + network) or of a model on a "
                                 "Cortex-M4F (QEMU)");
  auto args = std::make_shared<ProfileArgs>();
  cmd->add_option("-C", args->project_dir,
                  "project directory (default: the current directory); ignored with --model");
  cmd->add_option("--model", args->model, "model file (.tflite) to profile on its own");
  cmd->add_option("--precision", args->precision, "project: int8, float32 or both")
      ->check(CLI::IsMember({"int8", "float32", "both"}))
      ->capture_default_str();
  cmd->add_option("--target", args->target, "target MCU")
      ->check(CLI::IsMember({"cortex-m4"}))
      ->capture_default_str();
  cmd->add_option("--clock-mhz", args->options.clock_mhz, "core clock for the time estimate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--ram-kb", args->options.ram_kb, "RAM budget in KiB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--flash-kb", args->options.flash_kb, "flash budget in KiB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--input", args->inputs,
                  "raw input tensor file(s), one per model input (default: input_0.bin beside the "
                  "model, else zeros)");
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_flag("--opt-memory", args->options.optimize_memory,
                "compile for the smallest arena (portable kernels where fast ones cost RAM) "
                "instead of speed");
  cmd->add_flag("--portable-kernels", args->options.portable_kernels,
                "--model only: run every operator on the portable reference kernels (to measure "
                "what the fast kernels gain)");
  cmd->add_option("--work-dir", args->work_dir,
                  "keep the firmware build in this folder (default: temporary; a project gets "
                  "one subfolder per precision)");
  cmd->add_flag(
      "--icount", args->icount,
      "measure with QEMU's -icount clock instead of Kiln's counting plugin (approximate)");
  cmd->add_option("--timeout", args->options.run_timeout_seconds,
                  "seconds allowed for the emulation")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([args] { run_profile(*args); });
}

}  // namespace kiln::cli
