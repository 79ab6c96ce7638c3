// A Studio server started in-process on a free port over a small tone project (two labels of
// noisy tones, see tests/tone_project.h), with an httplib client and helpers for the JSON API.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "project/project_test_util.h"
#include "studio/studio_server.h"
#include "tone_project.h"

namespace kiln::studio::testing {

namespace fs = std::filesystem;

inline project::ProjectConfig small_tone_config() {
  project::ProjectConfig config;
  config.dsp.block = "mfcc";
  config.input.window_ms = 500;
  config.input.stride_ms = 250;
  config.training.epochs = 3;
  config.training.seed = 7;
  config.learning.preset = "conv1d-small";
  return config;
}

class StudioFixture : public ::testing::Test {
 protected:
  // `with_project`: false leaves the folder empty (the Studio offers to create a project).
  void start(bool with_project = true, size_t max_upload_bytes = 4u << 20) {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / fmt::format("kiln_studio_test_{}_{}", ::getpid(), counter++);
    fs::remove_all(dir_);
    root_ = dir_ / "project";
    fs::create_directories(root_);
    if (with_project) {
      kiln::testing::write_tone_dataset(dir_ / "source", 8, 5);
      kiln::testing::make_tone_project(root_, dir_ / "source", small_tone_config());
    }
    StudioOptions options;
    options.root = root_;
    options.port = 0;
    options.max_upload_bytes = max_upload_bytes;
    server_ = std::make_unique<StudioServer>(options);
    port_ = server_->start_in_background();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(120, 0);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  static httplib::Headers edit_headers() { return {{"X-Kiln-Studio", "1"}}; }

  static nlohmann::json body_of(const httplib::Result& r) {
    EXPECT_TRUE(r) << "no response";
    if (!r) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  }

  nlohmann::json get_json(const std::string& path, int expected_status = 200) {
    const httplib::Result r = client_->Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, expected_status) << path << ": " << r->body;
    return body_of(r);
  }

  nlohmann::json post_json(const std::string& path, const nlohmann::json& body,
                           int expected_status) {
    // A default-constructed json ({} in a call) is null: send it as an empty object.
    const std::string text = body.is_null() ? "{}" : body.dump();
    const httplib::Result r = client_->Post(path, edit_headers(), text, "application/json");
    EXPECT_TRUE(r) << path;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, expected_status) << path << ": " << r->body;
    return body_of(r);
  }

  // Polls the job until it is no longer running (at most `seconds`).
  nlohmann::json wait_for_job(int64_t id, int seconds = 600) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      const nlohmann::json job = get_json(fmt::format("/api/jobs/{}", id));
      if (job.is_null() || job["state"] != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "job " << id << " did not finish in " << seconds << " s";
    return nullptr;
  }

  // Starts a job with POST `path` and waits for it.
  nlohmann::json run_job(const std::string& path, const nlohmann::json& body = {},
                         int seconds = 600) {
    const nlohmann::json started =
        post_json(path, body.is_null() ? nlohmann::json::object() : body, 202);
    if (started.is_null() || !started.contains("job")) return nullptr;
    return wait_for_job(started["job"]["id"].get<int64_t>(), seconds);
  }

  fs::path dir_, root_;
  std::unique_ptr<StudioServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

}  // namespace kiln::studio::testing
