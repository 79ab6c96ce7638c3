// Running the external tools kiln profile drives (cross compiler, make, QEMU) as child processes
// with a time limit, their output captured in files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kiln::profile {

struct ProcessResult {
  int exit_code = -1;      // the child's exit status; -1 if it did not exit normally
  bool timed_out = false;  // killed after the time limit
  std::string output;      // stdout followed by stderr (cut to the last 64 KiB)
};

// Runs argv[0] (looked up in PATH) with the arguments, in `cwd` if not empty, for at most
// `timeout_seconds`. stdout goes to `stdout_file` when given (and is then not in `output`).
// Throws kiln::Error if the program cannot be started at all.
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_seconds,
                          const std::filesystem::path& cwd = {},
                          const std::filesystem::path& stdout_file = {});

// The command line as a shell would take it (for messages and reproduction).
std::string shell_command(const std::vector<std::string>& argv);

// Full path of an executable found in PATH (or the name itself if it contains a '/' and is
// executable); empty if none.
std::string find_program(const std::string& name);

}  // namespace kiln::profile
