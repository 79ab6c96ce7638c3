// kiln: the command-line entry point. Every error reaches the user as one line
// "kiln: error: ..." and exit code 1.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "cli/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"kiln: from sensor data to a tiny, fast C++ library for microcontrollers"};
  app.set_version_flag("--version", "kiln 0.1.0");
  app.require_subcommand(1);
  kiln::cli::add_inspect_command(app);
  kiln::cli::add_run_command(app);
  kiln::cli::add_features_command(app);
  kiln::cli::add_example_command(app);
  kiln::cli::add_compile_command(app);
  kiln::cli::add_profile_command(app);
  kiln::cli::add_project_commands(app);
  kiln::cli::add_train_command(app);
  kiln::cli::add_test_command(app);
  kiln::cli::add_classify_command(app);
  kiln::cli::add_deploy_command(app);
  kiln::cli::add_studio_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    fmt::print(stderr, "kiln: error: {}\n", e.what());
    fmt::print(stderr, "Run with --help for more information.\n");
    return 1;
  } catch (const kiln::Error& e) {
    fmt::print(stderr, "kiln: error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kiln: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kiln: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
