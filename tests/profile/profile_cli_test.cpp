// The `kiln profile` command itself: JSON on stdout, the analytic fallback with an install hint
// when the tools are missing, and clear errors on bad use.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "golden_data.h"
#include "kiln_command.h"
#include "profile_test_util.h"

namespace kiln {
namespace {

using kiln::testing::CommandOutput;
using kiln::testing::run_kiln;

std::string hello_world_model() {
  return (testing::golden_root() / "tflm_hello_world_int8" / "model.tflite").string();
}

TEST(ProfileCli, JsonReportOfAGoldenModel) {
  if (!testing::can_emulate()) GTEST_SKIP() << "tools missing";
  if (!std::filesystem::exists(hello_world_model())) GTEST_SKIP() << "golden data missing";
  const CommandOutput out =
      run_kiln("", fmt::format("profile --json --model {}", hello_world_model()));
  ASSERT_EQ(out.status, 0) << out.text;
  const nlohmann::json json = nlohmann::json::parse(out.text);
  ASSERT_TRUE(json.contains("int8")) << out.text;
  const nlohmann::json& r = json["int8"];
  EXPECT_EQ(r["dsp_instructions"], 0);
  EXPECT_GT(r["nn_instructions"].get<uint64_t>(), 0u);
  EXPECT_GE(r["cycles_est"].get<uint64_t>(), r["nn_instructions"].get<uint64_t>());
  EXPECT_NEAR(r["ms_est"].get<double>(), r["cycles_est"].get<double>() / 64000.0, 1e-3);
  EXPECT_GT(r["flash_bytes"].get<int64_t>(), 0);
  EXPECT_GT(r["static_ram_bytes"].get<int64_t>(), 0);
  EXPECT_GT(r["stack_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(r["matches_host"], true);
  EXPECT_EQ(r["method"], "qemu-plugin");
  // The golden input_0.bin beside the model is used by default.
  EXPECT_NE(r["input"].get<std::string>().find("input_0.bin"), std::string::npos);
}

TEST(ProfileCli, MissingToolsPrintInstallHintAndAnalyticEstimate) {
  if (!std::filesystem::exists(hello_world_model())) GTEST_SKIP() << "golden data missing";
  const CommandOutput out = run_kiln("KILN_QEMU=kiln-no-such-qemu KILN_ARM_PREFIX=kiln-no-such-",
                                     fmt::format("profile --model {}", hello_world_model()));
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("ANALYTIC ESTIMATE"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("kiln-no-such-qemu"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("tools/install_deps.sh"), std::string::npos) << out.text;
}

TEST(ProfileCli, BadUseIsAOneLineError) {
  const CommandOutput no_model = run_kiln("", "profile");
  EXPECT_EQ(no_model.status, 1);
  EXPECT_NE(no_model.text.find("--model"), std::string::npos) << no_model.text;
  const CommandOutput missing_file = run_kiln("", "profile --model /nonexistent/model.tflite");
  EXPECT_EQ(missing_file.status, 1);
  EXPECT_NE(missing_file.text.find("kiln: error:"), std::string::npos) << missing_file.text;
  if (std::filesystem::exists(hello_world_model())) {
    const CommandOutput bad_clock =
        run_kiln("", fmt::format("profile --clock-mhz 0 --model {}", hello_world_model()));
    EXPECT_EQ(bad_clock.status, 1) << bad_clock.text;
  }
}

}  // namespace
}  // namespace kiln
