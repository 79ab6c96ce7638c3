// Keeps every file the Studio reads or writes inside the project folder: names that come from
// requests (uploaded file names, labels used as folder names) and paths stored in the index are
// checked before use, and anything that could leave the folder is refused with 400.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kiln::studio {

// A single path component without separators, "." / "..", control characters or a leading
// dot, at most 200 bytes.
bool is_plain_name(std::string_view name);

// root / relative, when `relative` is relative, has no ".." component and (following any
// symbolic links that exist) stays inside root. Throws HttpError 400 otherwise.
std::filesystem::path resolve_inside(const std::filesystem::path& root,
                                     const std::string& relative);

}  // namespace kiln::studio
