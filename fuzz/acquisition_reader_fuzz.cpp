// libFuzzer entry point for the Edge Impulse acquisition reader, both forms: input whose first
// non-blank byte is '{' is JSON text, anything else CBOR (a CBOR map never starts with '{', which
// is a 27-character text string head). Every input must parse or raise kiln::Error, with and
// without an HMAC key. What parses must survive the trip through the stored CSV form: the CSV
// reader reads back the same axes and samples.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "data/csv_reader.h"
#include "project/ei_acquisition.h"

namespace {

kiln::project::AcquisitionSample parse(std::span<const uint8_t> bytes,
                                       const std::optional<std::string>& key) {
  size_t first = 0;
  while (first < bytes.size() && (bytes[first] == ' ' || bytes[first] == '\t' ||
                                  bytes[first] == '\n' || bytes[first] == '\r')) {
    ++first;
  }
  if (first < bytes.size() && bytes[first] == '{') {
    return kiln::project::parse_ei_acquisition_json(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "fuzz", key);
  }
  return kiln::project::parse_ei_acquisition_cbor(bytes, "fuzz", key);
}

void check_csv_round_trip(const kiln::data::Signal& signal) {
  const std::string csv = kiln::project::signal_to_csv(signal);
  if (signal.frames() < 2) return;  // the CSV reader needs two rows to know the rate
  kiln::data::Signal back;
  try {
    back = kiln::data::parse_csv(csv, "stored.csv");
  } catch (const kiln::Error&) {
    std::abort();  // the importer would store a CSV it cannot read
  }
  if (back.axes != signal.axes || back.axis_names.size() != signal.axis_names.size() ||
      back.samples.size() != signal.samples.size()) {
    std::abort();
  }
  for (size_t i = 0; i < back.samples.size(); ++i) {
    if (back.samples[i] != signal.samples[i]) std::abort();
  }
  if (!(back.sampling_frequency_hz > 0) || !std::isfinite(back.sampling_frequency_hz)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  try {
    check_csv_round_trip(parse(bytes, std::nullopt).signal);
  } catch (const kiln::Error&) {
  }
  try {
    parse(bytes, std::string("fuzz-key"));
  } catch (const kiln::Error&) {
  }
  return 0;
}
