#include "project/project.h"

#include <fmt/format.h>

#include <set>
#include <system_error>

#include "core/error.h"

namespace kiln::project {

namespace fs = std::filesystem;

namespace {

// One row per sample. `path` is relative to the project root; `content_hash` is the SHA-256 of
// the file's bytes, unique so the same content is never stored twice.
constexpr const char* kSchema = R"sql(
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  split TEXT NOT NULL CHECK (split IN ('train', 'test')),
  group_name TEXT NOT NULL DEFAULT '',
  sensor TEXT NOT NULL,
  sample_rate_hz REAL NOT NULL,
  axes INTEGER NOT NULL,
  axis_names TEXT NOT NULL DEFAULT '',
  length INTEGER NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  content_hash TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL DEFAULT '',
  added_at TEXT NOT NULL
);
CREATE INDEX samples_label_split ON samples (label, split);
CREATE INDEX samples_group ON samples (group_name);
PRAGMA user_version = 1;
)sql";

}  // namespace

int remove_unreferenced_files(Project& project) {
  SqliteTransaction lock(*project.db);
  int removed = 0;
  std::set<std::string> referenced;
  SqliteStatement query(*project.db, "SELECT path FROM samples");
  while (query.step()) referenced.insert(fs::path(query.text(0)).filename().string());
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(project.data_dir(), ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (!referenced.count(name) && fs::remove(entry.path(), ec)) ++removed;
  }
  lock.commit();
  return removed;
}

void init_project(const fs::path& root, const ProjectConfig& config) {
  for (const char* name : {kConfigFileName, kDatabaseFileName, kDataDirName}) {
    if (fs::exists(root / name)) {
      throw Error(fmt::format("{}: a project already exists here ({} is present); not overwriting",
                              root.string(), name));
    }
  }
  validate_config(config, (root / kConfigFileName).string());
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw Error(fmt::format("{}: cannot create directory: {}", root.string(), ec.message()));
  fs::create_directory(root / kDataDirName, ec);
  if (ec) throw Error(fmt::format("{}: cannot create data/: {}", root.string(), ec.message()));
  {
    SqliteDb db(root / kDatabaseFileName, /*create=*/true);
    SqliteTransaction transaction(db);
    db.exec(kSchema);
    transaction.commit();
  }
  // The config is written last: its presence marks a complete project.
  save_config(config, root / kConfigFileName);
}

Project open_project(const fs::path& root) {
  Project project;
  project.root = root;
  if (!fs::exists(project.config_path())) {
    throw Error(fmt::format("{}: not a kiln project (no {}; run 'kiln init' first)", root.string(),
                            kConfigFileName));
  }
  project.config = load_config(project.config_path());
  if (!fs::exists(root / kDatabaseFileName)) {
    throw Error(
        fmt::format("{}: the sample database {} is missing", root.string(), kDatabaseFileName));
  }
  project.db = std::make_unique<SqliteDb>(root / kDatabaseFileName, /*create=*/false);
  std::error_code ec;
  fs::create_directories(project.data_dir(), ec);
  return project;
}

}  // namespace kiln::project
