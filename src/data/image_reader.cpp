#include "data/image_reader.h"

#include <fmt/format.h>
#include <stb/stb_image.h>

#include <climits>
#include <memory>

#include "core/error.h"
#include "data/file_bytes.h"

namespace kiln::data {

Image parse_image(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.empty()) throw Error(fmt::format("{}: empty file", name));
  if (bytes.size() > static_cast<size_t>(INT_MAX)) throw Error(fmt::format("{}: too large", name));
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height,
                            &channels, 0),
      stbi_image_free);
  if (!pixels) {
    throw Error(fmt::format("{}: cannot decode image ({})", name, stbi_failure_reason()));
  }
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  const size_t count = static_cast<size_t>(width) * height * channels;
  image.pixels.assign(pixels.get(), pixels.get() + count);
  return image;
}

Image read_image(const std::filesystem::path& path) {
  return parse_image(read_file_bytes(path), path.string());
}

}  // namespace kiln::data
