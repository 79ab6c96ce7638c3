// kiln example -o DIR: writes a small generated int8 model and an input for it, so Kiln can be
// tried end to end with nothing downloaded.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "cli/file_io.h"
#include "core/error.h"
#include "ir/example_model.h"
#include "tflite/writer.h"

namespace kiln::cli {

void add_example_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "example", "Write a generated example model (example.tflite) and input (example_input.bin)");
  auto dir = std::make_shared<std::string>(".");
  auto seed = std::make_shared<uint32_t>(1);
  cmd->add_option("-o,--output-dir", *dir, "folder to write into (created if missing)");
  cmd->add_option("--seed", *seed, "seed of the generated weights and input");
  cmd->callback([dir, seed] {
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    if (ec) throw Error(fmt::format("cannot create '{}': {}", *dir, ec.message()));
    const auto model_path = (std::filesystem::path(*dir) / "example.tflite").string();
    const auto input_path = (std::filesystem::path(*dir) / "example_input.bin").string();
    tflite::write_model_file(ir::make_example_model(*seed), model_path);
    write_file(input_path, ir::make_example_input(*seed));
    fmt::print("wrote {} and {}\n", model_path, input_path);
  });
}

}  // namespace kiln::cli
