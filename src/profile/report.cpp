#include "profile/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kiln::profile {

namespace {

std::string kib(int64_t bytes) {
  return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
}

std::string with_commas(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "kiln::rt::conv2d_int8(params...)" -> "kiln::rt::conv2d_int8".
std::string short_name(const std::string& function) {
  const size_t paren = function.find('(');
  return paren == std::string::npos || paren == 0 ? function : function.substr(0, paren);
}

// The DSP phase makes one call per frame: its calls summed per callee, in order of first call.
struct CalleeTotal {
  std::string callee;
  uint64_t calls = 0, instructions = 0, cycles = 0;
};

std::vector<CalleeTotal> per_callee(const std::vector<CallCost>& calls) {
  std::vector<CalleeTotal> totals;
  for (const CallCost& c : calls) {
    const std::string name = short_name(c.callee);
    auto it = std::find_if(totals.begin(), totals.end(),
                           [&](const CalleeTotal& t) { return t.callee == name; });
    if (it == totals.end()) it = totals.insert(totals.end(), CalleeTotal{name});
    ++it->calls;
    it->instructions += c.instructions;
    it->cycles += c.cycles;
  }
  return totals;
}

}  // namespace

nlohmann::json report_json(const ProfileReport& r) {
  nlohmann::json p;
  const nlohmann::json unknown(nullptr);
  p["dsp_instructions"] = r.dsp_known ? nlohmann::json(r.dsp_instructions) : unknown;
  p["nn_instructions"] = r.nn_instructions;
  p["cycles_est"] = r.cycles_est;
  p["dsp_cycles_est"] = r.dsp_known ? nlohmann::json(r.dsp_cycles_est) : unknown;
  p["nn_cycles_est"] = r.nn_cycles_est;
  p["ms_est"] = std::round(r.ms_est * 1000.0) / 1000.0;
  p["flash_bytes"] = r.flash_bytes;
  p["static_ram_bytes"] = r.static_ram_bytes;
  p["stack_bytes"] = r.stack_bytes;
  p["matches_host"] = r.matches_host ? nlohmann::json(*r.matches_host) : nlohmann::json(nullptr);
  p["method"] = r.method;
  p["clock_mhz"] = r.clock_mhz;
  p["macs"] = r.macs;
  p["arena_bytes"] = r.arena_bytes;
  p["weight_bytes"] = r.weight_bytes;
  p["analytic_instructions"] = r.analytic.instructions;
  p["analytic_cycles"] = r.analytic.cycles;
  p["taken_branches"] = r.taken_branches;
  p["instruction_classes"] = r.instruction_classes;
  p["input"] = r.input_source;
  p["counted"] = r.counted_region;
  if (r.window_ms > 0) {
    // A project: the DSP phase's window, so the DSP count can be compared per second of signal.
    p["dsp_counted"] = r.dsp_counted_region;
    p["dsp_block"] = r.dsp_block;
    p["sample_rate_hz"] = r.sample_rate_hz;
    p["window_frames"] = r.window_frames;
    p["window_ms"] = r.window_ms;
    p["dsp_instructions_per_1s_window"] =
        r.dsp_known ? nlohmann::json(std::llround(static_cast<double>(r.dsp_instructions) * 1000.0 /
                                                  r.window_ms))
                    : unknown;
    p["dsp_phase_bytes"] = r.dsp_phase_bytes;
    p["nn_phase_bytes"] = r.nn_phase_bytes;
    nlohmann::json dsp_calls = nlohmann::json::array();
    for (const CalleeTotal& t : per_callee(r.dsp_calls))
      dsp_calls.push_back({{"callee", t.callee},
                           {"calls", t.calls},
                           {"instructions", t.instructions},
                           {"cycles", t.cycles}});
    p["dsp_calls"] = dsp_calls;
  }
  p["budget"] = {{"ram_bytes", r.ram_budget_bytes},
                 {"flash_bytes", r.flash_budget_bytes},
                 {"fits_ram", r.fits_ram},
                 {"fits_flash", r.fits_flash}};
  nlohmann::json calls = nlohmann::json::array();
  for (const CallCost& c : r.calls)
    calls.push_back(
        {{"callee", short_name(c.callee)}, {"instructions", c.instructions}, {"cycles", c.cycles}});
  p["calls"] = calls;
  nlohmann::json ops = nlohmann::json::array();
  for (const OpEstimate& o : r.analytic.ops)
    ops.push_back({{"op", o.op},
                   {"macs", o.features.macs},
                   {"taps", o.features.taps},
                   {"outputs", o.features.outputs},
                   {"inputs", o.features.inputs},
                   {"instructions", o.instructions},
                   {"cycles", o.cycles}});
  p["analytic_ops"] = ops;
  p["notes"] = r.notes;
  nlohmann::json out;
  out[r.precision] = p;
  return out;
}

std::string report_text(const ProfileReport& r, const std::string& model_label) {
  const bool project = r.window_ms > 0;
  std::string s = fmt::format("kiln profile: {} ({}) on Cortex-M4F at {} MHz\n", model_label,
                              r.precision, r.clock_mhz);
  const char* method = r.method == "qemu-plugin" ? "exact count on QEMU mps2-an386 (Kiln plugin)"
                       : r.method == "icount-timer"
                           ? "QEMU -icount clock (approximate, +-40 instructions)"
                           : "ANALYTIC ESTIMATE (no emulation)";
  s += fmt::format("  method:            {}\n", method);
  s += fmt::format("  input:             {}\n", r.input_source);
  if (project)
    s += fmt::format("  window:            {} frames at {} Hz = {:.1f} ms, DSP block {}\n",
                     r.window_frames, r.sample_rate_hz, r.window_ms, r.dsp_block);
  auto counted = [&s](const char* what, const std::string& region) {
    if (region.empty()) return;
    const bool function = region.find(' ') == std::string::npos;
    s += fmt::format("  counted{}{}{}\n", what, region,
                     function ? " (every instruction from its entry to its return)" : "");
  };
  if (project) {
    counted(" (DSP):     ", r.dsp_counted_region);
    counted(" (network): ", r.counted_region);
    const std::string dsp =
        r.dsp_known ? with_commas(r.dsp_instructions) : std::string("unknown (not estimated)");
    s += fmt::format("  instructions:      {} (DSP), {} (network)\n", dsp,
                     with_commas(r.nn_instructions));
    if (r.dsp_known)
      s += fmt::format("  DSP per 1 s:       {} instructions per second of signal\n",
                       with_commas(static_cast<uint64_t>(std::llround(
                           static_cast<double>(r.dsp_instructions) * 1000.0 / r.window_ms))));
    if (r.dsp_known)
      s += fmt::format(
          "  cycles (estimate): {} (DSP) + {} (network) = {}  ->  {:.3f} ms at {} MHz\n",
          with_commas(r.dsp_cycles_est), with_commas(r.nn_cycles_est), with_commas(r.cycles_est),
          r.ms_est, r.clock_mhz);
    else
      s += fmt::format("  cycles (estimate): {} (network only)  ->  {:.3f} ms at {} MHz\n",
                       with_commas(r.cycles_est), r.ms_est, r.clock_mhz);
  } else {
    counted(":           ", r.counted_region);
    s += fmt::format("  instructions:      {} (network), {} (DSP)\n",
                     with_commas(r.nn_instructions), with_commas(r.dsp_instructions));
    s += fmt::format("  cycles (estimate): {}  ->  {:.3f} ms at {} MHz\n",
                     with_commas(r.cycles_est), r.ms_est, r.clock_mhz);
  }
  if (r.macs > 0 && r.nn_cycles_est > 0)
    s += fmt::format("  MACs:              {}  ({:.2f} network cycles per MAC)\n",
                     with_commas(static_cast<uint64_t>(r.macs)),
                     static_cast<double>(r.nn_cycles_est) / static_cast<double>(r.macs));
  if (r.method != "analytic" && r.analytic.instructions > 0)
    s += fmt::format("  analytic estimate: {} network instructions ({:+.1f}% vs measured)\n",
                     with_commas(r.analytic.instructions),
                     100.0 *
                         (static_cast<double>(r.analytic.instructions) -
                          static_cast<double>(r.nn_instructions)) /
                         std::max(1.0, static_cast<double>(r.nn_instructions)));
  s += fmt::format("  flash:             {} bytes ({})  [weights {} bytes]\n", r.flash_bytes,
                   kib(r.flash_bytes), r.weight_bytes);
  if (project)
    s += fmt::format(
        "  static RAM:        {} bytes ({})  [arena {} bytes: DSP phase {}, network phase {}]\n",
        r.static_ram_bytes, kib(r.static_ram_bytes), r.arena_bytes, r.dsp_phase_bytes,
        r.nn_phase_bytes);
  else
    s += fmt::format("  static RAM:        {} bytes ({})  [arena {} bytes]\n", r.static_ram_bytes,
                     kib(r.static_ram_bytes), r.arena_bytes);
  s += fmt::format("  stack peak:        {}\n", r.method == "analytic"
                                                    ? std::string("not measured")
                                                    : fmt::format("{} bytes", r.stack_bytes));
  s += fmt::format("  matches host:      {}\n",
                   r.matches_host ? (*r.matches_host ? (project ? "yes (scores bit-identical)"
                                                                : "yes (outputs bit-identical)")
                                                     : "NO")
                                  : "not checked");
  auto list_calls = [&s](const char* title, const std::vector<CallCost>& calls) {
    if (calls.empty()) return;
    s += title;
    for (const CallCost& c : calls) {
      s += fmt::format("    {:>12} instr {:>12} cycles  {}\n", with_commas(c.instructions),
                       with_commas(c.cycles), short_name(c.callee));
    }
  };
  if (!r.dsp_calls.empty()) {
    s += "  DSP calls (each from the call up to the next call, summed per callee):\n";
    for (const CalleeTotal& t : per_callee(r.dsp_calls))
      s += fmt::format("    {:>12} instr {:>12} cycles  {} x {}\n", with_commas(t.instructions),
                       with_commas(t.cycles), t.calls, t.callee);
  }
  list_calls("  per kernel call:\n", r.calls);
  const int64_t ram = r.static_ram_bytes + r.stack_bytes;
  s +=
      fmt::format("  verdict:           RAM {} / {} ({}), flash {} / {} ({})\n", kib(ram),
                  kib(r.ram_budget_bytes), r.fits_ram ? "fits" : "DOES NOT FIT", kib(r.flash_bytes),
                  kib(r.flash_budget_bytes), r.fits_flash ? "fits" : "DOES NOT FIT");
  if (!r.work_dir.empty()) s += fmt::format("  firmware:          {}\n", r.work_dir);
  for (const std::string& n : r.notes) s += fmt::format("  note: {}\n", n);
  return s;
}

nlohmann::json reports_json(const std::vector<ProfileReport>& reports) {
  nlohmann::json out = nlohmann::json::object();
  for (const ProfileReport& r : reports) out.update(report_json(r));
  return out;
}

}  // namespace kiln::profile
