// CSV and raw readers: layout, sampling frequency from timestamps, and one-line errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/raw_reader.h"

namespace kiln::data {
namespace {

TEST(CsvReader, ReadsAxesAndDerivesTheRate) {
  const Signal s =
      parse_csv("timestamp,accX,accY\r\n0,1.5,-2\r\n\r\n20,3,4e1\r\n40,+5,6\r\n", "a.csv");
  EXPECT_EQ(s.axes, 2);
  EXPECT_EQ(s.axis_names, (std::vector<std::string>{"accX", "accY"}));
  EXPECT_EQ(s.samples, (std::vector<float>{1.5f, -2, 3, 40, 5, 6}));
  EXPECT_DOUBLE_EQ(s.sampling_frequency_hz, 50.0);  // 2 intervals over 40 ms
}

TEST(CsvReader, TimestampColumnFoundByName) {
  const Signal s = parse_csv("x, TimeStamp ,y\n1,0,2\n3,10,4\n", "b.csv");
  EXPECT_EQ(s.axis_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(s.samples, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_DOUBLE_EQ(s.sampling_frequency_hz, 100.0);
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    parse_csv(text, "bad.csv");
    ADD_FAILURE() << "no error; expected " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(CsvReader, MalformedInputNamesTheLine) {
  expect_error("", "empty");
  expect_error("timestamp,x\n", "two data rows");
  expect_error("timestamp,x\n0,1\n", "two data rows");
  expect_error("timestamp\n0\n1\n", "at least one axis");
  expect_error("timestamp,x\n0,1\n10,abc\n", "bad.csv:3: 'abc' is not a number");
  expect_error("timestamp,x\n0,1\n10,1,2\n", "bad.csv:3: expected 2 values, found 3");
  expect_error("timestamp,x\n0,1\n0,2\n", "bad.csv:3: timestamps must increase");
  expect_error("timestamp,x\n0,1\n10,nan\n", "not a number");
  expect_error("timestamp,x\n0,1\n10,\n", "not a number");
}

TEST(RawReader, Int16AndFloat32) {
  const std::vector<uint8_t> i16 = {0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f};
  const Signal a = parse_raw(i16, "a.raw", RawType::kInt16, 2, 100);
  EXPECT_EQ(a.samples, (std::vector<float>{1, -1, -32768, 32767}));
  EXPECT_EQ(a.frames(), 2u);
  const std::vector<uint8_t> f32 = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0};
  EXPECT_EQ(parse_raw(f32, "a.f32", RawType::kFloat32, 1, 100).samples,
            (std::vector<float>{1.0f, -2.0f}));
  EXPECT_THROW(parse_raw(i16, "a.raw", RawType::kInt16, 3, 100), Error);
  EXPECT_THROW(parse_raw(i16, "a.raw", RawType::kInt16, 1, 0), Error);
  EXPECT_THROW(parse_raw({}, "a.raw", RawType::kInt16, 1, 100), Error);
}

}  // namespace
}  // namespace kiln::data
