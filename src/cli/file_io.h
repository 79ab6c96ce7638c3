// Whole-file reads and writes for the CLI, with errors that name the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kiln::cli {

std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace kiln::cli
