// A Kiln project on disk: kiln.json (pipeline configuration), kiln.db (SQLite index of the
// samples) and data/ (sample files named by content hash).
//
// Consistency rule: every row of the index names a whole file in data/. Files are written under a
// temporary name and renamed while the import holds the database write lock, before its
// transaction commits, so a crash can leave at most unreferenced files behind;
// remove_unreferenced_files() (run by every import) deletes those.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "project/project_config.h"
#include "project/sqlite_db.h"

namespace kiln::project {

inline constexpr const char* kConfigFileName = "kiln.json";
inline constexpr const char* kDatabaseFileName = "kiln.db";
inline constexpr const char* kDataDirName = "data";
// Prefix of files being written; never referenced by the index.
inline constexpr const char* kTempPrefix = ".partial-";

struct Project {
  std::filesystem::path root;
  ProjectConfig config;
  std::unique_ptr<SqliteDb> db;

  std::filesystem::path config_path() const { return root / kConfigFileName; }
  std::filesystem::path data_dir() const { return root / kDataDirName; }
};

// Creates kiln.json, kiln.db and data/ in `root` (created if missing). Refuses if any of them
// already exists.
void init_project(const std::filesystem::path& root, const ProjectConfig& config);

// Opens the project in `root`, validating kiln.json.
Project open_project(const std::filesystem::path& root);

// Deletes files in data/ that no index row refers to (leftovers of an interrupted import), under
// the database write lock so no running import loses its files. Returns how many were removed.
int remove_unreferenced_files(Project& project);

}  // namespace kiln::project
