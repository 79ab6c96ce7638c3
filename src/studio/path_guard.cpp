#include "studio/path_guard.h"

#include <fmt/format.h>

#include "studio/http_util.h"

namespace kiln::studio {

namespace fs = std::filesystem;

bool is_plain_name(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/' || c == '\\' || c == ':') return false;
  }
  return true;
}

fs::path resolve_inside(const fs::path& root, const std::string& relative) {
  const fs::path rel(relative);
  if (relative.empty() || rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    throw HttpError(400, fmt::format("'{}': not a path inside the project", relative));
  }
  for (const fs::path& part : rel) {
    if (part == "..") {
      throw HttpError(400, fmt::format("'{}': '..' is not allowed in project paths", relative));
    }
  }
  // Symbolic links could still lead out: compare the resolved paths.
  const fs::path base = fs::weakly_canonical(fs::absolute(root));
  const fs::path full = fs::weakly_canonical(fs::absolute(root) / rel);
  const fs::path inside = full.lexically_relative(base);
  if (inside.empty() || *inside.begin() == "..") {
    throw HttpError(400, fmt::format("'{}' leads outside the project", relative));
  }
  return full;
}

}  // namespace kiln::studio
