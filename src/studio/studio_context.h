// What every route of one Studio server shares: its options, the project folder, the job runner
// and the caches. Studio state (job results, caches, deleted samples kept for undo, staged
// uploads) lives in PROJECT/.studio/, never outside the project.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "studio/feature_explorer.h"
#include "studio/job_runner.h"

namespace kiln::studio {

struct StudioOptions {
  std::filesystem::path root = ".";  // the project folder (may not hold a project yet)
  std::string host = "127.0.0.1";
  int port = 8720;                       // 0: any free port
  std::string token;                     // when non-empty, every request must present it
  size_t max_upload_bytes = 256u << 20;  // one request body
};

inline constexpr const char* kStateDirName = ".studio";

struct StudioContext {
  StudioOptions options;
  FeatureExplorerCache explorer_cache;
  std::atomic<bool> stopping{false};
  // Last, so it is destroyed first: its destructor waits for a running job, which may use the
  // members above.
  JobRunner jobs;

  std::filesystem::path root() const { return options.root; }
  std::filesystem::path state_dir() const { return options.root / kStateDirName; }
  bool has_project() const;
  // Opens the project; HttpError 404 when the folder holds none yet.
  project::Project open() const;
};

// Whole-file JSON in .studio/: written to a temporary name and renamed, so a reader never sees
// half a file. load_state returns nullopt when the file does not exist.
void save_state(const StudioContext& context, const std::string& name, const nlohmann::json& j);
std::optional<nlohmann::json> load_state(const StudioContext& context, const std::string& name);

// Whole files as bytes (downloads, cached images). Throw kiln::Error on failure.
std::string read_bytes(const std::filesystem::path& path);
void write_bytes_atomically(const std::filesystem::path& path, const std::string& bytes);

}  // namespace kiln::studio
