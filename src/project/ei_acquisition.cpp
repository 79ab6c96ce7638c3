#include "project/ei_acquisition.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <functional>
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

// The file's bytes with the signature's characters replaced by '0', or nothing when the
// signature cannot be located. Each form locates it its own way.
using ZeroedFile = std::function<std::optional<std::string>(const std::string& signature)>;

// Finds the raw text of the top-level "signature" string value: [begin, end) of its characters.
bool find_json_signature(std::string_view text, const std::string& signature, size_t& begin) {
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

// The head of a definite-length CBOR text string (major type 3) in its shortest form, which is
// what encoders write (RFC 8949 section 4.2.1).
std::string cbor_text_head(uint64_t length) {
  std::string head;
  auto argument = [&head](uint8_t initial, uint64_t value, int bytes) {
    head.push_back(static_cast<char>(0x60 | initial));
    for (int i = bytes - 1; i >= 0; --i)
      head.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  if (length < 24)
    argument(static_cast<uint8_t>(length), 0, 0);
  else if (length <= 0xff)
    argument(24, length, 1);
  else if (length <= 0xffff)
    argument(25, length, 2);
  else if (length <= 0xffffffffu)
    argument(26, length, 4);
  else
    argument(27, length, 8);
  return head;
}

// Edge Impulse's C ingestion SDK (sensor_aq.h) writes the map with the signature as a text
// string of 64 '0' characters (twice the 32-byte HMAC, hex), feeds exactly those file bytes to
// the HMAC, then seeks back and overwrites the 64 characters with the hex digest. So the message
// is the file as stored with the signature's characters zeroed: no re-encoding, which would not
// reproduce the writer's choices (indefinite-length "values", float widths, key order).
std::optional<std::string> zeroed_cbor(std::span<const uint8_t> bytes,
                                       const std::string& signature) {
  const std::string pattern =
      cbor_text_head(9) + "signature" + cbor_text_head(signature.size()) + signature;
  const std::string_view file(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const size_t at = file.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  std::string zeroed(file);
  zeroed.replace(at + pattern.size() - signature.size(), signature.size(), signature.size(), '0');
  return zeroed;
}

void verify_signature(const json& doc, const std::string& name, const std::string& key,
                      const ZeroedFile& zeroed_file) {
  const json& header = doc.at("protected");
  const auto alg_field = header.find("alg");
  const std::string alg =
      alg_field == header.end() || !alg_field->is_string() ? "none" : alg_field->get<std::string>();
  if (alg != "HS256") {
    throw Error(
        fmt::format("{}: not signed with HS256 (alg '{}'), but an HMAC key was given", name, alg));
  }
  const auto sig = doc.find("signature");
  if (sig == doc.end() || !sig->is_string()) throw Error(fmt::format("{}: no signature", name));
  const std::string signature = sig->get<std::string>();
  const std::optional<std::string> message = zeroed_file(signature);
  if (!message) throw Error(fmt::format("{}: cannot locate the signature in the file", name));
  const std::string expected = to_hex(hmac_sha256(as_bytes(key), as_bytes(*message)));
  std::string given = signature;
  for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (given != expected) throw Error(fmt::format("{}: HMAC signature does not match", name));
}

// Checks one sample value: JSON and CBOR numbers are doubles or integers, Kiln keeps floats.
float sample_value(const json& x, const std::string& name, size_t row) {
  if (!x.is_number()) {
    throw Error(fmt::format("{}: payload.values[{}] holds a non-number", name, row));
  }
  const double d = x.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max()) {
    throw Error(fmt::format("{}: payload.values[{}]: {} does not fit in a float", name, row, d));
  }
  return static_cast<float>(d);
}

// Sensor names become CSV column names, and Kiln's CSV has no quoting.
std::string sensor_name(const json& sensor, const std::string& name) {
  const std::string axis = sensor.at("name").get<std::string>();
  if (axis.find_first_of(",\r\n") != std::string::npos) {
    throw Error(fmt::format("{}: sensor name '{}' holds a comma or line break", name, axis));
  }
  return axis;
}

// The decoded document of either form: checks, verifies with a key, converts the payload.
AcquisitionSample decode_document(const json& doc, const std::string& name,
                                  const std::optional<std::string>& hmac_key,
                                  const ZeroedFile& zeroed_file) {
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
      verify_signature(doc, name, *hmac_key, zeroed_file);
      sample.signature_verified = true;
    }
    const json& payload = doc["payload"];
    sample.device_name = payload.value("device_name", "");
    sample.device_type = payload.value("device_type", "");
    const json& interval = payload.at("interval_ms");
    const double interval_ms = interval.is_number() ? interval.get<double>() : 0;
    const double rate = 1000.0 / interval_ms;
    // A subnormal interval would give an infinite rate.
    if (!(interval_ms > 0) || !std::isfinite(interval_ms) || !std::isfinite(rate)) {
      throw Error(fmt::format("{}: payload.interval_ms must be a positive number", name));
    }
    const json& sensors = payload.at("sensors");
    if (!sensors.is_array() || sensors.empty()) {
      throw Error(fmt::format("{}: payload.sensors must be a non-empty array", name));
    }
    data::Signal& s = sample.signal;
    s.sampling_frequency_hz = rate;
    s.axes = static_cast<int>(sensors.size());
    for (const json& sensor : sensors) s.axis_names.push_back(sensor_name(sensor, name));
    const json& values = payload.at("values");
    if (!values.is_array() || values.empty()) {
      throw Error(fmt::format("{}: payload.values must be a non-empty array", name));
    }
    for (size_t row = 0; row < values.size(); ++row) {
      const json& v = values[row];
      // One-axis data may be written as plain numbers instead of one-element rows.
      if (v.is_number() && s.axes == 1) {
        s.samples.push_back(sample_value(v, name, row));
        continue;
      }
      if (!v.is_array() || v.size() != sensors.size()) {
        throw Error(
            fmt::format("{}: payload.values[{}] must hold {} numbers", name, row, sensors.size()));
      }
      for (const json& x : v) s.samples.push_back(sample_value(x, name, row));
    }
    // The stored CSV writes a timestamp per frame; the last one must be a finite number.
    const double last_ms = static_cast<double>(values.size() - 1) * 1000.0 / rate;
    if (!std::isfinite(last_ms)) {
      throw Error(fmt::format("{}: payload.interval_ms {} is too long for {} frames", name,
                              interval_ms, values.size()));
    }
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: malformed acquisition file ({})", name, e.what()));
  }
  return sample;
}

// Walks a CBOR item without building it, to refuse nesting deeper than the limit before the
// (recursive) DOM decoder sees it. Returning false from start_* stops nlohmann's reader there.
class CborDepthCheck : public nlohmann::json_sax<json> {
 public:
  bool too_deep = false;
  std::string error;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }

 private:
  int depth_ = 0;
  bool enter() {
    too_deep = ++depth_ > kMaxAcquisitionCborDepth;
    return !too_deep;
  }
  bool leave() {
    --depth_;
    return true;
  }
};

}  // namespace

AcquisitionSample parse_ei_acquisition_json(std::string_view text, const std::string& name,
                                            const std::optional<std::string>& hmac_key) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw Error(fmt::format("{}: invalid JSON ({})", name, e.what()));
  }
  return decode_document(doc, name, hmac_key,
                         [text](const std::string& signature) -> std::optional<std::string> {
                           size_t begin = 0;
                           if (!find_json_signature(text, signature, begin)) return std::nullopt;
                           std::string zeroed(text);
                           zeroed.replace(begin, signature.size(), signature.size(), '0');
                           return zeroed;
                         });
}

AcquisitionSample parse_ei_acquisition_cbor(std::span<const uint8_t> bytes, const std::string& name,
                                            const std::optional<std::string>& hmac_key) {
  CborDepthCheck check;
  if (!json::sax_parse(bytes.begin(), bytes.end(), &check, json::input_format_t::cbor)) {
    if (check.too_deep) {
      throw Error(fmt::format("{}: invalid CBOR (nested deeper than {} levels)", name,
                              kMaxAcquisitionCborDepth));
    }
    throw Error(fmt::format("{}: invalid CBOR ({})", name, check.error));
  }
  json doc;
  try {
    doc = json::from_cbor(bytes.begin(), bytes.end());
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: invalid CBOR ({})", name, e.what()));
  }
  return decode_document(doc, name, hmac_key, [bytes](const std::string& signature) {
    return zeroed_cbor(bytes, signature);
  });
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
