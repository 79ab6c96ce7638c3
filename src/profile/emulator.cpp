#include "profile/emulator.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/error.h"
#include "profile/elf_image.h"
#include "profile/embedded_files.h"
#include "profile/process.h"

namespace kiln::profile {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPluginFiles[] = {"qemu_plugin/kiln_count_plugin.cpp",
                                        "qemu_plugin/thumb_cycles.h",
                                        "qemu_plugin/thumb_cycles.cpp"};

// Under -icount shift=0 QEMU's virtual clock advances 1 ns per instruction; the mps2 timer runs
// at the 25 MHz board clock, so one timer tick is 40 instructions.
constexpr uint64_t kInstructionsPerTimerTick = 40;

uint64_t fnv1a(std::string_view text, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> parse_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw Error("firmware printed an odd-length hex output");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw Error("firmware printed a non-hex output");
  };
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < hex.size(); i += 2)
    bytes.push_back(static_cast<uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  return bytes;
}

void parse_console(const std::string& console, EmulationResult& r, uint64_t* timer_ticks) {
  std::istringstream lines(console);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key == "KILN_STATUS")
      r.firmware_status = std::stoi(value);
    else if (key == "KILN_STACK")
      r.stack_bytes = std::stoll(value);
    else if (key == "KILN_STACK_RESERVE")
      r.stack_reserve_bytes = std::stoll(value);
    else if (key == "KILN_TIMER_TICKS")
      *timer_ticks = std::stoull(value);
    else if (key == "KILN_OUTPUT")
      r.outputs.push_back(parse_hex(value));
  }
}

void parse_counts(const std::string& text, EmulationResult& r,
                  std::vector<std::pair<uint32_t, std::pair<uint64_t, uint64_t>>>& calls) {
  std::istringstream lines(text);
  std::string line;
  uint64_t regions = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "regions")
      words >> regions;
    else if (key == "instructions")
      words >> r.instructions;
    else if (key == "cycles")
      words >> r.cycles;
    else if (key == "taken_branches")
      words >> r.taken_branches;
    else if (key == "class") {
      std::string name;
      uint64_t n = 0;
      words >> name >> n;
      r.instruction_classes[name] = n;
    } else if (key == "call") {
      std::string address;
      uint64_t insns = 0, cycles = 0;
      words >> address >> insns >> cycles;
      calls.push_back({static_cast<uint32_t>(std::stoul(address, nullptr, 16)), {insns, cycles}});
    }
  }
  if (regions != 1)
    throw Error(
        fmt::format("the counting plugin saw {} measured regions (expected exactly 1)", regions));
}

// The callee of the call instruction at `address`.
std::string callee_name(const ElfImage& elf, uint32_t address) {
  const auto first = elf.halfword_at(address);
  if (first && (*first & 0xFF87) == 0x4780) return "(indirect)";
  const auto target = thumb_bl_target(elf, address);
  if (!target) return "?";
  const ElfSymbol* f = elf.function_at(*target);
  return f ? demangle(f->name) : fmt::format("0x{:x}", *target);
}

}  // namespace

fs::path default_cache_dir() {
  if (const char* v = std::getenv("KILN_CACHE_DIR"); v && *v) return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v) return fs::path(v) / "kiln";
  if (const char* v = std::getenv("HOME"); v && *v) return fs::path(v) / ".cache" / "kiln";
  return fs::temp_directory_path() / "kiln-cache";
}

fs::path build_count_plugin(const Toolchain& tools, const fs::path& cache_dir) {
  if (tools.host_cxx.empty()) throw Error("no host C++ compiler to build the QEMU counting plugin");
  uint64_t h = fnv1a(tools.host_cxx);
  for (const char* f : kPluginFiles) h = fnv1a(embedded_profile_file(f), fnv1a(f, h));
  const fs::path dir = cache_dir / fmt::format("qemu_plugin-{:016x}", h);
  const fs::path plugin = dir / "kiln_count.so";
  if (fs::exists(plugin)) return plugin;

  // Sources and object are written to a private folder and the plugin renamed into place, so
  // concurrent runs (parallel tests) never read a half-written file.
  const fs::path work = dir / fmt::format("build.{}", ::getpid());
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", work.string(), ec.message()));
  for (const char* f : kPluginFiles) {
    const fs::path path = work / fs::path(f).filename();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << embedded_profile_file(f);
    if (!out) throw Error(fmt::format("cannot write '{}'", path.string()));
  }
  const fs::path partial = work / "kiln_count.so";
  const std::vector<std::string> command = {tools.host_cxx,
                                            "-std=c++17",
                                            "-O2",
                                            "-Wall",
                                            "-Wextra",
                                            "-shared",
                                            "-fPIC",
                                            "-fvisibility=hidden",
                                            (work / "kiln_count_plugin.cpp").string(),
                                            (work / "thumb_cycles.cpp").string(),
                                            "-o",
                                            partial.string()};
  const ProcessResult r = run_process(command, 300);
  if (r.exit_code != 0)
    throw Error(
        fmt::format("building the QEMU plugin failed ({}):\n{}", shell_command(command), r.output));
  fs::rename(partial, plugin, ec);
  if (ec)
    throw Error(fmt::format("cannot move the plugin into '{}': {}", plugin.string(), ec.message()));
  fs::remove_all(work, ec);
  return plugin;
}

EmulationResult run_on_qemu(const Toolchain& tools, const fs::path& elf_path,
                            const EmulationOptions& options) {
  if (tools.qemu.empty()) throw Error("qemu-system-arm not found");
  const ElfImage elf = ElfImage::read(elf_path);
  uint32_t begin_address = 0, end_address = 0;
  std::string region;
  if (!options.exact_function.empty()) {
    // Count exactly the function: from its first instruction up to the instruction its only
    // call site in main returns to.
    const ElfSymbol* f = elf.find_symbol(options.exact_function);
    const ElfSymbol* main = elf.find_symbol("main");
    const std::vector<uint32_t> sites =
        f && main ? thumb_calls_to(elf, *main, f->address()) : std::vector<uint32_t>{};
    if (sites.size() == 1) {
      begin_address = f->address();
      end_address = sites[0] + 4;
      region = options.exact_function;
    }
  }
  if (region.empty()) {
    const ElfSymbol* begin = elf.find_symbol(options.begin_symbol);
    const ElfSymbol* end = elf.find_symbol(options.end_symbol);
    if (!begin || !end)
      throw Error(fmt::format("'{}' has no {} / {} marker functions", elf_path.string(),
                              options.begin_symbol, options.end_symbol));
    begin_address = begin->address();
    end_address = end->address();
    region = options.begin_symbol + " .. " + options.end_symbol;
  }

  const fs::path dir = elf_path.parent_path();
  const fs::path counts = dir / "counts.txt";
  const fs::path console = dir / "console.txt";
  std::error_code ec;
  fs::remove(counts, ec);
  fs::remove(console, ec);
  // Semihosting output goes to a file of its own, apart from QEMU's messages.
  std::vector<std::string> command = {tools.qemu,
                                      "-M",
                                      "mps2-an386",
                                      "-nographic",
                                      "-monitor",
                                      "none",
                                      "-serial",
                                      "none",
                                      "-chardev",
                                      fmt::format("file,id=kiln_console,path={}", console.string()),
                                      "-semihosting-config",
                                      "enable=on,target=native,chardev=kiln_console",
                                      "-kernel",
                                      elf_path.string()};
  EmulationResult r;
  if (!options.plugin.empty()) {
    std::string args = fmt::format("{},begin=0x{:x},end=0x{:x},out={}", options.plugin.string(),
                                   begin_address, end_address, counts.string());
    if (!options.traced_function.empty()) {
      const ElfSymbol* f = elf.find_symbol(options.traced_function);
      if (!f)
        throw Error(
            fmt::format("'{}' has no function {}", elf_path.string(), options.traced_function));
      args +=
          fmt::format(",calls_from=0x{:x},calls_to=0x{:x}", f->address(), f->address() + f->size);
    }
    command.insert(command.end(), {"-plugin", args});
    r.method = "qemu-plugin";
  } else {
    command.insert(command.end(), {"-icount", "shift=0"});
    r.method = "icount-timer";
  }
  r.command = shell_command(command);
  r.region = options.plugin.empty() ? std::string("timer reads around ") + options.begin_symbol +
                                          " .. " + options.end_symbol
                                    : region;

  const auto start = std::chrono::steady_clock::now();
  const ProcessResult p = run_process(command, options.timeout_seconds);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.console = read_text(console);
  if (p.timed_out)
    throw Error(
        fmt::format("QEMU did not finish within {} s: {}", options.timeout_seconds, r.command));
  if (r.console.find("KILN_FAULT") != std::string::npos)
    throw Error(fmt::format(
        "the firmware faulted on QEMU (bad memory access or stack overflow): {}", r.command));
  if (p.exit_code != 0 || r.console.find("KILN_DONE") == std::string::npos) {
    throw Error(fmt::format("QEMU run failed (exit code {}): {}\n{}{}", p.exit_code, r.command,
                            r.console, p.output));
  }

  uint64_t timer_ticks = 0;
  parse_console(r.console, r, &timer_ticks);
  if (!options.plugin.empty()) {
    if (!fs::exists(counts))
      throw Error(fmt::format("the counting plugin wrote no report (QEMU said: {})", p.output));
    std::vector<std::pair<uint32_t, std::pair<uint64_t, uint64_t>>> calls;
    parse_counts(read_text(counts), r, calls);
    for (const auto& [address, cost] : calls)
      r.calls.push_back({address, callee_name(elf, address), cost.first, cost.second});
  } else {
    r.instructions = timer_ticks * kInstructionsPerTimerTick;
  }
  return r;
}

}  // namespace kiln::profile
