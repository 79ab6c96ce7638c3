// Each kiln subcommand lives in its own file and registers itself on the app here. Commands stay
// thin: parse arguments, call one library function, print the result.
#pragma once

#include <CLI/CLI.hpp>

namespace kiln::cli {

void add_inspect_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_features_command(CLI::App& app);
void add_example_command(CLI::App& app);
void add_compile_command(CLI::App& app);
void add_profile_command(CLI::App& app);
void add_project_commands(CLI::App& app);  // init, import, data
void add_train_command(CLI::App& app);
void add_test_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_deploy_command(CLI::App& app);
void add_studio_command(CLI::App& app);  // the local web interface

}  // namespace kiln::cli
