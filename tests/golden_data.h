// Access to the shared golden vectors (../shared/testdata/tflite): one folder per model with
// model.tflite, input_<k>[_<i>].bin, output_<k>[_<i>].bin and manifest.json.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kiln::testing {

inline std::filesystem::path golden_root() {
  return std::filesystem::path(KILN_SHARED_DIR) / "testdata" / "tflite";
}

// Model folder names, sorted; empty when the shared folder is absent.
inline std::vector<std::string> golden_models() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(golden_root(), ec))
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "model.tflite"))
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The file of tensor `i` of vector `k` ("input" or "output"), in either naming scheme.
inline std::filesystem::path vector_file(const std::string& model, const char* kind, int k,
                                         size_t i, size_t count) {
  const auto dir = golden_root() / model;
  if (count == 1) {
    auto single = dir / (std::string(kind) + "_" + std::to_string(k) + ".bin");
    if (std::filesystem::exists(single)) return single;
  }
  return dir / (std::string(kind) + "_" + std::to_string(k) + "_" + std::to_string(i) + ".bin");
}

// Number of test vectors of a model (input_<k> files present, counting from 0).
inline int vector_count(const std::string& model) {
  int k = 0;
  const auto dir = golden_root() / model;
  while (std::filesystem::exists(dir / ("input_" + std::to_string(k) + ".bin")) ||
         std::filesystem::exists(dir / ("input_" + std::to_string(k) + "_0.bin")))
    ++k;
  return k;
}

}  // namespace kiln::testing
