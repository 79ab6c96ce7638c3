// WAV reader: every supported encoding decoded to int16 units, and one-line errors for broken
// files. The WAV bytes are assembled here field by field.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/wav_reader.h"

namespace kiln::data {
namespace {

// Bytes are collected in a std::string (GCC 12 warns falsely on byte-wise vector growth).
void put16(std::string& b, uint32_t v) {
  b += static_cast<char>(v & 0xff);
  b += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& b, uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}
void put16(std::vector<uint8_t>& b, uint32_t v) {
  b.push_back(v & 0xff);
  b.push_back((v >> 8) & 0xff);
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}

struct WavSpec {
  uint16_t tag = 1;
  uint16_t channels = 1;
  uint32_t rate = 16000;
  uint16_t bits = 16;
  bool extensible = false;
  bool extra_chunk = false;  // an odd-sized LIST chunk before the data (tests padding)
};

std::vector<uint8_t> make_wav(const WavSpec& s, const std::vector<uint8_t>& data,
                              int64_t declared_data_size = -1) {
  std::string b;
  b += "RIFF";
  put32(b, 0);  // RIFF size: readers must not depend on it
  b += "WAVEfmt ";
  put32(b, s.extensible ? 40 : 16);
  put16(b, s.extensible ? 0xfffe : s.tag);
  put16(b, s.channels);
  put32(b, s.rate);
  put32(b, s.rate * s.channels * (s.bits / 8));
  put16(b, s.channels * (s.bits / 8));
  put16(b, s.bits);
  if (s.extensible) {
    put16(b, 22);
    put16(b, s.bits);
    put32(b, 0);
    put16(b, s.tag);  // sub-format GUID starts with the format tag
    for (uint8_t v :
         {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}) {
      b.push_back(v);
    }
  }
  if (s.extra_chunk) {
    b += "LIST";
    put32(b, 3);
    b += std::string("abc\0", 4);  // 3 bytes + pad byte
  }
  b += "data";
  put32(b, declared_data_size >= 0 ? static_cast<uint32_t>(declared_data_size)
                                   : static_cast<uint32_t>(data.size()));
  b.append(data.begin(), data.end());
  return std::vector<uint8_t>(b.begin(), b.end());
}

TEST(WavReader, Pcm16MonoValuesAreUnscaled) {
  std::vector<uint8_t> data;
  for (int v : {0, 1, -1, 32767, -32768}) put16(data, static_cast<uint16_t>(v));
  const Signal s = parse_wav(make_wav({}, data), "t.wav");
  EXPECT_EQ(s.sampling_frequency_hz, 16000);
  EXPECT_EQ(s.axes, 1);
  EXPECT_EQ(s.samples, (std::vector<float>{0, 1, -1, 32767, -32768}));
}

TEST(WavReader, Pcm8And24And32MapToInt16Units) {
  WavSpec s8;
  s8.bits = 8;
  EXPECT_EQ(parse_wav(make_wav(s8, {128, 0, 255}), "t").samples,
            (std::vector<float>{0, -32768, 127 * 256}));
  WavSpec s24;
  s24.bits = 24;
  // 0x000100 = 256 -> 1; 0x800000 = -8388608 -> -32768; 0xffffff = -1 -> -1/256.
  EXPECT_EQ(
      parse_wav(make_wav(s24, {0x00, 0x01, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff}), "t").samples,
      (std::vector<float>{1, -32768, -1.0f / 256}));
  WavSpec s32;
  s32.bits = 32;
  std::vector<uint8_t> d32;
  put32(d32, 0x00010000);  // 65536 -> 1
  put32(d32, 0x80000000);  // INT32_MIN -> -32768
  EXPECT_EQ(parse_wav(make_wav(s32, d32), "t").samples, (std::vector<float>{1, -32768}));
}

TEST(WavReader, FloatFormatsAndExtensibleStereo) {
  WavSpec f;
  f.tag = 3;
  f.bits = 32;
  f.channels = 2;
  f.extensible = true;
  f.extra_chunk = true;
  std::vector<uint8_t> data;
  for (float v : {0.5f, -1.0f, 0.25f, 1.0f}) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put32(data, bits);
  }
  const Signal s = parse_wav(make_wav(f, data), "t");
  EXPECT_EQ(s.axes, 2);
  EXPECT_EQ(s.frames(), 2u);
  EXPECT_EQ(s.samples, (std::vector<float>{16384, -32768, 8192, 32768}));

  WavSpec d;
  d.tag = 3;
  d.bits = 64;
  std::vector<uint8_t> d64;
  const double v = -0.125;
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  put32(d64, static_cast<uint32_t>(bits));
  put32(d64, static_cast<uint32_t>(bits >> 32));
  EXPECT_EQ(parse_wav(make_wav(d, d64), "t").samples, (std::vector<float>{-4096}));
}

void expect_error(const std::vector<uint8_t>& bytes, const std::string& fragment) {
  try {
    parse_wav(bytes, "bad.wav");
    ADD_FAILURE() << "no error; expected one mentioning " << fragment;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
    EXPECT_EQ(message.rfind("bad.wav", 0), 0u) << message;
  }
}

TEST(WavReader, BrokenFilesGiveOneLineErrors) {
  std::vector<uint8_t> data(8, 0);
  expect_error({}, "not a WAV");
  expect_error({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'A', 'V', 'I', ' '}, "not a WAV");
  expect_error(make_wav({}, data, 1000), "truncated");
  std::vector<uint8_t> cut = make_wav({}, data);
  cut.resize(30);
  expect_error(cut, "truncated");
  cut.resize(12);
  expect_error(cut, "no fmt chunk");
  WavSpec odd;
  odd.bits = 12;
  expect_error(make_wav(odd, data), "12 bits");
  WavSpec adpcm;
  adpcm.tag = 2;
  expect_error(make_wav(adpcm, data), "format tag 0x2");
  WavSpec none;
  none.channels = 0;
  expect_error(make_wav(none, data), "channels");
  expect_error(make_wav({}, {1, 2, 3}), "whole number");
  expect_error(make_wav({}, {}), "no samples");
}

TEST(WavReader, SharedWavEqualsItsRawTwin) {
  const std::filesystem::path dir = std::filesystem::path(KILN_SHARED_DIR) / "testdata" / "dsp";
  if (!std::filesystem::exists(dir / "synth1_16k.wav")) GTEST_SKIP() << "no shared data in " << dir;
  const Signal wav = read_wav(dir / "synth1_16k.wav");
  ASSERT_EQ(wav.samples.size(), 16000u);
  // README: the first samples are -299, 491, 424, 333, 669, 1256.
  EXPECT_EQ(std::vector<float>(wav.samples.begin(), wav.samples.begin() + 6),
            (std::vector<float>{-299, 491, 424, 333, 669, 1256}));
}

}  // namespace
}  // namespace kiln::data
