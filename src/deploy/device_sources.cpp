#include "deploy/device_sources.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "compiler/embedded_sources.h"
#include "core/error.h"

namespace kiln::deploy {

namespace {

// `#include "runtime/x.h"` / `#include "dsp/x.h"` lines of a device file.
std::vector<std::string> device_includes(std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = text.find("#include \"", at)) != std::string_view::npos) {
    at += 10;
    const size_t end = text.find('"', at);
    if (end == std::string_view::npos) break;
    const std::string_view path = text.substr(at, end - at);
    if (path.starts_with("runtime/") || path.starts_with("dsp/")) out.emplace_back(path);
    at = end;
  }
  return out;
}

}  // namespace

void add_device_sources(const std::set<std::string>& headers,
                        std::map<std::string, std::string>& files) {
  std::map<std::string, std::string_view> available;
  for (const compiler::EmbeddedFile& f : compiler::embedded_device_sources()) {
    available[std::string(f.path)] = f.text;
  }
  std::vector<std::string> todo(headers.begin(), headers.end());
  std::set<std::string> seen;
  while (!todo.empty()) {
    const std::string path = todo.back();
    todo.pop_back();
    if (!seen.insert(path).second) continue;
    const auto it = available.find(path);
    if (it == available.end()) {
      throw Error(fmt::format("deploy: device source '{}' is not built into kiln", path));
    }
    files[path] = std::string(it->second);
    if (path.ends_with(".h")) {
      const std::string cpp = path.substr(0, path.size() - 2) + ".cpp";
      if (available.count(cpp)) todo.push_back(cpp);
    }
    for (std::string& include : device_includes(it->second)) todo.push_back(std::move(include));
  }
}

}  // namespace kiln::deploy
