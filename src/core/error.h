// Host-side error type. Host code throws kiln::Error at its boundaries; the CLI turns it into one
// "kiln: error: ..." line. Device code never throws: it returns kiln::rt::Status.
#pragma once

#include <stdexcept>
#include <string>

namespace kiln {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace kiln
