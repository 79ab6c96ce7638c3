// Rows of the samples table in kiln.db, and the queries the commands need.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "project/sqlite_db.h"

namespace kiln::project {

struct SampleRecord {
  int64_t id = 0;    // assigned by the database
  std::string path;  // relative to the project root, e.g. data/<hash>.wav
  std::string label;
  std::string split;          // "train" or "test"
  std::string group;          // speaker, subject, recording ... or empty
  std::string sensor;         // "audio", "timeseries" or "image"
  double sample_rate_hz = 0;  // 0 for images
  int64_t axes = 0;           // channels of audio / axes of a time series / image channels
  std::string axis_names;     // comma-separated
  int64_t length = 0;         // frames of a time series; pixels of an image
  int64_t width = 0;          // images only
  int64_t height = 0;         // images only
  std::string content_hash;   // SHA-256 hex of the file
  std::string source;         // the path it was imported from
  std::string added_at;       // UTC, ISO 8601

  double duration_s() const { return sample_rate_hz > 0 ? length / sample_rate_hz : 0.0; }
};

void insert_sample(SqliteDb& db, SampleRecord& record);  // sets record.id
bool has_content_hash(SqliteDb& db, const std::string& content_hash);
std::vector<SampleRecord> list_samples(SqliteDb& db);
std::optional<SampleRecord> find_sample(SqliteDb& db, int64_t id);
// The split every group already in the index belongs to (groups never straddle splits).
std::map<std::string, std::string> group_splits(SqliteDb& db);

}  // namespace kiln::project
