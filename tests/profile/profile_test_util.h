// Helpers shared by the profiling tests: whether the cross toolchain and QEMU are installed, and
// a scratch folder removed at the end of a test.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "profile/toolchain.h"

namespace kiln::testing {

inline profile::Toolchain installed_tools() {
  return profile::find_toolchain(profile::ToolNames{});
}

// True when firmware can be built and run with the counting plugin.
inline bool can_emulate() {
  const profile::Toolchain t = installed_tools();
  return t.missing(profile::ToolNames{}).empty() && !t.host_cxx.empty();
}

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("kiln_profile_test_{}_{}_{}", tag, ::getpid(), counter.fetch_add(1));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    if (keep_) return;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void keep() { keep_ = true; }  // leave the files for a failed test to be inspected

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace kiln::testing
