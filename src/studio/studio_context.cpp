#include "studio/studio_context.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "core/error.h"
#include "studio/http_util.h"

namespace kiln::studio {

namespace fs = std::filesystem;

bool StudioContext::has_project() const {
  return fs::exists(options.root / project::kConfigFileName);
}

project::Project StudioContext::open() const {
  if (!has_project()) {
    throw HttpError(404, "there is no project in this folder yet: create one first");
  }
  return project::open_project(options.root);
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open", path.string()));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes_atomically(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  const fs::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("{}: cannot open for writing", temp.string()));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(fmt::format("{}: write failed", temp.string()));
  }
  fs::rename(temp, path);
}

void save_state(const StudioContext& context, const std::string& name, const nlohmann::json& j) {
  write_bytes_atomically(context.state_dir() / name,
                         j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<nlohmann::json> load_state(const StudioContext& context, const std::string& name) {
  const fs::path path = context.state_dir() / name;
  if (!fs::exists(path)) return std::nullopt;
  try {
    return nlohmann::json::parse(read_bytes(path));
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a damaged state file is as good as none
  }
}

}  // namespace kiln::studio
