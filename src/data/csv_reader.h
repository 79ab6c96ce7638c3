// CSV time-series reader: a header row naming the columns, then one row per time step.
//
// The timestamp column is the one named "timestamp" (any case), otherwise the first column; its
// values are milliseconds and must increase strictly. Every other column is an axis. The sampling
// frequency is derived from the timestamps: (rows - 1) * 1000 / (last - first). Fields are
// separated by commas; blank lines are skipped; CRLF line ends are accepted. Malformed input
// raises kiln::Error naming the file and line.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "data/signal.h"

namespace kiln::data {

Signal parse_csv(std::string_view text, const std::string& name);
Signal read_csv(const std::filesystem::path& path);

}  // namespace kiln::data
