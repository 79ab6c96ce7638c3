// GCC 12 reports a false -Wmaybe-uninitialized inside <regex> when instrumented with sanitizers;
// this file is the only user of <regex>, so the diagnostic is silenced for it alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "project/group_pattern.h"

#include <fmt/format.h>

#include <regex>

#include "core/error.h"

namespace kiln::project {

struct GroupPattern::Compiled {
  std::regex regex;
};

GroupPattern::GroupPattern(const std::string& expression) : compiled_(new Compiled) {
  try {
    compiled_->regex = std::regex(expression, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw Error(
        fmt::format("--group-by '{}': invalid regular expression ({})", expression, e.what()));
  }
  if (compiled_->regex.mark_count() < 1) {
    throw Error(fmt::format("--group-by '{}': needs a capture group naming the group", expression));
  }
}

GroupPattern::~GroupPattern() = default;

std::string GroupPattern::group_of(const std::string& file_name) const {
  std::smatch match;
  if (std::regex_search(file_name, match, compiled_->regex) && match[1].matched) {
    return match[1].str();
  }
  return {};
}

}  // namespace kiln::project
