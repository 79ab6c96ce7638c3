// kiln run MODEL.tflite --input IN.bin... --output OUT.bin...: one inference with Kiln's kernels
// on raw little-endian tensor bytes.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/file_io.h"
#include "core/error.h"
#include "exec/executor.h"
#include "tflite/reader.h"

namespace kiln::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
};

void run(const RunArgs& args) {
  const ir::Model model = tflite::read_model_file(args.model);
  exec::Executor executor(model);
  if (args.inputs.size() != executor.num_inputs())
    throw Error(fmt::format("model has {} input(s), {} --input file(s) given",
                            executor.num_inputs(), args.inputs.size()));
  if (args.outputs.size() != executor.num_outputs())
    throw Error(fmt::format("model has {} output(s), {} --output file(s) given",
                            executor.num_outputs(), args.outputs.size()));
  for (size_t i = 0; i < args.inputs.size(); ++i) {
    const std::vector<uint8_t> bytes = read_file(args.inputs[i]);
    try {
      executor.set_input(i, bytes);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", args.inputs[i], e.what()));
    }
  }
  executor.invoke();
  for (size_t i = 0; i < args.outputs.size(); ++i) write_file(args.outputs[i], executor.output(i));
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "Run a .tflite model once on raw tensor files (little-endian, model's I/O order)");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("MODEL", args->model, "model file (.tflite)")->required();
  cmd->add_option("-i,--input", args->inputs, "input tensor file (repeat for several inputs)")
      ->required();
  cmd->add_option("-o,--output", args->outputs, "output tensor file (repeat for several outputs)")
      ->required();
  cmd->callback([args] { run(*args); });
}

}  // namespace kiln::cli
