// The device sources (src/runtime, src/dsp) compiled into the kiln binary as text, so generated
// libraries receive exactly the files the host tool runs.
#pragma once

#include <string_view>
#include <vector>

namespace kiln::compiler {

struct EmbeddedFile {
  std::string_view path;  // relative to src/, e.g. "runtime/conv2d.h"
  std::string_view text;
};

const std::vector<EmbeddedFile>& embedded_device_sources();

}  // namespace kiln::compiler
