// The example programs of a deployed library: a host program that classifies a WAV or CSV file
// with the library, and a bare-metal Cortex-M4 main that classifies a built-in sample window.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kiln::deploy {

// example/classify_file.cpp (host; needs the AOT engine).
std::string classify_file_example();

// example/cortex_m4_main.cpp: classifies example/kiln_sample.h's window and prints through a weak
// kiln_print(const char*) hook.
std::string cortex_m4_main_example();

// A window of samples built into the firmware, with the host's results for it.
struct BuiltInSample {
  std::string source;                  // file it came from (for the comment)
  std::string label;                   // its label, or empty
  std::vector<float> values;           // KILN_WINDOW_VALUES
  std::vector<float> expected_scores;  // host scores (empty without network)
  std::optional<float> expected_anomaly;
};

// example/kiln_sample.h.
std::string sample_header(const BuiltInSample& sample, int label_slots);

}  // namespace kiln::deploy
