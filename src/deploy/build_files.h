// Build files and README of a deployed library: a CMakeLists.txt, a plain Makefile (host by
// default or per --target; `make TARGET=cortex-m4` cross-compiles with arm-none-eabi-g++), both
// with -Wall -Wextra -Werror, and a README describing the API and memory.
#pragma once

#include <string>
#include <vector>

#include "deploy/arena_layout.h"

namespace kiln::deploy {

struct LibraryDescription {
  std::vector<std::string> sources;  // library .cpp files, relative to the folder
  std::string target;                // default TARGET of the Makefile: host or cortex-m4
  bool host_example = true;          // example/classify_file builds (not with --engine tflm)
  std::string engine;                // "aot" or "tflm"
  std::string precision;             // "int8" or "float32"
  std::string block;
  std::vector<std::string> labels;
  std::vector<std::string> tflm_ops;  // resolver method names, --engine tflm only
};

std::string cmake_lists(const LibraryDescription& library);
std::string makefile(const LibraryDescription& library);
std::string readme(const LibraryDescription& library, const ArenaLayout& arena,
                   int64_t slice_frames);

}  // namespace kiln::deploy
