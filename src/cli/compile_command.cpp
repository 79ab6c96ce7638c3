// kiln compile MODEL.tflite -o DIR: ahead-of-time compile a model into a standalone C++ folder.
#include <fmt/format.h>

#include "cli/commands.h"
#include "compiler/compile.h"
#include "tflite/reader.h"

namespace kiln::cli {

namespace {

struct CompileArgs {
  std::string model;
  std::string dir;
  compiler::CompileOptions options;
  bool opt_speed = false;
  bool no_patches = false;
};

void compile(const CompileArgs& args) {
  const ir::Model model = tflite::read_model_file(args.model);
  compiler::CompileOptions options = args.options;
  options.optimize_memory = !args.opt_speed;
  options.patches = !args.no_patches;
  const compiler::CompiledModel compiled = compiler::compile_model(model, options);
  compiler::write_compiled_model(compiled, args.dir);
  fmt::print("compiled {} into {}/: {} files\n", args.model, args.dir, compiled.files.size());
  fmt::print("  arena (activations + scratch): {} bytes ({} placement)\n", compiled.arena_bytes,
             compiled.plan.heuristic);
  fmt::print("  weights: {} bytes, other constants: {} bytes\n", compiled.weight_bytes,
             compiled.constant_bytes);
  int fast = 0;
  for (bool f : compiled.fast_kernel) fast += f;
  fmt::print("  kernels: {} ({} operators on fast kernels)\n",
             options.optimize_memory ? "--opt-memory" : "--opt-speed", fast);
  if (compiled.patch_stage)
    fmt::print("  patch-based execution: {}\n", compiled.patch_stage_description);
}

}  // namespace

void add_compile_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compile",
      "Compile a .tflite model into standalone C++ (no interpreter, static memory plan)");
  auto args = std::make_shared<CompileArgs>();
  cmd->add_option("MODEL", args->model, "model file (.tflite)")->required();
  cmd->add_option("-o,--output-dir", args->dir, "folder to write the generated code into")
      ->required();
  cmd->add_option("--name", args->options.name, "prefix of generated files and symbols")
      ->capture_default_str();
  cmd->add_option("--target", args->options.target, "host or cortex-m4")
      ->check(CLI::IsMember({"host", "cortex-m4"}))
      ->capture_default_str();
  auto opt_memory = std::make_shared<bool>(false);
  auto* mem = cmd->add_flag("--opt-memory", *opt_memory, "plan for the smallest RAM (default)");
  auto* speed = cmd->add_flag("--opt-speed", args->opt_speed,
                              "fast kernels everywhere and filters widened for them: more RAM "
                              "and flash, fewer cycles");
  mem->excludes(speed);
  cmd->add_flag("--no-patches", args->no_patches,
                "with --opt-memory, never run early layers in row bands (patch-based execution)");
  cmd->callback([args, opt_memory] { compile(*args); });
}

}  // namespace kiln::cli
