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
  return paren == std::string::npos ? function : function.substr(0, paren);
}

}  // namespace

nlohmann::json report_json(const ProfileReport& r) {
  nlohmann::json p;
  p["dsp_instructions"] = r.dsp_instructions;
  p["nn_instructions"] = r.nn_instructions;
  p["cycles_est"] = r.cycles_est;
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
  std::string s = fmt::format("kiln profile: {} ({}) on Cortex-M4F at {} MHz\n", model_label,
                              r.precision, r.clock_mhz);
  const char* method = r.method == "qemu-plugin" ? "exact count on QEMU mps2-an386 (Kiln plugin)"
                       : r.method == "icount-timer"
                           ? "QEMU -icount clock (approximate, +-40 instructions)"
                           : "ANALYTIC ESTIMATE (no emulation)";
  s += fmt::format("  method:            {}\n", method);
  s += fmt::format("  input:             {}\n", r.input_source);
  if (!r.counted_region.empty()) {
    const bool function = r.counted_region.find(' ') == std::string::npos;
    s += fmt::format("  counted:           {}{}\n", r.counted_region,
                     function ? " (every instruction from its entry to its return)" : "");
  }
  s += fmt::format("  instructions:      {} (network), {} (DSP)\n", with_commas(r.nn_instructions),
                   with_commas(r.dsp_instructions));
  s += fmt::format("  cycles (estimate): {}  ->  {:.3f} ms at {} MHz\n", with_commas(r.cycles_est),
                   r.ms_est, r.clock_mhz);
  if (r.macs > 0 && r.cycles_est > 0)
    s += fmt::format("  MACs:              {}  ({:.2f} cycles per MAC)\n",
                     with_commas(static_cast<uint64_t>(r.macs)),
                     static_cast<double>(r.cycles_est) / static_cast<double>(r.macs));
  if (r.method != "analytic" && r.analytic.instructions > 0)
    s += fmt::format("  analytic estimate: {} instructions ({:+.1f}% vs measured)\n",
                     with_commas(r.analytic.instructions),
                     100.0 *
                         (static_cast<double>(r.analytic.instructions) -
                          static_cast<double>(r.nn_instructions)) /
                         std::max(1.0, static_cast<double>(r.nn_instructions)));
  s += fmt::format("  flash:             {} bytes ({})  [weights {} bytes]\n", r.flash_bytes,
                   kib(r.flash_bytes), r.weight_bytes);
  s += fmt::format("  static RAM:        {} bytes ({})  [arena {} bytes]\n", r.static_ram_bytes,
                   kib(r.static_ram_bytes), r.arena_bytes);
  s += fmt::format("  stack peak:        {}\n", r.method == "analytic"
                                                    ? std::string("not measured")
                                                    : fmt::format("{} bytes", r.stack_bytes));
  s += fmt::format(
      "  matches host:      {}\n",
      r.matches_host ? (*r.matches_host ? "yes (outputs bit-identical)" : "NO") : "not checked");
  if (!r.calls.empty()) {
    s += "  per kernel call:\n";
    for (const CallCost& c : r.calls) {
      s += fmt::format("    {:>12} instr {:>12} cycles  {}\n", with_commas(c.instructions),
                       with_commas(c.cycles), short_name(c.callee));
    }
  }
  const int64_t ram = r.static_ram_bytes + r.stack_bytes;
  s +=
      fmt::format("  verdict:           RAM {} / {} ({}), flash {} / {} ({})\n", kib(ram),
                  kib(r.ram_budget_bytes), r.fits_ram ? "fits" : "DOES NOT FIT", kib(r.flash_bytes),
                  kib(r.flash_budget_bytes), r.fits_flash ? "fits" : "DOES NOT FIT");
  for (const std::string& n : r.notes) s += fmt::format("  note: {}\n", n);
  return s;
}

}  // namespace kiln::profile
