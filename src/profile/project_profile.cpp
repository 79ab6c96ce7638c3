#include "profile/project_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/error.h"
#include "deploy/deploy.h"
#include "ir/op_stats.h"
#include "pipeline/window_features.h"
#include "profile/elf_image.h"
#include "profile/embedded_files.h"
#include "profile/profile_steps.h"
#include "project/project.h"
#include "project/sample_index.h"
#include "tflite/reader.h"

namespace kiln::profile {

namespace fs = std::filesystem;

namespace {

// The deployed library's phase functions (kiln_classifier.h) and the compiled network's entry
// (deploy names the model kiln_model).
constexpr const char* kDspFunction = "kiln_compute_features";
constexpr const char* kNetworkFunction = "kiln_run_network";
constexpr const char* kModelInvoke = "kiln_model_invoke";
constexpr const char* kMain = "firmware/kiln_profile_project_main.cpp";

// Under -icount shift=0 one tick of the 25 MHz board timer is 40 instructions (see emulator.cpp).
constexpr uint64_t kInstructionsPerTimerTick = 40;

// The window the firmware classifies, and what the host makes of it.
struct HostSample {
  fs::path file;              // empty: the project has no samples, the window is zeros
  bool has_expected = false;  // kiln_sample.h holds the host's scores for this window
  std::vector<std::vector<uint8_t>> outputs;  // scores, then the anomaly score if any
};

// The sample `kiln deploy` builds into the library: the first test sample, else the first.
fs::path built_in_sample_file(const project::Project& project) {
  fs::path sample;
  for (const project::SampleRecord& r : project::list_samples(*project.db)) {
    if (r.split == "test") return project.root / r.path;
    if (sample.empty()) sample = project.root / r.path;
  }
  return sample;
}

template <typename T>
std::vector<uint8_t> raw_bytes(const T* values, size_t count) {
  std::vector<uint8_t> bytes(count * sizeof(T));
  if (count) std::memcpy(bytes.data(), values, bytes.size());
  return bytes;
}

// The host's scores for the first window of `file`, computed here from the window itself (DSP,
// normalization, network through Kiln's executor) rather than read back from the sample header.
HostSample host_sample(const fs::path& out_dir, const fs::path& file,
                       const pipeline::TrainedPipeline& p, pipeline::Precision precision) {
  HostSample s;
  s.file = file;
  std::vector<data::BlockInput> windows;
  if (!file.empty())
    windows = pipeline::sample_windows(p, pipeline::load_sample(p, file), p.zero_pad);
  s.has_expected = !windows.empty();
  if (windows.empty()) {
    data::Signal zeros;
    zeros.sampling_frequency_hz = p.sample_rate_hz;
    zeros.axes = p.axes;
    zeros.axis_names = p.axis_names;
    zeros.samples.assign(static_cast<size_t>(p.window_frames) * static_cast<size_t>(p.axes), 0.0f);
    windows.push_back(zeros);
  }
  std::vector<float> features = pipeline::raw_features(p, windows.front());
  pipeline::normalize(p, features);
  pipeline::PipelineClassifier classifier(out_dir, precision);
  const pipeline::WindowResult r = classifier.classify_features(features);
  s.outputs.push_back(raw_bytes(r.scores.data(), r.scores.size()));
  if (p.anomaly) {
    const float anomaly = r.anomaly.value_or(0.0f);
    s.outputs.push_back(raw_bytes(&anomaly, 1));
  }
  return s;
}

// The value of a "KEY value" line the firmware printed.
std::optional<uint64_t> console_value(const std::string& console, const std::string& key) {
  std::istringstream lines(console);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string k;
    uint64_t v = 0;
    if (words >> k && k == key && words >> v) return v;
  }
  return std::nullopt;
}

// Did the firmware find its scores equal to the host scores stored in kiln_sample.h?
bool firmware_saw_match(const EmulationResult& r) {
  return console_value(r.console, "KILN_SAMPLE_MATCH").value_or(0) == 1;
}

// Which emulated values differ from the host's, and by how much (floats: scores, anomaly).
std::string describe_mismatch(const EmulationResult& r, const HostSample& host,
                              bool float_network) {
  if (r.outputs.size() != host.outputs.size())
    return fmt::format("the firmware printed {} outputs, the host has {}", r.outputs.size(),
                       host.outputs.size());
  size_t values = 0, differing = 0;
  double largest = 0;
  for (size_t o = 0; o < r.outputs.size(); ++o) {
    if (r.outputs[o].size() != host.outputs[o].size())
      return fmt::format("output {} has {} bytes on the device, {} on the host", o,
                         r.outputs[o].size(), host.outputs[o].size());
    for (size_t i = 0; i + 4 <= r.outputs[o].size(); i += 4) {
      float device = 0, expected = 0;
      std::memcpy(&device, &r.outputs[o][i], 4);
      std::memcpy(&expected, &host.outputs[o][i], 4);
      ++values;
      if (std::memcmp(&device, &expected, 4) != 0) {
        ++differing;
        largest = std::max(largest, std::fabs(static_cast<double>(device) - expected));
      }
    }
  }
  return fmt::format(
      "{} of {} emulated values differ from the host's (largest difference {:.3g}){}", differing,
      values, largest,
      float_network ? "; a float network's softmax/tanh/logistic call the C library's expf/tanhf, "
                      "which newlib on the device may round differently from the host's libm"
                    : "");
}

FirmwareProject project_firmware(const deploy::Deployment& d) {
  FirmwareProject project = base_firmware();
  for (const auto& [path, text] : d.files) {
    project.files["lib/" + path] = text;
    // The examples have their own main()s; the firmware brings its own.
    if (path.ends_with(".cpp") && !path.starts_with("example/"))
      project.sources.push_back("lib/" + path);
  }
  project.files[kMain] = std::string(embedded_profile_file(kMain));
  project.sources.push_back(kMain);
  project.include_dirs.push_back("lib");
  return project;
}

// One emulation counting `function` exactly (its entry up to the return into main), with the
// calls made inside `traced` broken down.
EmulationResult count_function(const Toolchain& tools, const fs::path& elf, const fs::path& plugin,
                               const std::string& function, const std::string& traced,
                               const ProfileOptions& options) {
  EmulationOptions run;
  run.plugin = plugin;
  run.timeout_seconds = options.run_timeout_seconds;
  run.exact_function = function;
  run.traced_function = traced;
  EmulationResult r = run_on_qemu(tools, elf, run);
  if (r.region != function)
    throw Error(
        fmt::format("cannot count {} on its own: main does not call it exactly once", function));
  return r;
}

void add_classes(const EmulationResult& r, ProfileReport& report) {
  for (const auto& [name, n] : r.instruction_classes) report.instruction_classes[name] += n;
  report.taken_branches += r.taken_branches;
}

void fill_window(const pipeline::TrainedPipeline& p, ProfileReport& report) {
  report.dsp_block = p.dsp_block;
  report.sample_rate_hz = p.sample_rate_hz;
  report.window_frames = p.window_frames;
  report.window_ms = p.sample_rate_hz > 0 ? 1000.0 * p.window_frames / p.sample_rate_hz : 0.0;
}

// Without firmware: the network from the per-operator formulas; the DSP phase has no formula.
void fill_analytic(const deploy::Deployment& d, ProfileReport& report) {
  report.method = "analytic";
  report.dsp_known = false;
  report.nn_instructions = report.analytic.instructions;
  report.nn_cycles_est = report.analytic.cycles;
  report.cycles_est = report.nn_cycles_est;
  report.flash_bytes = d.weight_bytes;
  report.static_ram_bytes = d.arena.total_arena_bytes;
  report.stack_bytes = 0;
  report.notes.push_back(
      "analytic estimate: network instructions and cycles from per-operator formulas; the DSP "
      "phase is not estimated (unknown), so cycles and ms cover the network only; flash counts "
      "the model weights only (no code), static RAM is the library's arena; stack not measured");
}

ProfileReport profile_precision(const project::Project& project, const pipeline::TrainedPipeline& p,
                                const fs::path& sample, pipeline::Precision precision,
                                const ProfileOptions& options, const fs::path& build_dir) {
  const fs::path out_dir = project.root / pipeline::kOutputDir;
  ProfileReport report;
  report.precision = pipeline::precision_name(precision);
  fill_window(p, report);
  if (p.has_classifier()) {
    const ir::Model model =
        tflite::read_model_file(pipeline::model_path(out_dir, precision).string());
    report.analytic = analytic_estimate(model, {}, !options.optimize_memory);
    report.macs = ir::model_stats(model).macs;
  }

  deploy::DeployOptions deploy_options;
  deploy_options.target = "cortex-m4";
  deploy_options.engine = "aot";
  deploy_options.precision = precision;
  deploy_options.optimize_memory = options.optimize_memory;
  const deploy::Deployment d = deploy::generate_deployment(out_dir, sample, deploy_options);
  report.arena_bytes = d.arena.total_arena_bytes;
  report.dsp_phase_bytes = d.arena.dsp_phase_bytes;
  report.nn_phase_bytes = d.arena.nn_phase_bytes;
  report.weight_bytes = d.weight_bytes;

  const HostSample host = host_sample(out_dir, sample, p, precision);
  report.input_source = sample.empty() ? std::string("zeros (the project has no samples)")
                                       : fmt::format("{} (first window)",
                                                     fs::relative(sample, project.root).string());

  const Toolchain tools = find_toolchain(options.tool_names);
  const std::vector<std::string> missing = tools.missing(options.tool_names);
  if (!missing.empty()) {
    report.notes.push_back(install_hint(missing));
    fill_analytic(d, report);
    apply_budget(options, report);
    return report;
  }

  fs::create_directories(build_dir);
  const fs::path elf = build_firmware(tools, project_firmware(d), build_dir, options.build);
  measure_image(elf, report);
  const bool has_invoke = ElfImage::read(elf).find_symbol(kModelInvoke) != nullptr;

  std::vector<EmulationResult> runs;  // every run made; each reports the same outputs
  fs::path plugin = count_plugin_or_note(tools, options, report);
  if (!plugin.empty()) {
    try {
      const EmulationResult dsp =
          count_function(tools, elf, plugin, kDspFunction, kDspFunction, options);
      const EmulationResult nn =
          count_function(tools, elf, plugin, kNetworkFunction,
                         has_invoke ? kModelInvoke : kNetworkFunction, options);
      report.method = "qemu-plugin";
      report.dsp_instructions = dsp.instructions;
      report.dsp_cycles_est = dsp.cycles;
      report.nn_instructions = nn.instructions;
      report.nn_cycles_est = nn.cycles;
      report.dsp_calls = dsp.calls;
      report.calls = nn.calls;
      report.dsp_counted_region = dsp.region;
      report.counted_region = nn.region;
      add_classes(dsp, report);
      add_classes(nn, report);
      runs = {dsp, nn};
    } catch (const Error& e) {
      report.notes.push_back(
          fmt::format("the counting plugin failed, using the -icount clock: {}", e.what()));
      plugin.clear();
    }
  }
  if (plugin.empty()) {
    EmulationOptions run;
    run.timeout_seconds = options.run_timeout_seconds;
    const EmulationResult r = run_on_qemu(tools, elf, run);
    const uint64_t dsp_ticks = console_value(r.console, "KILN_DSP_TIMER_TICKS").value_or(0);
    const uint64_t ticks = console_value(r.console, "KILN_TIMER_TICKS").value_or(0);
    report.method = r.method;
    report.dsp_instructions = dsp_ticks * kInstructionsPerTimerTick;
    report.nn_instructions = (ticks - std::min(ticks, dsp_ticks)) * kInstructionsPerTimerTick;
    // No per-instruction view: both phases scaled by the network's analytic cycles/instruction.
    const double cpi = report.analytic.instructions
                           ? static_cast<double>(report.analytic.cycles) /
                                 static_cast<double>(report.analytic.instructions)
                           : 1.0;
    report.dsp_cycles_est =
        static_cast<uint64_t>(std::llround(cpi * static_cast<double>(report.dsp_instructions)));
    report.nn_cycles_est =
        static_cast<uint64_t>(std::llround(cpi * static_cast<double>(report.nn_instructions)));
    report.dsp_counted_region = fmt::format("timer reads around {}", kDspFunction);
    report.counted_region = fmt::format("timer reads around {}", kNetworkFunction);
    report.notes.push_back(
        "icount-timer: instructions measured with QEMU's -icount clock and the board timer "
        "(resolution 40 instructions per phase); cycles scaled by the network's analytic cycles "
        "per instruction");
    runs = {r};
  }
  report.cycles_est = report.dsp_cycles_est + report.nn_cycles_est;

  bool matches = true;
  for (const EmulationResult& r : runs) {
    report.stack_bytes = std::max(report.stack_bytes, r.stack_bytes);
    report.stack_reserve_bytes = r.stack_reserve_bytes;
    report.emulation_seconds += r.seconds;
    if (r.outputs != host.outputs && matches)
      report.notes.push_back(
          describe_mismatch(r, host, precision == pipeline::Precision::kFloat32));
    matches = matches && r.outputs == host.outputs;
    // The firmware's own comparison with the scores kiln deploy stored in the sample header.
    if (host.has_expected) matches = matches && firmware_saw_match(r);
  }
  report.qemu_command = runs.back().command;
  report.matches_host = matches;
  if (report.stack_bytes >= report.stack_reserve_bytes)
    report.notes.push_back("the stack reached the bottom of its reserve: the peak may be larger");
  if (!p.has_classifier())
    report.notes.push_back("the pipeline has no network: the network phase is the anomaly score");
  apply_budget(options, report);
  return report;
}

}  // namespace

std::vector<ProfileReport> profile_project(const fs::path& project_dir,
                                           const std::vector<pipeline::Precision>& precisions,
                                           const ProfileOptions& options) {
  if (!(options.clock_mhz > 0)) throw Error("--clock-mhz must be positive");
  if (options.ram_kb <= 0 || options.flash_kb <= 0)
    throw Error("--ram-kb and --flash-kb must be positive");
  const project::Project project = project::open_project(project_dir);
  const fs::path out_dir = project.root / pipeline::kOutputDir;
  if (!fs::exists(out_dir / pipeline::kPipelineFile))
    throw Error(fmt::format("{} is missing (train the project first: kiln train)",
                            (out_dir / pipeline::kPipelineFile).string()));
  const pipeline::TrainedPipeline p = pipeline::load_pipeline(out_dir / pipeline::kPipelineFile);
  if (p.sensor == "image") throw Error("profiling image pipelines is not supported yet");
  const fs::path sample = built_in_sample_file(project);

  const WorkDir work(options.work_dir);
  std::vector<ProfileReport> reports;
  for (pipeline::Precision precision : precisions) {
    const std::string name = pipeline::precision_name(precision);
    ProfileReport r = profile_precision(project, p, sample, precision, options, work.path() / name);
    if (work.kept()) r.work_dir = (work.path() / name).string();
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace kiln::profile
