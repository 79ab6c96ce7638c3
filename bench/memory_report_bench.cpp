// RAM of compiled models against TFLM's interpreter: for every golden model, Kiln's arena
// (activations + scratch + state, all static RAM the generated code needs besides the stack)
// next to TFLM's 32-bit arena from the manifest, the ratio, the weights, and — when the ARM
// toolchain is installed — the Cortex-M4 flash and static RAM of a minimal image.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "tflite/reader.h"

namespace fs = std::filesystem;

namespace {

struct ArmSize {
  long text = -1, data = -1, bss = -1;  // of the whole image
  long lib_ram = -1;                    // .data + .bss of the generated library alone
  long baseline_flash = -1;             // flash of the same image with an empty main
};

// Sums the sections of an ELF (or the totals of an archive) as arm-none-eabi-size reports them.
bool read_sizes(const std::string& args, long* text, long* data, long* bss) {
  FILE* p = popen(fmt::format("arm-none-eabi-size {} 2>/dev/null", args).c_str(), "r");
  if (!p) return false;
  char line[512];
  bool found = false;
  while (fgets(line, sizeof line, p)) {
    long t, d, b;
    if (sscanf(line, " %ld %ld %ld", &t, &d, &b) == 3) {
      *text = t;
      *data = d;
      *bss = b;  // with -t the last line holds the totals
      found = true;
    }
  }
  pclose(p);
  return found;
}

// Links the generated library into a minimal Cortex-M4 image (newlib nosys) and reads its sizes.
ArmSize arm_image_size(const fs::path& dir) {
  ArmSize s;
  std::ofstream(dir / "image_main.cpp")
      << "#include \"m.h\"\nint main() { m_reset(); return m_invoke(); }\n";
  const std::string flags = "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard";
  const std::string build = fmt::format(
      "make -s -C {0} -j2 CXX=arm-none-eabi-g++ AR=arm-none-eabi-ar ARCH_FLAGS='{1}' "
      "OPT=-Os CXXFLAGS='-ffunction-sections -fdata-sections' libm.a > /dev/null 2>&1 && "
      "arm-none-eabi-g++ {1} -Os -fno-exceptions -fno-rtti -I{0} --specs=nosys.specs "
      "--specs=nano.specs "
      "-Wl,--gc-sections {0}/image_main.cpp {0}/libm.a -o {0}/image.elf > /dev/null 2>&1 && "
      "echo 'int main() {{ return 0; }}' > {0}/empty_main.cpp && "
      "arm-none-eabi-g++ {1} -Os --specs=nosys.specs --specs=nano.specs -Wl,--gc-sections "
      "{0}/empty_main.cpp -o {0}/empty.elf > /dev/null 2>&1",
      dir.string(), flags);
  if (std::system(build.c_str()) != 0) return s;
  long t, d, b;
  if (read_sizes(fmt::format("-t {}/libm.a", dir.string()), &t, &d, &b)) s.lib_ram = d + b;
  if (read_sizes(fmt::format("{}/empty.elf", dir.string()), &t, &d, &b)) s.baseline_flash = t + d;
  const std::string cmd = fmt::format("arm-none-eabi-size -A {}/image.elf", dir.string());
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return s;
  char line[512];
  s.text = s.data = s.bss = 0;
  while (fgets(line, sizeof line, p)) {
    char section[128];
    long size = 0;
    if (sscanf(line, "%127s %ld", section, &size) != 2) continue;
    const std::string sec = section;
    if (sec == ".text" || sec == ".rodata" || sec == ".ARM.exidx" || sec == ".init" ||
        sec == ".fini")
      s.text += size;
    else if (sec == ".data")
      s.data += size;
    else if (sec == ".bss")
      s.bss += size;
  }
  pclose(p);
  return s;
}

}  // namespace

// Usage: memory_report_bench [--opt-speed] (default: --opt-memory, the compiler's default).
int main(int argc, char** argv) {
  const bool opt_speed = argc > 1 && std::string(argv[1]) == "--opt-speed";
  if (argc > 2 || (argc == 2 && !opt_speed)) {
    fmt::print(stderr, "usage: memory_report_bench [--opt-speed]\n");
    return 2;
  }
  fmt::print("kernels: {}\n", opt_speed ? "--opt-speed" : "--opt-memory");
  const fs::path root = fs::path(KILN_SHARED_DIR) / "testdata" / "tflite";
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (fs::exists(e.path() / "model.tflite")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty()) {
    fmt::print(stderr, "memory_report: no golden models under {}\n", root.string());
    return 1;
  }
  const bool arm = std::system("command -v arm-none-eabi-g++ > /dev/null 2>&1") == 0;
  fmt::print("{:<36} {:>10} {:>10} {:>10} {:>7} {:>9} {:>7} {:>10} {:>10} {:>10}\n", "model",
             "tflm_arena", "tflm_act", "kiln_arena", "ratio", "weights", "consts", "m4_flash",
             "m4_code", "m4_ram");
  std::vector<double> ratios;
  for (const auto& dir : dirs) {
    const std::string name = dir.filename().string();
    std::ifstream in(dir / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    const int64_t tflm = manifest["tflm_arena_32bit"]["arena_used_bytes"].get<int64_t>();
    const int64_t tflm_act = manifest["tflm_arena_32bit"]["nonpersistent_bytes"].get<int64_t>();
    try {
      const kiln::ir::Model model = kiln::tflite::read_model_file((dir / "model.tflite").string());
      kiln::compiler::CompileOptions options;
      options.name = "m";
      options.target = "cortex-m4";
      options.optimize_memory = !opt_speed;
      const auto compiled = kiln::compiler::compile_model(model, options);
      const double ratio = static_cast<double>(compiled.arena_bytes) / static_cast<double>(tflm);
      ratios.push_back(ratio);
      std::string flash = "-", ram = "-", code = "-";
      if (arm) {
        const fs::path out = fs::temp_directory_path() / fmt::format("kiln_memreport_{}", name);
        fs::remove_all(out);
        kiln::compiler::write_compiled_model(compiled, out.string());
        const ArmSize size = arm_image_size(out);
        if (size.text >= 0) {
          flash = fmt::format("{}", size.text + size.data);
          ram = fmt::format("{}", size.lib_ram);
          code = fmt::format("{}", size.text + size.data - size.baseline_flash -
                                       compiled.weight_bytes - compiled.constant_bytes);
        }
        fs::remove_all(out);
      }
      fmt::print("{:<36} {:>10} {:>10} {:>10} {:>7.3f} {:>9} {:>7} {:>10} {:>10} {:>10}\n", name,
                 tflm, tflm_act, compiled.arena_bytes, ratio, compiled.weight_bytes,
                 compiled.constant_bytes, flash, code, ram);
      if (compiled.patch_stage)
        fmt::print("{:<36} patch-based execution: {}\n", "", compiled.patch_stage_description);
    } catch (const std::exception& e) {
      fmt::print("{:<36} {:>10} {:>10}  not compiled: {}\n", name, tflm, tflm_act, e.what());
    }
  }
  if (!ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    const size_t n = ratios.size();
    const double median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    fmt::print("median ratio kiln/tflm: {:.3f}, max: {:.3f} (targets: median <= 0.5, max <= 0.8)\n",
               median, ratios.back());
  }
  fmt::print(
      "m4_flash: .text+.rodata+.data of a minimal newlib image (arm-none-eabi-g++ -Os, "
      "gc-sections)\n"
      "that calls the model once; m4_code: that minus the same image with an empty main, minus "
      "the\n"
      "weights and minus consts (per-channel requantization multipliers/shifts and other per-op\n"
      "tables, the compiled form of the model's quantization parameters);\n"
      "m4_ram: .data+.bss of the generated library (the arena; stack excluded).\n");
  return 0;
}
