#include "project/data_summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace kiln::project {

namespace {

void count(SplitCounts& counts, const SampleRecord& r) {
  if (r.split == "test") {
    ++counts.test;
    counts.test_duration_s += r.duration_s();
  } else {
    ++counts.train;
    counts.train_duration_s += r.duration_s();
  }
}

std::string rate_text(double rate) {
  return fmt::format("{:g}", rate);
}

}  // namespace

DataSummary summarize(const std::vector<SampleRecord>& samples) {
  DataSummary s;
  s.samples = samples.size();
  for (const SampleRecord& r : samples) {
    count(s.per_label[r.label], r);
    count(s.total, r);
    if (r.sample_rate_hz > 0) ++s.sample_rates_hz[r.sample_rate_hz];
    ++s.sensors[r.sensor];
  }
  return s;
}

nlohmann::json summary_to_json(const DataSummary& s) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [label, c] : s.per_label) {
    labels[label] = {{"train", c.train},
                     {"test", c.test},
                     {"duration_s", c.train_duration_s + c.test_duration_s}};
  }
  nlohmann::json rates = nlohmann::json::object();
  for (const auto& [rate, n] : s.sample_rates_hz) rates[rate_text(rate)] = n;
  nlohmann::json sensors = nlohmann::json::object();
  for (const auto& [sensor, n] : s.sensors) sensors[sensor] = n;
  return {{"samples", s.samples},
          {"labels", labels},
          {"splits", {{"train", s.total.train}, {"test", s.total.test}}},
          {"duration_s",
           {{"train", s.total.train_duration_s},
            {"test", s.total.test_duration_s},
            {"total", s.total.train_duration_s + s.total.test_duration_s}}},
          {"sample_rates_hz", rates},
          {"sensors", sensors}};
}

std::string summary_to_text(const DataSummary& s) {
  if (s.samples == 0) return "no samples yet (add some with 'kiln import')\n";
  size_t width = 5;
  for (const auto& [label, c] : s.per_label) width = std::max(width, label.size());
  std::string text =
      fmt::format("{:<{}}  {:>7}  {:>7}  {:>10}\n", "label", width, "train", "test", "duration");
  auto row = [&](const std::string& name, const SplitCounts& c) {
    text += fmt::format("{:<{}}  {:>7}  {:>7}  {:>9.1f}s\n", name, width, c.train, c.test,
                        c.train_duration_s + c.test_duration_s);
  };
  for (const auto& [label, c] : s.per_label) row(label, c);
  row("total", s.total);
  if (!s.sample_rates_hz.empty()) {
    std::vector<std::string> rates;
    for (const auto& [rate, n] : s.sample_rates_hz) {
      rates.push_back(fmt::format("{} Hz ({} samples)", rate_text(rate), n));
    }
    text += fmt::format("sample rates: {}\n", fmt::join(rates, ", "));
  }
  std::vector<std::string> sensors;
  for (const auto& [sensor, n] : s.sensors) sensors.push_back(fmt::format("{} ({})", sensor, n));
  text += fmt::format("sensors: {}\n", fmt::join(sensors, ", "));
  return text;
}

}  // namespace kiln::project
