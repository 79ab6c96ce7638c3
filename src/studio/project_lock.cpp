#include "studio/project_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace kiln::studio {

ProjectLock::ProjectLock(const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) throw Error(fmt::format("{}: cannot create: {}", state_dir.string(), ec.message()));
  const std::filesystem::path file = state_dir / "server.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(fmt::format("{}: cannot open: {}", file.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw Error(fmt::format("another kiln studio is already serving this project (lock {} is held)",
                            file.string()));
  }
}

ProjectLock::~ProjectLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace kiln::studio
