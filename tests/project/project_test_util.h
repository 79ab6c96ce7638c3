// Helpers for the project tests: a scratch folder per test and a minimal WAV writer.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace kiln::project::testing {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / fmt::format("kiln_project_{}_{}", name, ::getpid())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// 16-bit PCM mono WAV: a RIFF header, a 16-byte fmt chunk and the data chunk, little-endian.
inline void write_wav(const fs::path& path, uint32_t rate, const std::vector<int16_t>& samples) {
  std::string b;
  auto u32 = [&b](uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  auto u16 = [&b](uint16_t v) {
    b.push_back(static_cast<char>(v & 0xff));
    b.push_back(static_cast<char>(v >> 8));
  };
  const uint32_t data_bytes = static_cast<uint32_t>(samples.size() * 2);
  b += "RIFF";
  u32(36 + data_bytes);
  b += "WAVEfmt ";
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(rate);
  u32(rate * 2);
  u16(2);
  u16(16);
  b += "data";
  u32(data_bytes);
  for (int16_t s : samples) u16(static_cast<uint16_t>(s));
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << b;
}

// A short WAV whose content is unique to `seed`.
inline void write_test_wav(const fs::path& path, int seed, size_t frames = 160) {
  std::vector<int16_t> samples(frames);
  for (size_t i = 0; i < frames; ++i)
    samples[i] = static_cast<int16_t>((seed * 131 + i * 7) % 2000);
  write_wav(path, 16000, samples);
}

}  // namespace kiln::project::testing
