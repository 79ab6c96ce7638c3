// Reading a whole file into memory, with kiln::Error on failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace kiln::data {

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);

}  // namespace kiln::data
