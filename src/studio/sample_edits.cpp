#include "studio/sample_edits.h"

#include <fmt/format.h>

#include <algorithm>

#include "studio/http_util.h"
#include "studio/path_guard.h"
#include "studio/studio_context.h"

namespace kiln::studio {

namespace fs = std::filesystem;

nlohmann::json sample_json(const project::SampleRecord& s) {
  return {{"id", s.id},
          {"label", s.label},
          {"split", s.split},
          {"group", s.group},
          {"sensor", s.sensor},
          {"sample_rate_hz", s.sample_rate_hz},
          {"axes", s.axes},
          {"axis_names", s.axis_names},
          {"length", s.length},
          {"width", s.width},
          {"height", s.height},
          {"duration_s", s.duration_s()},
          {"content_hash", s.content_hash},
          {"name", fs::path(s.source).filename().string()},
          {"path", s.path},
          {"added_at", s.added_at}};
}

void check_label(const std::string& label) {
  if (label.size() > 64 || !is_plain_name(label)) {
    throw HttpError(400, fmt::format("invalid label '{}': use 1-64 characters, no '/', '\\', ':' "
                                     "or control characters, not starting with '.'",
                                     label));
  }
}

namespace {

project::SampleRecord require_sample(project::Project& project, int64_t id) {
  const auto sample = project::find_sample(*project.db, id);
  if (!sample) throw HttpError(404, fmt::format("no sample with id {}", id));
  return *sample;
}

nlohmann::json record_to_trash_json(const project::SampleRecord& s) {
  nlohmann::json j = sample_json(s);
  j["source"] = s.source;
  return j;
}

project::SampleRecord record_from_trash_json(const nlohmann::json& j) {
  project::SampleRecord r;
  r.path = j.at("path").get<std::string>();
  r.label = j.at("label").get<std::string>();
  r.split = j.at("split").get<std::string>();
  r.group = j.at("group").get<std::string>();
  r.sensor = j.at("sensor").get<std::string>();
  r.sample_rate_hz = j.at("sample_rate_hz").get<double>();
  r.axes = j.at("axes").get<int64_t>();
  r.axis_names = j.at("axis_names").get<std::string>();
  r.length = j.at("length").get<int64_t>();
  r.width = j.at("width").get<int64_t>();
  r.height = j.at("height").get<int64_t>();
  r.content_hash = j.at("content_hash").get<std::string>();
  r.source = j.at("source").get<std::string>();
  r.added_at = j.at("added_at").get<std::string>();
  return r;
}

fs::path trash_entry_dir(const fs::path& trash_dir, int64_t id) {
  return trash_dir / std::to_string(id);
}

}  // namespace

void relabel_sample(project::Project& project, int64_t id, const std::string& label) {
  check_label(label);
  require_sample(project, id);
  project::SqliteStatement update(*project.db, "UPDATE samples SET label = ?1 WHERE id = ?2");
  update.bind(1, label).bind(2, id);
  update.step();
}

std::vector<int64_t> move_sample_split(project::Project& project, int64_t id,
                                       const std::string& split) {
  if (split != "train" && split != "test") {
    throw HttpError(400, fmt::format("split must be 'train' or 'test', not '{}'", split));
  }
  const project::SampleRecord sample = require_sample(project, id);
  project::SqliteTransaction transaction(*project.db);
  std::vector<int64_t> moved;
  {
    project::SqliteStatement select(
        *project.db, sample.group.empty() ? "SELECT id FROM samples WHERE id = ?1"
                                          : "SELECT id FROM samples WHERE group_name = ?1");
    if (sample.group.empty()) {
      select.bind(1, id);
    } else {
      select.bind(1, sample.group);
    }
    while (select.step()) moved.push_back(select.integer(0));
  }
  for (const int64_t m : moved) {
    project::SqliteStatement update(*project.db, "UPDATE samples SET split = ?1 WHERE id = ?2");
    update.bind(1, split).bind(2, m);
    update.step();
  }
  transaction.commit();
  return moved;
}

int64_t delete_sample(project::Project& project, const fs::path& trash_dir, int64_t id) {
  const project::SampleRecord sample = require_sample(project, id);
  const fs::path file = resolve_inside(project.root, sample.path);
  const fs::path entry = trash_entry_dir(trash_dir, id);
  fs::remove_all(entry);
  fs::create_directories(entry);
  write_bytes_atomically(entry / "sample.json", record_to_trash_json(sample).dump(1));
  project::SqliteTransaction transaction(*project.db);
  project::SqliteStatement remove(*project.db, "DELETE FROM samples WHERE id = ?1");
  remove.bind(1, id);
  remove.step();
  // The file moves while the write lock is held, before the commit: the index never names a
  // missing file, and a failure rolls the row back.
  if (fs::exists(file)) fs::rename(file, entry / file.filename());
  transaction.commit();
  return id;
}

int64_t restore_sample(project::Project& project, const fs::path& trash_dir, int64_t trashed_id) {
  const fs::path entry = trash_entry_dir(trash_dir, trashed_id);
  if (!fs::exists(entry / "sample.json")) {
    throw HttpError(404, fmt::format("no deleted sample {} to restore", trashed_id));
  }
  project::SampleRecord record =
      record_from_trash_json(nlohmann::json::parse(read_bytes(entry / "sample.json")));
  const fs::path target = resolve_inside(project.root, record.path);
  const fs::path stored = entry / target.filename();
  if (!fs::exists(stored)) {
    throw HttpError(404, fmt::format("the file of deleted sample {} is gone", trashed_id));
  }
  project::SqliteTransaction transaction(*project.db);
  if (project::has_content_hash(*project.db, record.content_hash)) {
    throw HttpError(409, "the same content was imported again since it was deleted");
  }
  project::insert_sample(*project.db, record);
  fs::create_directories(target.parent_path());
  fs::rename(stored, target);
  transaction.commit();
  fs::remove_all(entry);
  return record.id;
}

nlohmann::json list_trash(const fs::path& trash_dir) {
  std::vector<std::pair<int64_t, nlohmann::json>> entries;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(trash_dir, ec)) {
    const fs::path meta = e.path() / "sample.json";
    if (!fs::exists(meta)) continue;
    try {
      nlohmann::json j = nlohmann::json::parse(read_bytes(meta));
      entries.emplace_back(std::stoll(e.path().filename().string()), std::move(j));
    } catch (const std::exception&) {
      continue;  // not one of ours
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (auto& [id, j] : entries) out.push_back({{"trash_id", id}, {"sample", std::move(j)}});
  return out;
}

}  // namespace kiln::studio
