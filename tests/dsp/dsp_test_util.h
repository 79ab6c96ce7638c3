// Helpers for the DSP tests: reading the shared reference vectors.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kiln::dsp_test {

inline std::filesystem::path reference_dir() {
  return std::filesystem::path(KILN_SHARED_DIR) / "testdata" / "dsp";
}

inline bool have_reference_data() {
  return std::filesystem::exists(reference_dir() / "params.json");
}

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// int16 little-endian samples, converted to float without scaling (as the reference did).
inline std::vector<float> read_int16_as_float(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  std::vector<float> out(bytes.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto v = static_cast<int16_t>(static_cast<uint16_t>(bytes[2 * i]) |
                                        static_cast<uint16_t>(bytes[2 * i + 1]) << 8);
    out[i] = static_cast<float>(v);
  }
  return out;
}

inline std::vector<float> read_f32(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);  // the test hosts are little-endian
  return out;
}

// Workspace memory with the 8-byte alignment the DSP blocks require.
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t bytes) : words_((bytes + 7) / 8 + 1) {}
  void* data() { return words_.data(); }
  size_t size() const { return words_.size() * 8; }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace kiln::dsp_test

#define KILN_REQUIRE_REFERENCE_DATA()                                                 \
  if (!::kiln::dsp_test::have_reference_data())                                       \
  GTEST_SKIP() << "reference data not found in " << ::kiln::dsp_test::reference_dir() \
               << " (set KILN_SHARED_DIR)"
