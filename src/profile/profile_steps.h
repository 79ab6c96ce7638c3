// Steps shared by `kiln profile --model` and `kiln profile` on a project: the build folder, the
// image's flash and RAM, the verdict against the budget, and the counting plugin.
#pragma once

#include <filesystem>

#include "profile/profile.h"

namespace kiln::profile {

// The firmware build folder: the one the caller asked for (kept), else a fresh temporary folder
// removed when this object goes away, however profiling ends.
class WorkDir {
 public:
  explicit WorkDir(const std::filesystem::path& requested);
  ~WorkDir();
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  bool kept() const { return !temporary_; }

 private:
  std::filesystem::path path_;
  bool temporary_ = false;
};

// Flash (vectors, text, rodata, the initial image of .data) and static RAM (data + bss; the
// stack reserve is left out) of a firmware image.
void measure_image(const std::filesystem::path& elf_path, ProfileReport& report);

// Clock, budgets, ms_est from cycles_est and the fits_* verdicts (RAM = static RAM + stack).
void apply_budget(const ProfileOptions& options, ProfileReport& report);

// The counting plugin, or nothing (with a note in `report`) when it cannot be built or is not
// wanted.
std::filesystem::path count_plugin_or_note(const Toolchain& tools, const ProfileOptions& options,
                                           ProfileReport& report);

}  // namespace kiln::profile
