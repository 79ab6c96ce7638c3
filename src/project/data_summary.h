// kiln data: what the project holds — samples per label and split, durations, sample rates.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/sample_index.h"

namespace kiln::project {

struct SplitCounts {
  size_t train = 0;
  size_t test = 0;
  double train_duration_s = 0;
  double test_duration_s = 0;
};

struct DataSummary {
  size_t samples = 0;
  std::map<std::string, SplitCounts> per_label;
  SplitCounts total;
  std::map<double, size_t> sample_rates_hz;  // rate -> samples (time series only)
  std::map<std::string, size_t> sensors;     // sensor type -> samples
};

DataSummary summarize(const std::vector<SampleRecord>& samples);

// {"samples": N, "labels": {L: {"train": n, "test": n, "duration_s": d}}, "splits": {...},
//  "duration_s": {"train": d, "test": d, "total": d}, "sample_rates_hz": {"8000": n}, "sensors":
//  {...}}
nlohmann::json summary_to_json(const DataSummary& summary);
std::string summary_to_text(const DataSummary& summary);

}  // namespace kiln::project
