// Data page routes: counts per label and split, the paginated sample list, one sample (plot,
// audio), relabel / move / delete with undo, and uploads imported by `kiln import`'s importer.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <set>

#include "project/data_summary.h"
#include "project/importer.h"
#include "project/sample_index.h"
#include "project/sample_plot.h"
#include "studio/http_util.h"
#include "studio/image_cache.h"
#include "studio/path_guard.h"
#include "studio/routes.h"
#include "studio/sample_edits.h"

namespace kiln::studio {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxPageSize = 500;

// The extensions `kiln import` reads.
const std::set<std::string> kImportExtensions = {".wav",  ".csv",  ".png", ".jpg",
                                                 ".jpeg", ".json", ".cbor"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool matches(const project::SampleRecord& s, const httplib::Request& req) {
  if (req.has_param("label") && !req.get_param_value("label").empty() &&
      s.label != req.get_param_value("label")) {
    return false;
  }
  if (req.has_param("split") && !req.get_param_value("split").empty() &&
      s.split != req.get_param_value("split")) {
    return false;
  }
  if (req.has_param("q") && !req.get_param_value("q").empty()) {
    const std::string q = lower(req.get_param_value("q"));
    const std::string hay =
        lower(fs::path(s.source).filename().string() + " " + s.label + " " + s.group);
    if (hay.find(q) == std::string::npos) return false;
  }
  return true;
}

project::SampleRecord require_sample(project::Project& project, int64_t id) {
  const auto sample = project::find_sample(*project.db, id);
  if (!sample) throw HttpError(404, fmt::format("no sample with id {}", id));
  return *sample;
}

fs::path trash_dir(const StudioContext& context) {
  return context.state_dir() / "trash";
}

// The label of an uploaded file: the form's label, else the file name up to its first '_' or
// '-' (FSDD's 7_jackson_3.wav is a '7').
std::string upload_label(const std::string& form_label, const std::string& file_name) {
  if (!form_label.empty()) return form_label;
  const size_t cut = file_name.find_first_of("_-");
  if (cut == 0 || cut == std::string::npos) {
    throw HttpError(400, fmt::format("{}: no label: give one in the form, or name files "
                                     "LABEL_anything.ext",
                                     file_name));
  }
  return file_name.substr(0, cut);
}

struct StagedUpload {
  fs::path dir;
  size_t files = 0;
};

// Writes the uploaded files under .studio/uploads/<n>/<label>/<name>, where the importer takes
// labels from folder names.
StagedUpload stage_upload(const StudioContext& context, const httplib::Request& req,
                          const std::string& form_label) {
  static std::atomic<uint64_t> counter{0};
  StagedUpload staged;
  staged.dir =
      context.state_dir() / "uploads" / fmt::format("{}-{}", std::time(nullptr), counter++);
  std::set<fs::path> seen;
  std::vector<std::pair<fs::path, const std::string*>> writes;
  for (const auto& [field, part] : req.files) {
    if (part.filename.empty()) continue;  // a form field, not a file
    const std::string name = fs::path(part.filename).filename().string();
    if (name != part.filename || !is_plain_name(name)) {
      throw HttpError(400, fmt::format("invalid file name '{}'", part.filename));
    }
    if (!kImportExtensions.count(lower(fs::path(name).extension().string()))) {
      throw HttpError(400, fmt::format("{}: not an importable file (wav, csv, png, jpg, json, "
                                       "cbor)",
                                       name));
    }
    const std::string label = upload_label(form_label, name);
    check_label(label);
    const fs::path target = staged.dir / label / name;
    if (!seen.insert(target).second) {
      throw HttpError(400, fmt::format("{} is uploaded twice", name));
    }
    writes.emplace_back(target, &part.content);
  }
  if (writes.empty()) throw HttpError(400, "no files in the upload (multipart field 'files')");
  for (const auto& [target, content] : writes) write_bytes_atomically(target, *content);
  staged.files = writes.size();
  return staged;
}

std::string form_value(const httplib::Request& req, const std::string& key) {
  const auto it = req.files.find(key);
  if (it != req.files.end() && it->second.filename.empty()) return it->second.content;
  return req.has_param(key) ? req.get_param_value(key) : std::string();
}

void upload(StudioContext& context, const httplib::Request& req, httplib::Response& res) {
  if (!req.is_multipart_form_data()) {
    throw HttpError(400, "an upload is a multipart/form-data request with 'files' parts");
  }
  context.open();  // 404 without a project
  if (const auto job = context.jobs.running()) {
    throw HttpError(
        409, fmt::format("the project is busy: {} job {} is running", job->kind(), job->id()));
  }
  project::ImportOptions options;
  const std::string fraction = form_value(req, "test_fraction");
  if (!fraction.empty()) {
    try {
      size_t used = 0;
      options.test_fraction = std::stod(fraction, &used);
      if (used != fraction.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw HttpError(400, fmt::format("test_fraction '{}' is not a number", fraction));
    }
  }
  options.group_by = form_value(req, "group_by");
  const StagedUpload staged = stage_upload(context, req, form_value(req, "label"));
  options.inputs = {staged.dir};
  std::shared_ptr<Job> job;
  try {
    job = context.jobs.start("import", [&context, options, staged](Job& job) mutable {
      // The staged copies go whatever happens.
      struct Cleanup {
        fs::path dir;
        ~Cleanup() {
          std::error_code ec;
          fs::remove_all(dir, ec);
        }
      } cleanup{staged.dir};
      // The importer runs on this thread and rolls back its open batch when this throws.
      options.progress = [&job](const char* pass, size_t done, size_t total) {
        job.progress(pass, done, total);
        job.check_cancelled();
      };
      project::Project project = context.open();
      const project::ImportReport report = project::import_samples(project, options);
      return nlohmann::json{{"imported", report.imported},   {"train", report.imported_train},
                            {"test", report.imported_test},  {"duplicates", report.duplicates},
                            {"bad_files", report.bad_files}, {"notes", report.notes}};
    });
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staged.dir, ec);
    throw;
  }
  send_json(res, {{"job", job->to_json(false)}, {"files", staged.files}}, 202);
}

}  // namespace

void add_data_routes(httplib::Server& server, StudioContext& context) {
  server.Get(
      "/api/data/summary", guarded([&context](const httplib::Request&, httplib::Response& res) {
        project::Project p = context.open();
        send_json(res, project::summary_to_json(project::summarize(project::list_samples(*p.db))));
      }));

  server.Get("/api/samples",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               const int64_t offset = query_int(req, "offset", 0, 0, INT32_MAX);
               const int64_t limit = query_int(req, "limit", 50, 1, kMaxPageSize);
               project::Project p = context.open();
               nlohmann::json page = nlohmann::json::array();
               int64_t total = 0;
               std::set<std::string> labels;
               for (const project::SampleRecord& s : project::list_samples(*p.db)) {
                 labels.insert(s.label);
                 if (!matches(s, req)) continue;
                 if (total >= offset && total < offset + limit) page.push_back(sample_json(s));
                 ++total;
               }
               send_json(res, {{"total", total},
                               {"offset", offset},
                               {"limit", limit},
                               {"labels", labels},
                               {"samples", page}});
             }));

  server.Get(R"(/api/samples/(\d+))",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               project::Project p = context.open();
               send_json(res, sample_json(require_sample(p, path_id(req))));
             }));

  server.Get(R"(/api/samples/(\d+)/plot\.png)",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               project::Project p = context.open();
               const project::SampleRecord s = require_sample(p, path_id(req));
               resolve_inside(p.root, s.path);
               const std::string key = fmt::format("plot|{}|{}", s.content_hash,
                                                   project::config_to_json(p.config).dump());
               const std::string png = cached_png(context, key, [&] {
                 std::vector<std::string> notes;
                 return project::render_sample_plot(p, s, notes);
               });
               res.set_header("Cache-Control", "no-cache");
               res.set_content(png, "image/png");
             }));

  server.Get(R"(/api/samples/(\d+)/audio)",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               project::Project p = context.open();
               const project::SampleRecord s = require_sample(p, path_id(req));
               const fs::path file = resolve_inside(p.root, s.path);
               if (s.sensor != "audio" || lower(file.extension().string()) != ".wav") {
                 throw HttpError(404, fmt::format("sample {} is not a WAV recording", s.id));
               }
               res.set_header("Cache-Control", "private, max-age=3600");
               res.set_content(read_bytes(file), "audio/wav");
             }));

  server.Patch(R"(/api/samples/(\d+))",
               guarded([&context](const httplib::Request& req, httplib::Response& res) {
                 const nlohmann::json body = parse_json_body(req);
                 const auto label = optional_string(body, "label");
                 const auto split = optional_string(body, "split");
                 if (!label && !split) throw HttpError(400, "give 'label' and/or 'split'");
                 const int64_t id = path_id(req);
                 nlohmann::json moved = nlohmann::json::array();
                 project::Project p = context.open();
                 context.jobs.exclusive([&] {
                   if (label) relabel_sample(p, id, *label);
                   if (split) moved = move_sample_split(p, id, *split);
                 });
                 send_json(res, {{"sample", sample_json(require_sample(p, id))}, {"moved", moved}});
               }));

  server.Delete(R"(/api/samples/(\d+))",
                guarded([&context](const httplib::Request& req, httplib::Response& res) {
                  project::Project p = context.open();
                  int64_t trash_id = 0;
                  context.jobs.exclusive(
                      [&] { trash_id = delete_sample(p, trash_dir(context), path_id(req)); });
                  send_json(res, {{"deleted", path_id(req)}, {"trash_id", trash_id}});
                }));

  server.Get("/api/trash", guarded([&context](const httplib::Request&, httplib::Response& res) {
               send_json(res, list_trash(trash_dir(context)));
             }));

  server.Post(
      R"(/api/trash/(\d+)/restore)",
      guarded([&context](const httplib::Request& req, httplib::Response& res) {
        project::Project p = context.open();
        int64_t id = 0;
        context.jobs.exclusive([&] { id = restore_sample(p, trash_dir(context), path_id(req)); });
        send_json(res, {{"restored", id}, {"sample", sample_json(require_sample(p, id))}});
      }));

  server.Post("/api/samples/upload",
              guarded([&context](const httplib::Request& req, httplib::Response& res) {
                upload(context, req, res);
              }));
}

}  // namespace kiln::studio
