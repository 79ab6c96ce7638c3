// kiln deploy: writes the project's trained pipeline as a self-contained C++ library folder and
// prints where it went and how much RAM its one arena takes.
#include <fmt/format.h>

#include "cli/commands.h"
#include "deploy/deploy.h"

namespace kiln::cli {

namespace {

struct DeployArgs {
  std::string dir = ".";
  std::string out;
  std::string target = "host";
  std::string engine = "aot";
  std::string precision = "int8";
  int slices = 4;
  bool opt_memory = false;
};

void run_deploy(const DeployArgs& args) {
  deploy::DeployOptions options;
  options.target = args.target;
  options.engine = args.engine;
  options.precision = pipeline::parse_precision(args.precision);
  options.slices_per_window = args.slices;
  options.optimize_memory = args.opt_memory;
  const std::filesystem::path project = args.dir;
  const std::filesystem::path out = args.out.empty() ? project / pipeline::kOutputDir / "deploy"
                                                     : std::filesystem::path(args.out);
  const deploy::Deployment d = deploy::deploy_project(project, out, options);
  const deploy::ArenaLayout& a = d.arena;
  fmt::print("deployed {} ({}, {}, target {}) to {}\n", "kiln_classifier", args.engine,
             args.precision, args.target, out.string());
  fmt::print("  DSP phase        {:>9} bytes\n", a.dsp_phase_bytes);
  fmt::print("  network phase    {:>9} bytes\n", a.nn_phase_bytes);
  fmt::print("  shared arena     {:>9} bytes (the phases' sum would be {})\n", a.shared_arena_bytes,
             a.dsp_phase_bytes + a.nn_phase_bytes);
  fmt::print("  continuous state {:>9} bytes\n", a.state_bytes);
  fmt::print("  static arena     {:>9} bytes\n", a.total_arena_bytes);
  if (d.weight_bytes > 0) fmt::print("  model weights    {:>9} bytes (flash)\n", d.weight_bytes);
}

}  // namespace

void add_deploy_command(CLI::App& app) {
  auto args = std::make_shared<DeployArgs>();
  CLI::App* cmd =
      app.add_subcommand("deploy", "Write the trained pipeline as a C++ library (DSP + model)");
  cmd->add_option("-C", args->dir, "Project directory (default: the current directory)");
  cmd->add_option("-o", args->out, "Output folder (default: PROJECT/out/deploy)");
  cmd->add_option("--target", args->target, "host (default) or cortex-m4: the Makefile default");
  cmd->add_option("--engine", args->engine, "aot (default: compiled model) or tflm");
  cmd->add_option("--precision", args->precision, "int8 (default) or float32");
  cmd->add_option("--slices", args->slices, "Continuous mode: slices per window (default 4)");
  cmd->add_flag("--opt-memory", args->opt_memory,
                "Compile the model for the smallest arena instead of speed");
  cmd->callback([args] { run_deploy(*args); });
}

}  // namespace kiln::cli
