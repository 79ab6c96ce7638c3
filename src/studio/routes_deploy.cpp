// Deploy page routes: deploy the trained pipeline as a C++ library (kept as a zip to download)
// and profile it on the emulated Cortex-M4, both as background jobs over the library functions
// `kiln deploy` and `kiln profile` call.
#include <fmt/format.h>

#include "deploy/deploy.h"
#include "pipeline/trained_pipeline.h"
#include "profile/project_profile.h"
#include "profile/report.h"
#include "studio/http_util.h"
#include "studio/routes.h"
#include "studio/zip_writer.h"

namespace kiln::studio {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDeployState = "deploy.json";
constexpr const char* kProfileState = "profile_report.json";
constexpr const char* kZipName = "kiln_classifier.zip";

std::string choice(const nlohmann::json& body, const std::string& key, const std::string& fallback,
                   std::initializer_list<const char*> allowed) {
  const std::string value = optional_string(body, key).value_or(fallback);
  for (const char* a : allowed) {
    if (value == a) return value;
  }
  throw HttpError(400, fmt::format("'{}' cannot be '{}'", key, value));
}

nlohmann::json deploy(StudioContext& context, const deploy::DeployOptions& options,
                      const nlohmann::json& request) {
  const fs::path out = context.root() / pipeline::kOutputDir / "deploy";
  const deploy::Deployment d = deploy::deploy_project(context.root(), out, options);
  const std::string zip = make_stored_zip(d.files, "kiln_classifier/");
  write_bytes_atomically(context.state_dir() / kZipName, zip);
  nlohmann::json result = request;
  result["files"] = d.files.size();
  result["zip_bytes"] = zip.size();
  result["weight_bytes"] = d.weight_bytes;
  result["arena"] = {{"dsp_phase_bytes", d.arena.dsp_phase_bytes},
                     {"nn_phase_bytes", d.arena.nn_phase_bytes},
                     {"shared_arena_bytes", d.arena.shared_arena_bytes},
                     {"state_bytes", d.arena.state_bytes},
                     {"total_arena_bytes", d.arena.total_arena_bytes}};
  result["finished_at"] = utc_now_iso8601();
  save_state(context, kDeployState, result);
  return result;
}

nlohmann::json profile(StudioContext& context, const std::vector<pipeline::Precision>& precisions,
                       const profile::ProfileOptions& options, Job& job) {
  job.progress("building and emulating the firmware", 0, precisions.size());
  const std::vector<profile::ProfileReport> reports =
      profile::profile_project(context.root(), precisions, options);
  nlohmann::json result = profile::reports_json(reports);
  result["finished_at"] = utc_now_iso8601();
  save_state(context, kProfileState, result);
  return result;
}

}  // namespace

void add_deploy_routes(httplib::Server& server, StudioContext& context) {
  server.Post(
      "/api/deploy", guarded([&context](const httplib::Request& req, httplib::Response& res) {
        const nlohmann::json body = parse_json_body(req);
        deploy::DeployOptions options;
        options.target = choice(body, "target", "host", {"host", "cortex-m4"});
        options.engine = choice(body, "engine", "aot", {"aot", "tflm"});
        const std::string precision = choice(body, "precision", "int8", {"int8", "float32"});
        options.precision = pipeline::parse_precision(precision);
        const nlohmann::json request = {
            {"target", options.target}, {"engine", options.engine}, {"precision", precision}};
        context.open();
        const auto job = context.jobs.start("deploy", [&context, options, request](Job&) {
          return deploy(context, options, request);
        });
        send_json(res, {{"job", job->to_json(false)}}, 202);
      }));

  server.Get("/api/deploy/last",
             guarded([&context](const httplib::Request&, httplib::Response& res) {
               const auto state = load_state(context, kDeployState);
               if (!state) throw HttpError(404, "no deployment yet");
               send_json(res, *state);
             }));

  server.Get("/api/deploy/library.zip",
             guarded([&context](const httplib::Request&, httplib::Response& res) {
               const fs::path zip = context.state_dir() / kZipName;
               if (!fs::exists(zip)) throw HttpError(404, "no library yet: deploy first");
               res.set_header("Content-Disposition",
                              "attachment; filename=\"kiln_classifier.zip\"");
               res.set_header("Cache-Control", "no-store");
               res.set_content(read_bytes(zip), "application/zip");
             }));

  server.Post(
      "/api/profile", guarded([&context](const httplib::Request& req, httplib::Response& res) {
        const nlohmann::json body = parse_json_body(req);
        const std::string which = choice(body, "precision", "int8", {"int8", "float32", "both"});
        std::vector<pipeline::Precision> precisions;
        if (which != "float32") precisions.push_back(pipeline::Precision::kInt8);
        if (which != "int8") precisions.push_back(pipeline::Precision::kFloat32);
        profile::ProfileOptions options;
        options.clock_mhz = optional_number(body, "clock_mhz").value_or(64);
        options.ram_kb = static_cast<int64_t>(optional_number(body, "ram_kb").value_or(256));
        options.flash_kb = static_cast<int64_t>(optional_number(body, "flash_kb").value_or(1024));
        if (!(options.clock_mhz > 0 && options.clock_mhz <= 2000) || options.ram_kb <= 0 ||
            options.flash_kb <= 0) {
          throw HttpError(400, "clock_mhz, ram_kb and flash_kb must be positive");
        }
        context.open();
        const auto job = context.jobs.start("profile", [&context, precisions, options](Job& job) {
          return profile(context, precisions, options, job);
        });
        send_json(res, {{"job", job->to_json(false)}}, 202);
      }));

  server.Get("/api/profile/report",
             guarded([&context](const httplib::Request&, httplib::Response& res) {
               const auto state = load_state(context, kProfileState);
               if (!state) throw HttpError(404, "no profile yet");
               send_json(res, *state);
             }));
}

}  // namespace kiln::studio
