// Runs the kiln binary of this build from a test and captures what it prints.
#pragma once

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace kiln::testing {

struct CommandOutput {
  int status = -1;   // exit code, -1 if it did not exit normally
  std::string text;  // stdout, and stderr when asked for
};

// `environment` is prefixed to the command line (e.g. "PATH=/nowhere").
inline CommandOutput run_kiln(const std::string& environment, const std::string& args,
                              bool with_stderr = true) {
  const std::string kiln = std::string(KILN_BINARY_DIR) + "/src/kiln";
  const std::string command =
      fmt::format("{} {} {} {}", environment, kiln, args, with_stderr ? "2>&1" : "2>/dev/null");
  CommandOutput out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.text.append(buffer, n);
  const int status = ::pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace kiln::testing
