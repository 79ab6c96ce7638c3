// `kiln profile` on a trained project: a small project (tones at two pitches, MFCC, a K-means
// anomaly model, a few epochs) is profiled through the kiln binary. On QEMU both precisions must
// reproduce the host's scores bit for bit with the DSP and the network phase counted apart;
// without the tools the network falls back to the analytic estimate and the DSP is reported as
// unknown.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "kiln_command.h"
#include "pipeline/train_project.h"
#include "profile_test_util.h"
#include "project/importer.h"
#include "project/project.h"
#include "project/project_test_util.h"
#include "tone_project.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

using kiln::testing::CommandOutput;
using kiln::testing::run_kiln;

class ProfileProject : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::ScratchDir>("project");
    const fs::path source = dir_->path() / "source";
    kiln::testing::write_tone_dataset(source, 12, 11);
    project::ProjectConfig config;
    config.dsp.block = "mfcc";
    config.input.window_ms = 500;
    config.input.stride_ms = 250;
    config.training.epochs = 3;
    config.training.seed = 7;
    config.anomaly.type = "kmeans";
    config.anomaly.clusters = 2;
    config.anomaly.normal_labels = {"high", "low"};
    root_ = dir_->path() / "project";
    project::Project p = kiln::testing::make_tone_project(root_, source, config);
    pipeline::train_project(p);
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::unique_ptr<testing::ScratchDir> dir_;
  static fs::path root_;
};

std::unique_ptr<testing::ScratchDir> ProfileProject::dir_;
fs::path ProfileProject::root_;

TEST_F(ProfileProject, BothPrecisionsMatchTheHostWithDspAndNetworkCountedApart) {
  if (!testing::can_emulate())
    GTEST_SKIP() << "arm-none-eabi-g++ or qemu-system-arm missing (run tools/install_deps.sh)";
  const CommandOutput out =
      run_kiln("", fmt::format("profile -C {} --json", root_.string()), /*with_stderr=*/false);
  ASSERT_EQ(out.status, 0) << out.text;
  const nlohmann::json json = nlohmann::json::parse(out.text);
  for (const char* precision : {"int8", "float32"}) {
    SCOPED_TRACE(precision);
    ASSERT_TRUE(json.contains(precision)) << out.text;
    const nlohmann::json& r = json[precision];
    EXPECT_EQ(r["method"], "qemu-plugin");
    EXPECT_EQ(r["matches_host"], true);
    const uint64_t dsp = r["dsp_instructions"].get<uint64_t>();
    const uint64_t nn = r["nn_instructions"].get<uint64_t>();
    EXPECT_GT(dsp, 0u);
    EXPECT_GT(nn, 0u);
    // Every instruction costs at least one cycle in the model.
    EXPECT_GE(r["dsp_cycles_est"].get<uint64_t>(), dsp);
    EXPECT_GE(r["nn_cycles_est"].get<uint64_t>(), nn);
    EXPECT_EQ(r["cycles_est"].get<uint64_t>(),
              r["dsp_cycles_est"].get<uint64_t>() + r["nn_cycles_est"].get<uint64_t>());
    EXPECT_NEAR(r["ms_est"].get<double>(), r["cycles_est"].get<double>() / 64000.0, 1e-3);
    // 500 ms windows at 8 kHz: 4000 frames; per second of signal the DSP count doubles.
    EXPECT_EQ(r["window_frames"], 4000);
    EXPECT_DOUBLE_EQ(r["window_ms"].get<double>(), 500.0);
    EXPECT_EQ(r["dsp_instructions_per_1s_window"].get<uint64_t>(), 2 * dsp);
    EXPECT_EQ(r["dsp_block"], "mfcc");
    // The counted regions are the library's two phase functions.
    EXPECT_EQ(r["dsp_counted"], "kiln_compute_features");
    EXPECT_EQ(r["counted"], "kiln_run_network");
    // The arena lives in static RAM; flash holds at least the weights.
    EXPECT_GE(r["static_ram_bytes"].get<int64_t>(), r["arena_bytes"].get<int64_t>());
    EXPECT_GT(r["arena_bytes"].get<int64_t>(), 0);
    EXPECT_GT(r["flash_bytes"].get<int64_t>(), r["weight_bytes"].get<int64_t>());
    EXPECT_GT(r["stack_bytes"].get<int64_t>(), 0);
    EXPECT_EQ(r["budget"]["fits_ram"], true);
    EXPECT_EQ(r["budget"]["fits_flash"], true);
    EXPECT_FALSE(r["calls"].empty());  // the network's kernel calls
  }
  // int8 weights take a quarter of the float32 weights' bytes (plus per-channel parameters).
  EXPECT_LT(json["int8"]["weight_bytes"].get<int64_t>(),
            json["float32"]["weight_bytes"].get<int64_t>() / 2);
}

TEST_F(ProfileProject, WithoutToolsTheNetworkIsEstimatedAndTheDspIsUnknown) {
  const std::string no_tools = "KILN_QEMU=kiln-no-such-qemu KILN_ARM_PREFIX=kiln-no-such-";
  const CommandOutput json_out = run_kiln(
      no_tools, fmt::format("profile -C {} --json --precision int8", root_.string()), false);
  ASSERT_EQ(json_out.status, 0) << json_out.text;
  const nlohmann::json json = nlohmann::json::parse(json_out.text);
  EXPECT_FALSE(json.contains("float32"));
  const nlohmann::json& r = json["int8"];
  EXPECT_EQ(r["method"], "analytic");
  EXPECT_TRUE(r["dsp_instructions"].is_null());
  EXPECT_TRUE(r["matches_host"].is_null());
  EXPECT_GT(r["nn_instructions"].get<uint64_t>(), 0u);
  EXPECT_EQ(r["nn_instructions"], r["analytic_instructions"]);
  EXPECT_EQ(r["cycles_est"], r["analytic_cycles"]);
  EXPECT_EQ(r["static_ram_bytes"], r["arena_bytes"]);

  const CommandOutput text = run_kiln(no_tools, fmt::format("profile -C {}", root_.string()));
  ASSERT_EQ(text.status, 0) << text.text;
  EXPECT_NE(text.text.find("ANALYTIC ESTIMATE"), std::string::npos) << text.text;
  EXPECT_NE(text.text.find("unknown"), std::string::npos) << text.text;
  EXPECT_NE(text.text.find("tools/install_deps.sh"), std::string::npos) << text.text;
  EXPECT_NE(text.text.find("(float32)"), std::string::npos) << text.text;
}

TEST(ProfileProjectErrors, NotAProjectOrNotTrainedIsAOneLineError) {
  const CommandOutput missing = run_kiln("", "profile -C /nonexistent/kiln_project");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.text.find("not a Kiln project"), std::string::npos) << missing.text;

  testing::ScratchDir dir("untrained");
  project::init_project(dir.path() / "p", project::ProjectConfig{});
  const CommandOutput untrained =
      run_kiln("", fmt::format("profile -C {}", (dir.path() / "p").string()));
  EXPECT_EQ(untrained.status, 1);
  EXPECT_NE(untrained.text.find("kiln train"), std::string::npos) << untrained.text;
}

}  // namespace
}  // namespace kiln
