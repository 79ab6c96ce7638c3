// kiln import: brings WAV, CSV time-series, PNG/JPEG image and Edge Impulse acquisition (JSON,
// CBOR) files into a project.
//
// Two passes. The scan reads and decodes every file (so a corrupt file stops the import before
// anything is written, unless skip_bad), hashes it, drops duplicates and assigns splits. The write
// pass copies files into data/<sha256>.<ext> in batches: per batch it takes the database write
// lock, writes each file under a temporary name, renames it into place, inserts its row, and
// commits. A kill at any point leaves the index naming only whole files.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "project/project.h"

namespace kiln::project {

struct ImportOptions {
  std::vector<std::filesystem::path> inputs;  // files and folders; filter the split file if given
  std::optional<std::string> label;           // overrides folder-name labels
  std::filesystem::path split_file;           // path,label,split[,group...] CSV
  std::optional<double> test_fraction;        // default: kiln.json split.test_fraction
  std::string group_by;                       // regex on the file name; capture 1 names the group
  bool skip_bad = false;                      // report undecodable files and continue
  std::optional<std::string> hmac_key;        // verify Edge Impulse acquisition signatures
  size_t batch_size = 64;                     // samples per transaction

  // Called with (files done, files total) during each pass; `pass` is "scan" or "write".
  std::function<void(const char* pass, size_t done, size_t total)> progress;
  // Test hook: called after a sample's file is in place and its row inserted, before the commit.
  std::function<void(size_t written)> after_sample_written;
};

struct ImportReport {
  size_t imported = 0;
  size_t imported_train = 0;
  size_t imported_test = 0;
  std::vector<std::string> duplicates;  // "source (same content as other)"
  std::vector<std::string> bad_files;   // the decoder's one-line message per skipped file
  std::vector<std::string> notes;       // files skipped for other reasons
  int leftovers_removed = 0;            // unreferenced files from an earlier interrupted import
};

ImportReport import_samples(Project& project, const ImportOptions& options);

}  // namespace kiln::project
