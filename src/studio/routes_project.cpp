// Project routes: server status, creating the project, reading and saving kiln.json, and the
// choices the pages offer (DSP blocks with their parameters, learning presets).
#include <fmt/format.h>

#include <algorithm>

#include "data/feature_blocks.h"
#include "project/project.h"
#include "project/project_config.h"
#include "studio/http_util.h"
#include "studio/routes.h"
#include "studio/web_assets.h"

namespace kiln::studio {

namespace {

nlohmann::json running_job_json(const StudioContext& context) {
  const auto job = context.jobs.running();
  return job ? job->to_json(false) : nlohmann::json(nullptr);
}

nlohmann::json status_json(const StudioContext& context) {
  nlohmann::json j = {
      {"project", context.has_project()},
      {"root", std::filesystem::absolute(context.root()).lexically_normal().string()},
      {"running_job", running_job_json(context)},
      {"web_assets_built", web_assets_built()},
      {"version", "0.1.0"}};
  if (context.has_project()) {
    const project::Project p = context.open();
    j["config"] = project::config_to_json(p.config);
  }
  return j;
}

// The same mapping from options to configuration as `kiln init`.
project::ProjectConfig config_for_new_project(const nlohmann::json& body) {
  project::ProjectConfig config;
  if (const auto dsp = optional_string(body, "dsp")) {
    config.dsp.block = *dsp == "spectral_analysis" ? "spectral" : *dsp;
  }
  project::apply_block_defaults(config);
  if (const auto model = optional_string(body, "model"); model && !model->empty()) {
    config.learning.preset = *model;
  }
  if (const auto window = optional_number(body, "window_ms")) {
    config.input.window_ms = static_cast<int>(*window);
    config.input.stride_ms = std::max(1, config.input.window_ms / 2);
  }
  if (const auto stride = optional_number(body, "stride_ms")) {
    config.input.stride_ms = static_cast<int>(*stride);
  }
  if (const auto epochs = optional_number(body, "epochs")) {
    config.training.epochs = static_cast<int>(*epochs);
  }
  return config;
}

}  // namespace

void add_project_routes(httplib::Server& server, StudioContext& context) {
  server.Get("/api/status", guarded([&context](const httplib::Request&, httplib::Response& res) {
               send_json(res, status_json(context));
             }));

  server.Post("/api/project",
              guarded([&context](const httplib::Request& req, httplib::Response& res) {
                const nlohmann::json body = parse_json_body(req);
                const project::ProjectConfig config = config_for_new_project(body);
                context.jobs.exclusive([&] {
                  if (context.has_project()) throw HttpError(409, "a project already exists here");
                  project::init_project(context.root(), config);
                });
                send_json(res, status_json(context), 201);
              }));

  server.Get("/api/config", guarded([&context](const httplib::Request&, httplib::Response& res) {
               send_json(res, project::config_to_json(context.open().config));
             }));

  server.Put("/api/config",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               const nlohmann::json body = parse_json_body(req);
               const project::ProjectConfig config = project::config_from_json(body, "request");
               project::validate_config(config, "request");
               context.jobs.exclusive([&] {
                 const project::Project p = context.open();
                 project::save_config(config, p.config_path());
               });
               send_json(res, project::config_to_json(config));
             }));

  server.Get("/api/options", guarded([](const httplib::Request&, httplib::Response& res) {
               nlohmann::json blocks = nlohmann::json::array();
               for (const std::string& name : data::feature_block_names()) {
                 blocks.push_back({{"name", name},
                                   {"parameters", data::feature_block_parameters(name)},
                                   {"default_preset", project::default_preset_for_block(name)}});
               }
               send_json(res, {{"blocks", blocks}, {"presets", project::learning_presets()}});
             }));
}

}  // namespace kiln::studio
