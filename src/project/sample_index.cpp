#include "project/sample_index.h"

namespace kiln::project {

void insert_sample(SqliteDb& db, SampleRecord& r) {
  SqliteStatement insert(
      db,
      "INSERT INTO samples (path, label, split, group_name, sensor, sample_rate_hz, axes, "
      "axis_names, length, width, height, content_hash, source, added_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  insert.bind(1, r.path).bind(2, r.label).bind(3, r.split).bind(4, r.group).bind(5, r.sensor);
  insert.bind(6, r.sample_rate_hz).bind(7, r.axes).bind(8, r.axis_names).bind(9, r.length);
  insert.bind(10, r.width).bind(11, r.height).bind(12, r.content_hash).bind(13, r.source);
  insert.bind(14, r.added_at);
  insert.step();
  SqliteStatement last(db, "SELECT last_insert_rowid()");
  last.step();
  r.id = last.integer(0);
}

bool has_content_hash(SqliteDb& db, const std::string& content_hash) {
  SqliteStatement query(db, "SELECT 1 FROM samples WHERE content_hash = ?1");
  query.bind(1, content_hash);
  return query.step();
}

namespace {

std::vector<SampleRecord> query_samples(SqliteDb& db, const std::string& where, int64_t id) {
  SqliteStatement query(db,
                        "SELECT id, path, label, split, group_name, sensor, sample_rate_hz, axes, "
                        "axis_names, length, width, height, content_hash, source, added_at "
                        "FROM samples " +
                            where + " ORDER BY id");
  if (!where.empty()) query.bind(1, id);
  std::vector<SampleRecord> records;
  while (query.step()) {
    SampleRecord r;
    r.id = query.integer(0);
    r.path = query.text(1);
    r.label = query.text(2);
    r.split = query.text(3);
    r.group = query.text(4);
    r.sensor = query.text(5);
    r.sample_rate_hz = query.real(6);
    r.axes = query.integer(7);
    r.axis_names = query.text(8);
    r.length = query.integer(9);
    r.width = query.integer(10);
    r.height = query.integer(11);
    r.content_hash = query.text(12);
    r.source = query.text(13);
    r.added_at = query.text(14);
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace

std::vector<SampleRecord> list_samples(SqliteDb& db) {
  return query_samples(db, "", 0);
}

std::optional<SampleRecord> find_sample(SqliteDb& db, int64_t id) {
  std::vector<SampleRecord> found = query_samples(db, "WHERE id = ?1", id);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::map<std::string, std::string> group_splits(SqliteDb& db) {
  SqliteStatement query(
      db, "SELECT DISTINCT group_name, split FROM samples WHERE group_name <> '' ORDER BY 1, 2");
  std::map<std::string, std::string> splits;
  while (query.step()) splits.emplace(query.text(0), query.text(1));
  return splits;
}

}  // namespace kiln::project
