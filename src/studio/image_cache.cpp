#include "studio/image_cache.h"

#include <atomic>
#include <filesystem>
#include <span>

#include "project/sha256.h"

namespace kiln::studio {

namespace fs = std::filesystem;

std::string cached_png(const StudioContext& context, const std::string& key,
                       const std::function<data::RgbImage()>& render) {
  const std::string hash =
      project::sha256_hex(std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  const fs::path file = context.state_dir() / "cache" / (hash + ".png");
  if (fs::exists(file)) return read_bytes(file);
  fs::create_directories(file.parent_path());
  // A unique temporary name: two tabs may render the same picture at once.
  static std::atomic<uint64_t> counter{0};
  const fs::path temp = file.string() + ".tmp" + std::to_string(counter++);
  data::write_png(temp, render());
  fs::rename(temp, file);
  return read_bytes(file);
}

}  // namespace kiln::studio
