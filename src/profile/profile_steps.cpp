#include "profile/profile_steps.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>

#include "core/error.h"
#include "profile/elf_image.h"

namespace kiln::profile {

namespace fs = std::filesystem;

namespace {

// Sections at or above this address are RAM on mps2-an386; below it is the code memory that
// stands in for flash.
constexpr uint32_t kRamBase = 0x20000000;

}  // namespace

WorkDir::WorkDir(const fs::path& requested) : path_(requested) {
  if (path_.empty()) {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            fmt::format("kiln_profile_{}_{}", ::getpid(), counter.fetch_add(1));
    temporary_ = true;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::error_code ec;
  fs::create_directories(path_, ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", path_.string(), ec.message()));
}

WorkDir::~WorkDir() {
  std::error_code ec;
  if (temporary_) fs::remove_all(path_, ec);
}

void measure_image(const fs::path& elf_path, ProfileReport& report) {
  const ElfImage elf = ElfImage::read(elf_path);
  report.flash_bytes = 0;
  report.static_ram_bytes = 0;
  for (const ElfSection& s : elf.sections()) {
    if (!s.allocated() || s.name == ".stack") continue;
    if (s.address < kRamBase) {
      report.flash_bytes += s.size;  // vectors, text, rodata, exception tables
    } else {
      report.static_ram_bytes += s.size;                    // data and bss
      if (s.has_file_data()) report.flash_bytes += s.size;  // .data's initial image lives in flash
    }
  }
}

void apply_budget(const ProfileOptions& options, ProfileReport& report) {
  report.clock_mhz = options.clock_mhz;
  report.ram_budget_bytes = options.ram_kb * 1024;
  report.flash_budget_bytes = options.flash_kb * 1024;
  report.ms_est = static_cast<double>(report.cycles_est) / (options.clock_mhz * 1000.0);
  report.fits_ram = report.static_ram_bytes + report.stack_bytes <= report.ram_budget_bytes;
  report.fits_flash = report.flash_bytes <= report.flash_budget_bytes;
}

fs::path count_plugin_or_note(const Toolchain& tools, const ProfileOptions& options,
                              ProfileReport& report) {
  if (!options.use_plugin) return {};
  try {
    return build_count_plugin(tools, options.cache_dir);
  } catch (const Error& e) {
    report.notes.push_back(
        fmt::format("QEMU plugin unavailable, using the -icount clock: {}", e.what()));
    return {};
  }
}

}  // namespace kiln::profile
