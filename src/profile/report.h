// Printing a profile: the JSON of `kiln profile --json` and the human-readable text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "profile/profile.h"

namespace kiln::profile {

// {"int8": {"dsp_instructions": 0, "nn_instructions": N, "cycles_est": N, "ms_est": X,
//  "flash_bytes": N, "static_ram_bytes": N, "stack_bytes": N, "matches_host": true, ...}}
// keyed by the model's precision; matches_host is null when nothing was emulated.
nlohmann::json report_json(const ProfileReport& report);

std::string report_text(const ProfileReport& report, const std::string& model_label);

}  // namespace kiln::profile
