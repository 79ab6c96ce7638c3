// The Studio's background jobs over HTTP: train (with its server-sent event stream), test,
// deploy with the zip download, profile; one job at a time (409), cancellation, and a server that
// keeps working after failed jobs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "studio_fixture.h"

namespace kiln::studio::testing {
namespace {

class StudioJobs : public StudioFixture {};

// Every "data:" line of an event stream, parsed.
std::vector<nlohmann::json> parse_event_stream(const std::string& text) {
  std::vector<nlohmann::json> events;
  size_t at = 0;
  while ((at = text.find("data: ", at)) != std::string::npos) {
    const size_t end = text.find('\n', at);
    events.push_back(nlohmann::json::parse(text.substr(at + 6, end - at - 6)));
    at = end;
  }
  return events;
}

bool tool_exists(const std::string& name) {
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", name).c_str()) == 0;
}

TEST_F(StudioJobs, TrainStreamsEpochsThenTestDeployAndDownload) {
  start();
  const nlohmann::json started = post_json("/api/train", nlohmann::json::object(), 202);
  const int64_t id = started["job"]["id"];
  // The stream ends with the job's "end" event; it starts from the first event whenever we
  // connect, so nothing is missed even if training is already done.
  std::string stream;
  const httplib::Result r =
      client_->Get(fmt::format("/api/jobs/{}/events", id), [&](const char* data, size_t n) {
        stream.append(data, n);
        return true;
      });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::vector<nlohmann::json> events = parse_event_stream(stream);
  ASSERT_FALSE(events.empty()) << stream;
  EXPECT_EQ(events.back()["type"], "end");
  EXPECT_EQ(events.back()["state"], "succeeded") << events.back().dump();
  int epochs = 0;
  for (const auto& e : events) {
    if (e["type"] != "epoch") continue;
    ++epochs;
    EXPECT_EQ(e["epoch"], epochs);
    EXPECT_GT(e["loss"].get<double>(), 0.0);
    EXPECT_GE(e["accuracy"].get<double>(), 0.0);
    EXPECT_LE(e["accuracy"].get<double>(), 1.0);
  }
  EXPECT_EQ(epochs, 3);  // config epochs; early stopping's patience (10) is never reached

  // The same events resume from Last-Event-ID.
  std::string rest;
  client_->Get(fmt::format("/api/jobs/{}/events", id), {{"Last-Event-ID", "0"}},
               [&](const char* data, size_t n) {
                 rest.append(data, n);
                 return true;
               });
  EXPECT_EQ(parse_event_stream(rest).size(), events.size() - 1);

  const nlohmann::json last = get_json("/api/train/last");
  EXPECT_EQ(last["history"].size(), 3u);
  EXPECT_EQ(last["labels"], nlohmann::json({"high", "low"}));
  EXPECT_TRUE(fs::exists(root_ / "out" / "model.int8.tflite"));

  const nlohmann::json test = run_job("/api/test");
  ASSERT_EQ(test["state"], "succeeded") << test.dump();
  const nlohmann::json report = get_json("/api/test/report");
  for (const char* precision : {"float32", "int8"}) {
    SCOPED_TRACE(precision);
    const nlohmann::json& m = report[precision];
    ASSERT_EQ(m["confusion"].size(), 2u);
    int64_t total = 0, right = 0;
    for (size_t i = 0; i < 2; ++i) {
      for (size_t j = 0; j < 2; ++j) {
        total += m["confusion"][i][j].get<int64_t>();
        if (i == j) right += m["confusion"][i][j].get<int64_t>();
      }
    }
    EXPECT_EQ(total, report["test_windows"].get<int64_t>());
    EXPECT_NEAR(m["accuracy"].get<double>(), static_cast<double>(right) / total, 1e-9);
  }

  const nlohmann::json deployed = run_job("/api/deploy", {{"precision", "int8"}});
  ASSERT_EQ(deployed["state"], "succeeded") << deployed.dump();
  const httplib::Result zip = client_->Get("/api/deploy/library.zip");
  ASSERT_TRUE(zip);
  ASSERT_EQ(zip->status, 200);
  EXPECT_EQ(zip->get_header_value("Content-Type"), "application/zip");
  const fs::path zip_file = dir_ / "library.zip";
  std::ofstream(zip_file, std::ios::binary) << zip->body;
  // An independent reader: Python's zipfile checks every CRC and lists the names.
  if (tool_exists("python3")) {
    const std::string check = fmt::format(
        "python3 -c \"import zipfile,sys; z=zipfile.ZipFile('{}'); "
        "assert z.testzip() is None; n=z.namelist(); "
        "assert len(n)=={} and all(x.startswith('kiln_classifier/') for x in n); "
        "assert any(x.endswith('.h') for x in n)\"",
        zip_file.string(), deployed["result"]["files"].get<int>());
    EXPECT_EQ(std::system(check.c_str()), 0);
  }

  const nlohmann::json jobs = get_json("/api/jobs");
  EXPECT_EQ(jobs["jobs"].size(), 3u);
  EXPECT_TRUE(jobs["running"].is_null());
}

TEST_F(StudioJobs, OneJobAtATimeAndCancel) {
  start();
  nlohmann::json config = get_json("/api/config");
  config["training"]["epochs"] = 500;
  config["training"]["early_stopping"]["enabled"] = false;
  ASSERT_EQ(client_->Put("/api/config", edit_headers(), config.dump(), "application/json")->status,
            200);
  const int64_t id = post_json("/api/train", {}, 202)["job"]["id"];
  const nlohmann::json conflict = post_json("/api/test", {}, 409);
  EXPECT_NE(conflict["error"].get<std::string>().find("busy"), std::string::npos);
  post_json("/api/train", {}, 409);
  post_json("/api/deploy", {}, 409);
  const int64_t sample = get_json("/api/samples?limit=1")["samples"][0]["id"];
  const httplib::Result edit =
      client_->Patch(fmt::format("/api/samples/{}", sample), edit_headers(), R"({"label": "x"})",
                     "application/json");
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->status, 409);
  const httplib::MultipartFormDataItems items = {{"files", "x", "a_0.wav", "audio/wav"}};
  const httplib::Result upload = client_->Post("/api/samples/upload", edit_headers(), items);
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 409);
  EXPECT_EQ(get_json("/api/status")["running_job"]["id"], id);

  post_json(fmt::format("/api/jobs/{}/cancel", id), {}, 202);
  const nlohmann::json job = wait_for_job(id, 120);
  EXPECT_EQ(job["state"], "cancelled");
  EXPECT_FALSE(fs::exists(root_ / "out" / "model.int8.tflite"));
  // Free again.
  EXPECT_TRUE(get_json("/api/status")["running_job"].is_null());
  post_json("/api/jobs/999/cancel", {}, 404);
}

TEST_F(StudioJobs, FailedJobsLeaveTheServerWorking) {
  start();
  // Nothing is trained yet: test, deploy and profile fail with the library's message.
  for (const char* path : {"/api/test", "/api/deploy", "/api/profile"}) {
    SCOPED_TRACE(path);
    const nlohmann::json job = run_job(path);
    EXPECT_EQ(job["state"], "failed");
    EXPECT_FALSE(job["error"].get<std::string>().empty());
  }
  get_json("/api/test/report", 404);
  get_json("/api/deploy/library.zip", 404);
  post_json("/api/deploy", {{"engine", "gpu"}}, 400);
  post_json("/api/profile", {{"precision", "int4"}}, 400);
  post_json("/api/train", nlohmann::json::array(), 400);
  const httplib::Result broken =
      client_->Post("/api/train", edit_headers(), "{\"x\":", "application/json");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  EXPECT_EQ(get_json("/api/status")["project"], true);
  const nlohmann::json trained = run_job("/api/train");
  EXPECT_EQ(trained["state"], "succeeded") << trained.dump();
}

TEST_F(StudioJobs, ProfileReportsLatencyAndMemoryAgainstTheBudget) {
  if (!tool_exists("arm-none-eabi-g++") || !tool_exists("qemu-system-arm")) {
    GTEST_SKIP() << "arm-none-eabi-g++ or qemu-system-arm missing (run tools/install_deps.sh)";
  }
  start();
  ASSERT_EQ(run_job("/api/train")["state"], "succeeded");
  const nlohmann::json job = run_job("/api/profile", {{"precision", "int8"}}, 900);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  const nlohmann::json report = get_json("/api/profile/report");
  const nlohmann::json& r = report["int8"];
  EXPECT_GT(r["flash_bytes"].get<int64_t>(), 0);
  EXPECT_GT(r["static_ram_bytes"].get<int64_t>(), 0);
  EXPECT_GT(r["ms_est"].get<double>(), 0.0);
  EXPECT_EQ(r["budget"]["ram_bytes"], 256 * 1024);
  EXPECT_EQ(r["budget"]["flash_bytes"], 1024 * 1024);
}

TEST_F(StudioJobs, TestReportCarriesAnomalyScoresWhenThereIsAnAnomalyModel) {
  start();
  nlohmann::json config = get_json("/api/config");
  config["anomaly"] = {{"type", "kmeans"}, {"clusters", 2}, {"normal_labels", {"low"}}};
  ASSERT_EQ(client_->Put("/api/config", edit_headers(), config.dump(), "application/json")->status,
            200);
  ASSERT_EQ(run_job("/api/train")["state"], "succeeded");
  ASSERT_EQ(run_job("/api/test")["state"], "succeeded");
  const nlohmann::json report = get_json("/api/test/report");
  ASSERT_TRUE(report.contains("anomaly")) << report.dump();
  const nlohmann::json& a = report["anomaly"];
  // "high" windows are the anomalies: both kinds are in the test split, so there is an AUC.
  ASSERT_TRUE(a["auc"].is_number()) << a.dump();
  EXPECT_GE(a["auc"].get<double>(), 0.0);
  EXPECT_LE(a["auc"].get<double>(), 1.0);
  EXPECT_EQ(a["windows"], report["test_windows"]);
  EXPECT_GT(a["anomalous_windows"].get<int64_t>(), 0);
  EXPECT_LT(a["anomalous_windows"].get<int64_t>(), a["windows"].get<int64_t>());
}

TEST_F(StudioJobs, FeatureExplorerProjectsEverySampleAndCaches) {
  start();
  const nlohmann::json first = get_json("/api/features/explorer");
  EXPECT_EQ(first["points"].size(), 16u);
  EXPECT_EQ(first["computed"], 16);
  const double e0 = first["explained"][0], e1 = first["explained"][1];
  EXPECT_GE(e0, e1);
  EXPECT_GE(e1, 0.0);
  EXPECT_LE(e0 + e1, 1.0 + 1e-9);
  const nlohmann::json second = get_json("/api/features/explorer");
  EXPECT_EQ(second["computed"], 0);
  EXPECT_EQ(second["points"], first["points"]);
  const nlohmann::json mfe = get_json("/api/features/explorer?block=mfe");
  EXPECT_EQ(mfe["computed"], 16);
  get_json("/api/features/explorer?block=mfe&p.num_filters=0", 400);
}

}  // namespace
}  // namespace kiln::studio::testing
