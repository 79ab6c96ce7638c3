#include "data/csv_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "data/file_bytes.h"

namespace kiln::data {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

// Shortened for error messages so a binary blob does not flood the terminal.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 24)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return s.size() > 24 ? out + "..." : out;
}

double parse_number(std::string_view field, const std::string& name, size_t line) {
  double v = 0;
  const char* begin = field.data();
  const char* end = begin + field.size();
  if (!field.empty() && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (field.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
    throw Error(fmt::format("{}:{}: '{}' is not a number", name, line, shown(field)));
  }
  return v;
}

bool is_timestamp_name(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "timestamp";
}

}  // namespace

Signal parse_csv(std::string_view text, const std::string& name) {
  std::vector<std::string_view> header;
  size_t header_line = 0;
  size_t time_column = 0;
  size_t columns = 0;
  std::vector<double> times;
  Signal s;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t newline = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, newline == std::string_view::npos ? text.npos : newline - pos);
    pos = newline == std::string_view::npos ? text.size() + 1 : newline + 1;
    ++line_number;
    if (trim(line).empty()) continue;
    const std::vector<std::string_view> fields = split_fields(line);
    if (header.empty()) {
      header = fields;
      header_line = line_number;
      columns = fields.size();
      if (columns < 2) {
        throw Error(fmt::format("{}:{}: the header needs a timestamp column and at least one axis",
                                name, line_number));
      }
      const auto named = std::find_if(fields.begin(), fields.end(), is_timestamp_name);
      time_column = named == fields.end() ? 0 : static_cast<size_t>(named - fields.begin());
      for (size_t c = 0; c < columns; ++c) {
        if (c != time_column) s.axis_names.emplace_back(fields[c]);
      }
      continue;
    }
    if (fields.size() != columns) {
      throw Error(fmt::format("{}:{}: expected {} values, found {}", name, line_number, columns,
                              fields.size()));
    }
    for (size_t c = 0; c < columns; ++c) {
      const double v = parse_number(fields[c], name, line_number);
      if (c == time_column) {
        if (!times.empty() && !(v > times.back())) {
          throw Error(fmt::format("{}:{}: timestamps must increase ({} after {})", name,
                                  line_number, v, times.back()));
        }
        times.push_back(v);
      } else {
        if (std::fabs(v) > std::numeric_limits<float>::max()) {
          throw Error(fmt::format("{}:{}: {} does not fit in a float", name, line_number, v));
        }
        s.samples.push_back(static_cast<float>(v));
      }
    }
  }
  if (header.empty()) throw Error(fmt::format("{}: empty CSV file", name));
  if (times.size() < 2) {
    throw Error(fmt::format("{}: needs at least two data rows after the header (line {})", name,
                            header_line));
  }
  s.axes = static_cast<int>(columns - 1);
  s.sampling_frequency_hz =
      static_cast<double>(times.size() - 1) * 1000.0 / (times.back() - times.front());
  if (!(s.sampling_frequency_hz > 0) || !std::isfinite(s.sampling_frequency_hz)) {
    throw Error(fmt::format("{}: timestamps give no usable sampling frequency", name));
  }
  return s;
}

Signal read_csv(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return parse_csv(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   path.string());
}

}  // namespace kiln::data
