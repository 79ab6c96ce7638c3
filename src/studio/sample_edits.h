// Edits of the sample index the Data page makes: relabel, move between train and test, delete
// with undo. A deleted sample's row and file go to PROJECT/.studio/trash/ (not data/, which
// imports clean of unreferenced files), so restoring puts back the same file and metadata.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "project/sample_index.h"

namespace kiln::studio {

nlohmann::json sample_json(const project::SampleRecord& s);

// A label is 1-64 bytes of printable text without '/', '\\' or a leading dot (labels name
// folders in deployments and uploads). Throws HttpError 400 otherwise.
void check_label(const std::string& label);

void relabel_sample(project::Project& project, int64_t id, const std::string& label);

// Moves the sample to `split` ("train" or "test"); a sample in a group moves with its whole group
// (groups never straddle the splits). Returns the ids moved.
std::vector<int64_t> move_sample_split(project::Project& project, int64_t id,
                                       const std::string& split);

// Deletes the row and moves its file into the trash. Returns the trash entry's key (the old id).
int64_t delete_sample(project::Project& project, const std::filesystem::path& trash_dir,
                      int64_t id);

// Puts a trashed sample back (as a new row); returns its new id. HttpError 404 if unknown, 409 if
// the same content was imported again meanwhile.
int64_t restore_sample(project::Project& project, const std::filesystem::path& trash_dir,
                       int64_t trashed_id);

// The trash, newest first: [{"trash_id", "sample": {...}}].
nlohmann::json list_trash(const std::filesystem::path& trash_dir);

}  // namespace kiln::studio
