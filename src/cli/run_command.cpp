#include "cli/commands.h"

namespace kiln::cli {

// Placeholder until the command is written.
void add_run_command(CLI::App& /*app*/) {}

}  // namespace kiln::cli
