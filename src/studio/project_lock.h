// One Studio per project folder: the server holds an advisory lock (flock) on
// .studio/server.lock for its lifetime, so a second `kiln studio` on the same project (another
// terminal, another port) refuses to start instead of running jobs over the first one's.
#pragma once

#include <filesystem>

namespace kiln::studio {

class ProjectLock {
 public:
  // Creates the folder and lock file if needed; throws kiln::Error if another process holds it.
  explicit ProjectLock(const std::filesystem::path& state_dir);
  ~ProjectLock();
  ProjectLock(const ProjectLock&) = delete;
  ProjectLock& operator=(const ProjectLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace kiln::studio
