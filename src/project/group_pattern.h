// --group-by: an ECMAScript regular expression searched in a file name; its first capture group
// names the sample's group (speaker, subject, recording).
#pragma once

#include <memory>
#include <string>

namespace kiln::project {

class GroupPattern {
 public:
  // Throws kiln::Error if the expression is invalid or has no capture group.
  explicit GroupPattern(const std::string& expression);
  ~GroupPattern();
  GroupPattern(const GroupPattern&) = delete;
  GroupPattern& operator=(const GroupPattern&) = delete;

  // The first capture group of the first match, or "" when the name does not match.
  std::string group_of(const std::string& file_name) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace kiln::project
