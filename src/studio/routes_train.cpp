// Training and test routes. Both run as background jobs through the library functions the CLI
// calls (train_project, test_project); their results are kept in .studio/ for the pages.
#include <fmt/format.h>

#include "pipeline/test_project.h"
#include "pipeline/train_project.h"
#include "studio/http_util.h"
#include "studio/routes.h"

namespace kiln::studio {

namespace {

constexpr const char* kTrainState = "train.json";
constexpr const char* kTestState = "test_report.json";

nlohmann::json epoch_json(const nn::EpochStats& e) {
  nlohmann::json j = {{"type", "epoch"},        {"epoch", e.epoch},
                      {"epochs", e.epochs},     {"loss", e.loss},
                      {"accuracy", e.accuracy}, {"learning_rate", e.learning_rate},
                      {"seconds", e.seconds},   {"quantized", e.quantized}};
  if (e.has_validation) {
    j["val_loss"] = e.val_loss;
    j["val_accuracy"] = e.val_accuracy;
  }
  return j;
}

nlohmann::json train(StudioContext& context, Job& job) {
  const project::Project project = context.open();
  pipeline::TrainCallbacks callbacks;
  std::string stage;
  // A run is cancelled by throwing JobCancelled from the callbacks: at each stage, after each
  // sample's features (build_window_set rethrows it on this thread) and after each epoch.
  // Nothing in out/ is replaced before training has finished, so a cancelled run leaves the
  // previous model in place.
  callbacks.on_stage = [&](const std::string& s) {
    job.check_cancelled();
    stage = s;
    job.progress(s, 0, 0);
  };
  callbacks.on_features = [&](size_t done, size_t total) {
    job.check_cancelled();
    job.progress(stage, done, total);
  };
  callbacks.on_epoch = [&](const nn::EpochStats& e) {
    job.add_event(epoch_json(e));
    job.check_cancelled();
  };
  const pipeline::TrainReport report = pipeline::train_project(project, callbacks);
  nlohmann::json history = nlohmann::json::array();
  for (const nn::EpochStats& e : report.training.history) history.push_back(epoch_json(e));
  nlohmann::json result = {{"labels", report.pipeline.labels},
                           {"parameters", report.parameters},
                           {"macs", report.macs},
                           {"train_windows", report.train_windows},
                           {"augmented_windows", report.augmented_windows},
                           {"best_epoch", report.training.best_epoch},
                           {"stopped_early", report.training.stopped_early},
                           {"seconds", report.seconds},
                           {"history", history},
                           {"finished_at", utc_now_iso8601()}};
  save_state(context, kTrainState, result);
  return result;
}

nlohmann::json test(StudioContext& context, Job& job) {
  const project::Project project = context.open();
  const pipeline::TestReport report = pipeline::test_project(
      project, [&job](size_t done, size_t total) { job.progress("testing", done, total); });
  nlohmann::json result = pipeline::test_report_json(report);
  result["finished_at"] = utc_now_iso8601();
  save_state(context, kTestState, result);
  return result;
}

void send_state(const StudioContext& context, const char* name, const char* what,
                httplib::Response& res) {
  context.open();
  const auto state = load_state(context, name);
  if (!state) throw HttpError(404, fmt::format("no {} yet", what));
  send_json(res, *state);
}

}  // namespace

void add_train_routes(httplib::Server& server, StudioContext& context) {
  server.Post(
      "/api/train", guarded([&context](const httplib::Request& req, httplib::Response& res) {
        parse_json_body(req);  // no options: the configuration is kiln.json
        context.open();
        const auto job =
            context.jobs.start("train", [&context](Job& job) { return train(context, job); });
        send_json(res, {{"job", job->to_json(false)}}, 202);
      }));
  server.Get("/api/train/last",
             guarded([&context](const httplib::Request&, httplib::Response& res) {
               send_state(context, kTrainState, "training run", res);
             }));

  server.Post("/api/test", guarded([&context](const httplib::Request& req, httplib::Response& res) {
                parse_json_body(req);
                context.open();
                const auto job =
                    context.jobs.start("test", [&context](Job& job) { return test(context, job); });
                send_json(res, {{"job", job->to_json(false)}}, 202);
              }));
  server.Get("/api/test/report",
             guarded([&context](const httplib::Request&, httplib::Response& res) {
               send_state(context, kTestState, "test report", res);
             }));
}

}  // namespace kiln::studio
