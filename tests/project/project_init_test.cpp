// kiln init: the files it creates, refusing to overwrite, and kiln.json validation.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "project/project.h"
#include "project/sample_index.h"
#include "project_test_util.h"

namespace kiln::project {
namespace {

namespace fs = std::filesystem;

using nlohmann::json;
using testing::ScratchDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ProjectInit, CreatesConfigDatabaseAndDataFolder) {
  ScratchDir scratch("init");
  const fs::path root = scratch.path() / "proj";
  ProjectConfig config;
  config.dsp.block = "spectral";
  config.learning.preset = "dense";
  config.input.window_ms = 2000;
  config.training.seed = 7;
  init_project(root, config);
  EXPECT_TRUE(fs::is_regular_file(root / "kiln.json"));
  EXPECT_TRUE(fs::is_regular_file(root / "kiln.db"));
  EXPECT_TRUE(fs::is_directory(root / "data"));

  // kiln.json is plain JSON with the documented sections.
  std::ifstream in(root / "kiln.json");
  const json j = json::parse(in);
  EXPECT_EQ(j.at("dsp").at("block"), "spectral");
  EXPECT_EQ(j.at("learning").at("preset"), "dense");
  EXPECT_EQ(j.at("input").at("window_ms"), 2000);
  EXPECT_EQ(j.at("training").at("seed"), 7);
  for (const char* section : {"training", "augmentation", "quantization", "split"}) {
    EXPECT_TRUE(j.contains(section)) << section;
  }

  Project project = open_project(root);
  EXPECT_EQ(project.config.input.window_ms, 2000);
  EXPECT_TRUE(list_samples(*project.db).empty());
}

TEST(ProjectInit, RefusesToOverwrite) {
  ScratchDir scratch("overwrite");
  init_project(scratch.path(), ProjectConfig{});
  {
    std::ofstream marker(scratch.path() / "data" / "keep.txt");
    marker << "x";
  }
  const std::string message = error_of([&] { init_project(scratch.path(), ProjectConfig{}); });
  EXPECT_NE(message.find("already exists"), std::string::npos) << message;
  EXPECT_TRUE(fs::exists(scratch.path() / "data" / "keep.txt"));
}

TEST(ProjectInit, OpenOutsideAProjectFails) {
  ScratchDir scratch("notproject");
  const std::string message = error_of([&] { open_project(scratch.path()); });
  EXPECT_NE(message.find("not a kiln project"), std::string::npos) << message;
}

TEST(ProjectConfig, RoundTripsThroughJson) {
  ProjectConfig config;
  config.dsp.block = "mfe";
  config.dsp.params["num_filters"] = "32";
  config.training.optimizer = "sgd";
  config.augmentation.noise_snr_db = 20;
  const ProjectConfig back = config_from_json(config_to_json(config), "test");
  EXPECT_EQ(back.dsp.block, "mfe");
  EXPECT_EQ(back.dsp.params.at("num_filters"), "32");
  EXPECT_EQ(back.training.optimizer, "sgd");
  EXPECT_EQ(back.augmentation.noise_snr_db, 20);
  EXPECT_EQ(config_to_json(back), config_to_json(config));
}

TEST(ProjectConfig, RejectsInvalidFieldsByName) {
  const json base = config_to_json(ProjectConfig{});
  auto message_for = [&](const std::function<void(json&)>& edit) {
    json j = base;
    edit(j);
    return error_of([&] { config_from_json(j, "kiln.json"); });
  };
  EXPECT_NE(message_for([](json& j) { j["training"]["epochs"] = 0; }).find("training.epochs"),
            std::string::npos);
  EXPECT_NE(message_for([](json& j) { j["training"]["epochs"] = "ten"; }).find("training.epochs"),
            std::string::npos);
  EXPECT_NE(message_for([](json& j) { j["trainig"] = json::object(); }).find("trainig: unknown"),
            std::string::npos);
  EXPECT_NE(message_for([](json& j) { j["dsp"]["block"] = "fancy"; }).find("dsp.block"),
            std::string::npos);
  EXPECT_NE(message_for([](json& j) { j["dsp"]["params"]["bogus"] = 1; }).find("dsp.params.bogus"),
            std::string::npos);
  EXPECT_NE(
      message_for([](json& j) { j["learning"]["preset"] = "resnet"; }).find("learning.preset"),
      std::string::npos);
  EXPECT_NE(message_for([](json& j) {
              j["learning"] = {{"layers", json::array({{{"type", "lstm"}}})}};
            }).find("learning.layers[0].type"),
            std::string::npos);
  EXPECT_NE(
      message_for([](json& j) { j["split"]["test_fraction"] = 1.5; }).find("split.test_fraction"),
      std::string::npos);
  // An explicit layer list replaces the preset.
  EXPECT_EQ(message_for([](json& j) {
              j["learning"] = {{"layers", json::array({{{"type", "dense"}, {"units", 8}}})}};
            }),
            "(no error)");
}

}  // namespace
}  // namespace kiln::project
