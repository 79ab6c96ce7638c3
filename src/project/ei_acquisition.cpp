#include "project/ei_acquisition.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "project/sha256.h"

namespace kiln::project {

namespace {

using nlohmann::json;

std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Finds the raw text of the top-level "signature" string value: [begin, end) of its characters.
bool find_signature_value(std::string_view text, const std::string& signature, size_t& begin) {
  const std::string quoted = "\"" + signature + "\"";
  size_t key = text.find("\"signature\"");
  while (key != std::string_view::npos) {
    const size_t value = text.find(quoted, key + 11);
    if (value != std::string_view::npos) {
      // Only whitespace and one colon may sit between the key and its value.
      bool adjacent = true;
      int colons = 0;
      for (size_t i = key + 11; i < value; ++i) {
        if (text[i] == ':')
          ++colons;
        else if (!std::isspace(static_cast<unsigned char>(text[i])))
          adjacent = false;
      }
      if (adjacent && colons == 1) {
        begin = value + 1;
        return true;
      }
    }
    key = text.find("\"signature\"", key + 1);
  }
  return false;
}

void verify_signature(std::string_view text, const json& doc, const std::string& name,
                      const std::string& key) {
  const std::string alg = doc.at("protected").value("alg", "none");
  if (alg != "HS256") {
    throw Error(
        fmt::format("{}: not signed with HS256 (alg '{}'), but an HMAC key was given", name, alg));
  }
  const auto sig = doc.find("signature");
  if (sig == doc.end() || !sig->is_string()) throw Error(fmt::format("{}: no signature", name));
  const std::string signature = sig->get<std::string>();
  size_t begin = 0;
  if (!find_signature_value(text, signature, begin)) {
    throw Error(fmt::format("{}: cannot locate the signature in the file", name));
  }
  std::string zeroed(text);
  for (size_t i = 0; i < signature.size(); ++i) zeroed[begin + i] = '0';
  const std::string expected = to_hex(hmac_sha256(as_bytes(key), as_bytes(zeroed)));
  std::string given = signature;
  for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (given != expected) throw Error(fmt::format("{}: HMAC signature does not match", name));
}

}  // namespace

AcquisitionSample parse_ei_acquisition_json(std::string_view text, const std::string& name,
                                            const std::optional<std::string>& hmac_key) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("{}: invalid JSON ({})", name, e.what()));
  }
  if (!doc.is_object() || !doc.contains("payload") || !doc["payload"].is_object()) {
    throw Error(fmt::format("{}: not an Edge Impulse acquisition file (no payload)", name));
  }
  if (!doc.contains("protected") || !doc["protected"].is_object()) {
    throw Error(
        fmt::format("{}: not an Edge Impulse acquisition file (no protected header)", name));
  }
  AcquisitionSample sample;
  try {
    if (hmac_key) {
      verify_signature(text, doc, name, *hmac_key);
      sample.signature_verified = true;
    }
    const json& payload = doc["payload"];
    sample.device_name = payload.value("device_name", "");
    sample.device_type = payload.value("device_type", "");
    const json& interval = payload.at("interval_ms");
    if (!interval.is_number() || !(interval.get<double>() > 0) ||
        !std::isfinite(interval.get<double>())) {
      throw Error(fmt::format("{}: payload.interval_ms must be a positive number", name));
    }
    const json& sensors = payload.at("sensors");
    if (!sensors.is_array() || sensors.empty()) {
      throw Error(fmt::format("{}: payload.sensors must be a non-empty array", name));
    }
    data::Signal& s = sample.signal;
    s.sampling_frequency_hz = 1000.0 / interval.get<double>();
    s.axes = static_cast<int>(sensors.size());
    for (const json& sensor : sensors) s.axis_names.push_back(sensor.at("name").get<std::string>());
    const json& values = payload.at("values");
    if (!values.is_array() || values.empty()) {
      throw Error(fmt::format("{}: payload.values must be a non-empty array", name));
    }
    for (size_t row = 0; row < values.size(); ++row) {
      const json& v = values[row];
      // One-axis data may be written as plain numbers instead of one-element rows.
      if (v.is_number() && s.axes == 1) {
        s.samples.push_back(v.get<float>());
        continue;
      }
      if (!v.is_array() || v.size() != sensors.size()) {
        throw Error(
            fmt::format("{}: payload.values[{}] must hold {} numbers", name, row, sensors.size()));
      }
      for (const json& x : v) {
        if (!x.is_number()) {
          throw Error(fmt::format("{}: payload.values[{}] holds a non-number", name, row));
        }
        const double d = x.get<double>();
        if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max()) {
          throw Error(
              fmt::format("{}: payload.values[{}]: {} does not fit in a float", name, row, d));
        }
        s.samples.push_back(static_cast<float>(d));
      }
    }
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: malformed acquisition file ({})", name, e.what()));
  }
  return sample;
}

std::string signal_to_csv(const data::Signal& signal) {
  std::string text = "timestamp";
  for (const std::string& axis : signal.axis_names) text += "," + axis;
  text += "\n";
  const size_t axes = static_cast<size_t>(signal.axes);
  for (size_t frame = 0; frame < signal.frames(); ++frame) {
    text += fmt::format("{}", static_cast<double>(frame) * 1000.0 / signal.sampling_frequency_hz);
    for (size_t a = 0; a < axes; ++a) text += fmt::format(",{}", signal.samples[frame * axes + a]);
    text += "\n";
  }
  return text;
}

}  // namespace kiln::project
