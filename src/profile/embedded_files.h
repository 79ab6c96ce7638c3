// The profiling firmware (src/profile/firmware) and the QEMU counting plugin
// (src/profile/qemu_plugin) as text built into kiln, so `kiln profile` works from any directory.
#pragma once

#include <string_view>
#include <vector>

namespace kiln::profile {

struct EmbeddedProfileFile {
  std::string_view path;  // relative to src/profile, e.g. "firmware/kiln_startup.c"
  std::string_view text;
};

const std::vector<EmbeddedProfileFile>& embedded_profile_files();

// The text of one embedded file; throws kiln::Error if it is not built in.
std::string_view embedded_profile_file(std::string_view path);

}  // namespace kiln::profile
