// Picks the device sources (src/runtime, src/dsp, embedded in the kiln binary) a deployed library
// needs: the given headers, their implementation files, and everything they include, transitively.
#pragma once

#include <map>
#include <set>
#include <string>

namespace kiln::deploy {

// Adds each needed file to `files` (path relative to src/, e.g. "dsp/mfe.h" -> its text). Throws
// kiln::Error for a file kiln was not built with.
void add_device_sources(const std::set<std::string>& headers,
                        std::map<std::string, std::string>& files);

}  // namespace kiln::deploy
