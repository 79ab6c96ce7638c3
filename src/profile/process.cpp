#include "profile/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/error.h"

namespace kiln::profile {

namespace fs = std::filesystem;

namespace {

std::string read_tail(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (text.size() > max_bytes) text = text.substr(text.size() - max_bytes);
  return text;
}

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_program(const std::string& name) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return is_executable(name) ? name : std::string();
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string dir = dirs.substr(start, colon - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (is_executable(candidate)) return candidate;
    start = colon + 1;
  }
  return {};
}

std::string shell_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

ProcessResult run_process(const std::vector<std::string>& argv, double timeout_seconds,
                          const fs::path& cwd, const fs::path& stdout_file) {
  if (argv.empty()) throw Error("run_process: empty command");
  const std::string program = find_program(argv[0]);
  if (program.empty()) throw Error(fmt::format("'{}' not found in PATH", argv[0]));

  // The child's stderr (and stdout, unless redirected elsewhere) go to a temporary log file:
  // reading pipes while waiting with a deadline would need a poll loop for little gain.
  char log_template[] = "/tmp/kiln_process_XXXXXX";
  const int log_fd = ::mkstemp(log_template);
  if (log_fd < 0) throw Error("cannot create a temporary file for a child process's output");
  const fs::path log_path = log_template;
  int out_fd = log_fd;
  if (!stdout_file.empty()) {
    out_fd = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      ::close(log_fd);
      fs::remove(log_path);
      throw Error(fmt::format("cannot write '{}'", stdout_file.string()));
    }
  }

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    if (out_fd != log_fd) ::close(out_fd);
    fs::remove(log_path);
    throw Error("fork failed");
  }
  if (pid == 0) {
    // Child: own process group, so a timeout can stop the tool and everything it started.
    ::setpgid(0, 0);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, 0);
    ::dup2(out_fd, 1);
    ::dup2(log_fd, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(program.c_str(), args.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent: whichever runs first wins the race harmlessly

  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(timeout_seconds));
  int status = 0;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) {
      status = -1;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(50)) pause *= 2;
  }
  ::close(log_fd);
  if (out_fd != log_fd) ::close(out_fd);
  if (!result.timed_out && status >= 0 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.output = read_tail(log_path, 64 * 1024);
  std::error_code ec;
  fs::remove(log_path, ec);
  return result;
}

}  // namespace kiln::profile
