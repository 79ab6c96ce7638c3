// Printing a profile: the JSON of `kiln profile --json` and the human-readable text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "profile/profile.h"

namespace kiln::profile {

// {"int8": {"dsp_instructions": 0, "nn_instructions": N, "cycles_est": N, "ms_est": X,
//  "flash_bytes": N, "static_ram_bytes": N, "stack_bytes": N, "matches_host": true, ...}}
// keyed by the model's precision; matches_host is null when nothing was emulated.
nlohmann::json report_json(const ProfileReport& report);

// One object keyed by precision for several reports (a project's int8 and float32).
nlohmann::json reports_json(const std::vector<ProfileReport>& reports);

// A bare model's report, or one precision of a project's (then with the DSP phase and window).
std::string report_text(const ProfileReport& report, const std::string& model_label);

}  // namespace kiln::profile
