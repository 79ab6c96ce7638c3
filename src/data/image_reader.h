// Image files (PNG, JPEG, BMP, ...) decoded with stb_image into 8-bit pixels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "data/signal.h"

namespace kiln::data {

Image parse_image(std::span<const uint8_t> bytes, const std::string& name);
Image read_image(const std::filesystem::path& path);

}  // namespace kiln::data
