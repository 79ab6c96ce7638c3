// The Studio's JSON API over HTTP, end to end in-process: project creation and configuration, the
// data routes (list, sample, plots, audio, relabel, move, delete/undo, upload), and the guards
// (malformed JSON, path traversal, oversize uploads, cross-site requests, Host, access token).
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "project/project.h"
#include "project/project_config.h"
#include "project/sqlite_db.h"
#include "studio_fixture.h"

namespace kiln::studio::testing {
namespace {

class StudioApi : public StudioFixture {};

std::string wav_bytes(double hz, uint32_t seed) {
  const fs::path tmp =
      fs::temp_directory_path() / fmt::format("kiln_studio_wav_{}_{}.wav", ::getpid(), seed);
  std::mt19937 rng(seed);
  kiln::testing::write_tone(tmp, hz, rng);
  std::ifstream in(tmp, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(tmp);
  return bytes;
}

bool is_png(const std::string& bytes) {
  return bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0;
}

TEST_F(StudioApi, CreatesAProjectInAnEmptyFolderOnce) {
  start(/*with_project=*/false);
  nlohmann::json status = get_json("/api/status");
  EXPECT_EQ(status["project"], false);
  get_json("/api/samples", 404);
  status = post_json("/api/project", {{"dsp", "mfe"}, {"epochs", 2}, {"window_ms", 500}}, 201);
  EXPECT_EQ(status["project"], true);
  EXPECT_EQ(status["config"]["dsp"]["block"], "mfe");
  const project::ProjectConfig on_disk = project::load_config(root_ / "kiln.json");
  EXPECT_EQ(on_disk.training.epochs, 2);
  EXPECT_EQ(on_disk.input.window_ms, 500);
  EXPECT_EQ(on_disk.input.stride_ms, 250);  // half the window, as kiln init does
  const nlohmann::json again = post_json("/api/project", {{"dsp", "mfcc"}}, 409);
  EXPECT_NE(again["error"].get<std::string>().find("already exists"), std::string::npos);
  post_json("/api/project", {{"dsp", 5}}, 400);
}

TEST_F(StudioApi, OptionsListBlocksWithParametersAndPresets) {
  start();
  const nlohmann::json options = get_json("/api/options");
  bool found_mfcc = false;
  for (const auto& b : options["blocks"]) {
    if (b["name"] == "mfcc") {
      found_mfcc = true;
      EXPECT_FALSE(b["parameters"].empty());
    }
  }
  EXPECT_TRUE(found_mfcc);
  EXPECT_NE(std::find(options["presets"].begin(), options["presets"].end(), "conv1d-small"),
            options["presets"].end());
}

TEST_F(StudioApi, ConfigIsValidatedAndSaved) {
  start();
  nlohmann::json config = get_json("/api/config");
  EXPECT_EQ(config["training"]["epochs"], 3);
  config["training"]["epochs"] = 9;
  const httplib::Result put =
      client_->Put("/api/config", edit_headers(), config.dump(), "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(project::load_config(root_ / "kiln.json").training.epochs, 9);

  config["dsp"]["block"] = "no-such-block";
  const httplib::Result bad =
      client_->Put("/api/config", edit_headers(), config.dump(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("no-such-block"), std::string::npos) << bad->body;
  EXPECT_EQ(project::load_config(root_ / "kiln.json").dsp.block, "mfcc");  // unchanged

  const httplib::Result broken =
      client_->Put("/api/config", edit_headers(), "{\"training\": ", "application/json");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  EXPECT_NE(broken->body.find("malformed JSON"), std::string::npos) << broken->body;
}

TEST_F(StudioApi, SummaryAndPaginatedFilteredList) {
  start();
  const nlohmann::json summary = get_json("/api/data/summary");
  EXPECT_EQ(summary["samples"], 16);
  const auto& labels = summary["labels"];
  EXPECT_EQ(labels["low"]["train"].get<int>() + labels["low"]["test"].get<int>(), 8);
  EXPECT_EQ(labels["high"]["train"].get<int>() + labels["high"]["test"].get<int>(), 8);

  nlohmann::json page = get_json("/api/samples?offset=0&limit=5");
  EXPECT_EQ(page["total"], 16);
  EXPECT_EQ(page["samples"].size(), 5u);
  page = get_json("/api/samples?offset=15&limit=5");
  EXPECT_EQ(page["samples"].size(), 1u);
  page = get_json("/api/samples?label=low&limit=100");
  EXPECT_EQ(page["total"], 8);
  for (const auto& s : page["samples"]) EXPECT_EQ(s["label"], "low");
  page = get_json("/api/samples?split=test&limit=100");
  EXPECT_EQ(page["total"].get<int>(),
            labels["low"]["test"].get<int>() + labels["high"]["test"].get<int>());
  page = get_json("/api/samples?q=HIGH_3");
  ASSERT_EQ(page["total"], 1);
  EXPECT_EQ(page["samples"][0]["name"], "high_3.wav");
  get_json("/api/samples?limit=0", 400);
  get_json("/api/samples?limit=abc", 400);
  get_json("/api/samples?offset=-1", 400);
}

TEST_F(StudioApi, SampleDetailPlotAudioAndFeatureImages) {
  start();
  const nlohmann::json first = get_json("/api/samples?limit=1")["samples"][0];
  const int64_t id = first["id"];
  const nlohmann::json detail = get_json(fmt::format("/api/samples/{}", id));
  EXPECT_EQ(detail["sensor"], "audio");
  EXPECT_EQ(detail["sample_rate_hz"], 8000);

  httplib::Result r = client_->Get(fmt::format("/api/samples/{}/plot.png", id));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(is_png(r->body));
  r = client_->Get(fmt::format("/api/samples/{}/audio", id));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "audio/wav");
  EXPECT_EQ(r->body.substr(0, 4), "RIFF");
  EXPECT_EQ(r->body.size(), fs::file_size(root_ / detail["path"].get<std::string>()));

  const httplib::Result mfcc = client_->Get(fmt::format("/api/samples/{}/features.png", id));
  const httplib::Result mfe =
      client_->Get(fmt::format("/api/samples/{}/features.png?block=mfe&p.num_filters=20", id));
  ASSERT_TRUE(mfcc && mfe);
  EXPECT_EQ(mfcc->status, 200);
  EXPECT_EQ(mfe->status, 200) << mfe->body;
  EXPECT_TRUE(is_png(mfcc->body) && is_png(mfe->body));
  EXPECT_NE(mfcc->body, mfe->body);
  // The second request is served from the cache, byte for byte.
  const httplib::Result again =
      client_->Get(fmt::format("/api/samples/{}/features.png?block=mfe&p.num_filters=20", id));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, mfe->body);

  const nlohmann::json bad_param =
      get_json(fmt::format("/api/samples/{}/features.png?block=mfe&p.num_filters=abc", id), 400);
  EXPECT_NE(bad_param["error"].get<std::string>().find("num_filters"), std::string::npos);
  get_json(fmt::format("/api/samples/{}/features.png?block=nope", id), 400);
  get_json("/api/samples/999999", 404);
  get_json("/api/samples/999999/plot.png", 404);
}

TEST_F(StudioApi, RelabelAndMoveSplit) {
  start();
  const int64_t id = get_json("/api/samples?label=low&limit=1")["samples"][0]["id"];
  const std::string path = fmt::format("/api/samples/{}", id);
  httplib::Result r =
      client_->Patch(path, edit_headers(), R"({"label": "quiet"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(get_json(path)["label"], "quiet");
  EXPECT_EQ(get_json("/api/data/summary")["labels"]["quiet"]["train"].get<int>() +
                get_json("/api/data/summary")["labels"]["quiet"]["test"].get<int>(),
            1);

  const std::string other = get_json(path)["split"] == "train" ? "test" : "train";
  r = client_->Patch(path, edit_headers(), nlohmann::json{{"split", other}}.dump(),
                     "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(get_json(path)["split"], other);

  for (const char* bad : {R"({"label": "../etc"})", R"({"label": ""})", R"({"split": "val"})",
                          R"({"label": 5})", R"({})", "[1, 2]", "{oops"}) {
    r = client_->Patch(path, edit_headers(), bad, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << " -> " << r->body;
    EXPECT_TRUE(nlohmann::json::parse(r->body).contains("error"));
  }
  EXPECT_EQ(get_json(path)["label"], "quiet");
}

TEST_F(StudioApi, DeleteMovesToTrashAndUndoRestores) {
  start();
  const nlohmann::json sample = get_json("/api/samples?limit=1")["samples"][0];
  const int64_t id = sample["id"];
  const fs::path file = root_ / sample["path"].get<std::string>();
  ASSERT_TRUE(fs::exists(file));
  httplib::Result r = client_->Delete(fmt::format("/api/samples/{}", id), edit_headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_FALSE(fs::exists(file));
  get_json(fmt::format("/api/samples/{}", id), 404);
  EXPECT_EQ(get_json("/api/data/summary")["samples"], 15);
  const nlohmann::json trash = get_json("/api/trash");
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0]["trash_id"], id);

  const nlohmann::json restored = post_json(fmt::format("/api/trash/{}/restore", id), {}, 200);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(restored["sample"]["content_hash"], sample["content_hash"]);
  EXPECT_EQ(restored["sample"]["label"], sample["label"]);
  EXPECT_EQ(get_json("/api/data/summary")["samples"], 16);
  EXPECT_TRUE(get_json("/api/trash").empty());
  post_json(fmt::format("/api/trash/{}/restore", id), {}, 404);
  r = client_->Delete("/api/samples/999999", edit_headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(StudioApi, UploadImportsWithTheImporterAndReportsBadFiles) {
  start();
  httplib::MultipartFormDataItems items = {
      {"files", wav_bytes(800, 1), "mid_0.wav", "audio/wav"},
      {"files", wav_bytes(800, 2), "mid_1.wav", "audio/wav"},
  };
  httplib::Result r = client_->Post("/api/samples/upload", edit_headers(), items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  nlohmann::json job = wait_for_job(nlohmann::json::parse(r->body)["job"]["id"]);
  EXPECT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["imported"], 2);
  const auto mid = get_json("/api/data/summary")["labels"]["mid"];
  EXPECT_EQ(mid["train"].get<int>() + mid["test"].get<int>(), 2);

  // A file the WAV parser rejects fails the job with the parser's message; nothing is imported.
  items = {{"files", "RIFF not really a wav", "broken_0.wav", "audio/wav"},
           {"files", wav_bytes(900, 3), "ok_0.wav", "audio/wav"}};
  r = client_->Post("/api/samples/upload", edit_headers(), items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  job = wait_for_job(nlohmann::json::parse(r->body)["job"]["id"]);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_NE(job["error"].get<std::string>().find("broken_0.wav"), std::string::npos)
      << job["error"];
  EXPECT_EQ(get_json("/api/data/summary")["samples"], 18);
  EXPECT_TRUE(fs::is_empty(root_ / ".studio" / "uploads"));  // staged copies removed

  // The form's label overrides the file names.
  items = {{"files", wav_bytes(900, 4), "anything.wav", "audio/wav"}, {"label", "tone900", "", ""}};
  r = client_->Post("/api/samples/upload", edit_headers(), items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  job = wait_for_job(nlohmann::json::parse(r->body)["job"]["id"]);
  EXPECT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_TRUE(get_json("/api/data/summary")["labels"].contains("tone900"));
}

TEST_F(StudioApi, UploadRejectsUnsafeNamesWrongTypesAndOversizeBodies) {
  start(/*with_project=*/true, /*max_upload_bytes=*/1u << 20);
  const fs::path outside = dir_ / "evil.wav";
  for (const char* name : {"../evil.wav", "../../evil.wav", "a/b.wav", "..", ".hidden.wav",
                           "x_1.exe", "noseparator.wav"}) {
    const httplib::MultipartFormDataItems items = {{"files", wav_bytes(800, 5), name, "audio/wav"}};
    const httplib::Result r = client_->Post("/api/samples/upload", edit_headers(), items);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << name << " -> " << r->body;
  }
  EXPECT_FALSE(fs::exists(outside));
  const httplib::MultipartFormDataItems big = {
      {"files", std::string(2u << 20, 'x'), "big_0.wav", "audio/wav"}};
  httplib::Result r = client_->Post("/api/samples/upload", edit_headers(), big);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("too large"), std::string::npos) << r->body;
  r = client_->Post("/api/samples/upload", edit_headers(), "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(get_json("/api/data/summary")["samples"], 16);
}

TEST_F(StudioApi, PathTraversalNeverReachesFilesOutsideTheProject) {
  start();
  std::ofstream(dir_ / "secret.txt") << "top secret";
  for (const char* path :
       {"/assets/../../secret.txt", "/assets/..%2F..%2Fsecret.txt", "/assets/%2e%2e/secret.txt",
        "/../secret.txt", "/api/samples/../../secret.txt", "/assets/../kiln.json",
        "/api/samples/1/../../../secret.txt"}) {
    const httplib::Result r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_NE(r->status, 200) << path;
    EXPECT_EQ(r->body.find("top secret"), std::string::npos) << path;
  }
  // An index row pointing outside the project (a tampered kiln.db) is refused too.
  const int64_t id = get_json("/api/samples?limit=1")["samples"][0]["id"];
  {
    project::SqliteDb db(root_ / "kiln.db", false);
    project::SqliteStatement update(db, "UPDATE samples SET path = ?1 WHERE id = ?2");
    update.bind(1, std::string("../secret.txt")).bind(2, id);
    update.step();
  }
  for (const char* what : {"audio", "features.png", "plot.png"}) {
    const httplib::Result r = client_->Get(fmt::format("/api/samples/{}/{}", id, what));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << what << ": " << r->body;
    EXPECT_EQ(r->body.find("top secret"), std::string::npos);
  }
  const httplib::Result del = client_->Delete(fmt::format("/api/samples/{}", id), edit_headers());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 400);
  EXPECT_TRUE(fs::exists(dir_ / "secret.txt"));
}

TEST_F(StudioApi, RefusesCrossSiteEditsForeignHostsAndUnknownRoutes) {
  start();
  const int64_t id = get_json("/api/samples?limit=1")["samples"][0]["id"];
  httplib::Result r =
      client_->Patch(fmt::format("/api/samples/{}", id), R"({"label": "x"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("X-Kiln-Studio"), std::string::npos);
  r = client_->Get("/api/status", {{"Host", "attacker.example:80"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  const nlohmann::json missing = get_json("/api/no-such-route", 404);
  EXPECT_TRUE(missing.contains("error"));
  r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("Kiln Studio"), std::string::npos);
}

TEST_F(StudioApi, OneStudioPerProjectFolder) {
  start();
  StudioOptions options;
  options.root = root_;
  options.port = 0;
  EXPECT_THROW(StudioServer second(options), Error);
}

class StudioToken : public StudioFixture {};

TEST_F(StudioToken, NonLoopbackServersRequireTheToken) {
  fs::path dir = fs::temp_directory_path() / fmt::format("kiln_studio_token_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  StudioOptions options;
  options.root = dir;
  options.host = "0.0.0.0";
  options.port = 0;
  {
    StudioServer server(options);
    const std::string token = server.options().token;
    ASSERT_EQ(token.size(), 32u);
    EXPECT_NE(server.url().find("?token=" + token), std::string::npos);
    const int port = server.start_in_background();
    httplib::Client client("127.0.0.1", port);
    httplib::Result r = client.Get("/api/status");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    r = client.Get("/api/status", {{"Authorization", "Bearer wrong"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    r = client.Get("/api/status", {{"Authorization", "Bearer " + token}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    r = client.Get("/?token=" + token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->get_header_value("Set-Cookie").find("kiln_token=" + token), std::string::npos);
    r = client.Get("/api/status", {{"Cookie", "kiln_token=" + token}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    // Two servers never share a token.
    EXPECT_NE(make_access_token(), token);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kiln::studio::testing
