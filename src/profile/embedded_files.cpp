#include "profile/embedded_files.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::profile {

std::string_view embedded_profile_file(std::string_view path) {
  for (const EmbeddedProfileFile& f : embedded_profile_files())
    if (f.path == path) return f.text;
  throw Error(fmt::format("profiling file '{}' is not built into kiln", path));
}

}  // namespace kiln::profile
