// Inputs found by fuzz/acquisition_reader_fuzz (and the stack-depth case behind the CBOR depth
// check): each must raise one kiln::Error naming the file, never terminate or crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "project/ei_acquisition.h"

namespace kiln::project {
namespace {

void expect_one_line_error(const std::string& message, const std::string& name) {
  EXPECT_EQ(message.rfind(name + ": ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// A number too large for a double makes nlohmann throw out_of_range (not parse_error) from
// json::parse; it escaped the reader and terminated the process.
TEST(AcquisitionFuzzRegression, JsonNumberOutOfRange) {
  const std::string crash(
      "{\"protectd\":7e77778.7777r\0"
      "00000000000000000000000#0400}",
      52);
  for (const std::string& text : {crash, std::string("{\"payload\": 1e999}")}) {
    try {
      parse_ei_acquisition_json(text, "n.json", std::nullopt);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      expect_one_line_error(e.what(), "n.json");
      EXPECT_NE(std::string(e.what()).find("invalid JSON"), std::string::npos) << e.what();
    }
  }
}

// A deeply nested JSON document is parsed without recursion by nlohmann; it must just be
// rejected as not an acquisition file.
TEST(AcquisitionFuzzRegression, DeepJsonNesting) {
  const std::string text =
      "{\"payload\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  try {
    parse_ei_acquisition_json(text, "deep.json", std::nullopt);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    expect_one_line_error(e.what(), "deep.json");
  }
}

}  // namespace
}  // namespace kiln::project
