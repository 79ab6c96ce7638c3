// kiln profile on real models: the emulated Cortex-M4 computes exactly what the host executor
// computes, the counts and sizes are sane, and missing tools give the analytic fallback with a
// message saying how to install them.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "golden_data.h"
#include "profile/profile.h"
#include "profile/report.h"
#include "profile_test_util.h"
#include "tflite/reader.h"

namespace kiln {
namespace {

std::vector<std::vector<uint8_t>> golden_inputs(const std::string& name, const ir::Model& model,
                                                int k) {
  std::vector<std::vector<uint8_t>> inputs;
  for (size_t i = 0; i < model.inputs.size(); ++i)
    inputs.push_back(
        testing::read_bytes(testing::vector_file(name, "input", k, i, model.inputs.size())));
  return inputs;
}

class ProfileGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ProfileGoldenTest, EmulatedOutputsMatchTheHost) {
  if (!testing::can_emulate())
    GTEST_SKIP() << "arm-none-eabi-gcc, make, qemu-system-arm or g++ missing";
  const std::string name = GetParam();
  const ir::Model model =
      tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
  profile::ProfileOptions options;
  options.inputs = golden_inputs(name, model, 0);
  options.input_source = "golden input_0";
  profile::ProfileReport report;
  try {
    report = profile::profile_model(model, options);
  } catch (const Error& e) {
    const std::string what = e.what();
    // Models whose operators the ahead-of-time compiler cannot emit yet are the compiler's
    // business (its golden test fails for them); everything else is a profiling failure.
    if (what.find("operator") != std::string::npos && what.find("firmware") == std::string::npos &&
        what.find("QEMU") == std::string::npos)
      GTEST_SKIP() << name << " does not compile yet: " << what;
    FAIL() << what;
  }
  ASSERT_TRUE(report.matches_host.has_value());
  EXPECT_TRUE(*report.matches_host) << name;
  EXPECT_EQ(report.method, "qemu-plugin");
  EXPECT_EQ(report.precision, "int8");
  EXPECT_EQ(report.dsp_instructions, 0u);
  // The Cortex-M4 does at most two MACs per instruction (SMLAD), so every pair of MACs needs at
  // least one instruction.
  EXPECT_GE(report.nn_instructions, static_cast<uint64_t>(report.macs) / 2);
  // Cycles: at least one per instruction, at most the slowest class (14) per instruction.
  EXPECT_GE(report.cycles_est, report.nn_instructions);
  EXPECT_LE(report.cycles_est, 14 * report.nn_instructions);
  EXPECT_NEAR(report.ms_est, static_cast<double>(report.cycles_est) / 64000.0, 1e-9);
  uint64_t classified = 0;
  for (const auto& [cls, n] : report.instruction_classes) classified += n;
  EXPECT_EQ(classified, report.nn_instructions);
  // The image holds at least the weights; RAM at least the arena; the stack was used.
  EXPECT_GE(report.flash_bytes, report.weight_bytes);
  EXPECT_GE(report.static_ram_bytes, report.arena_bytes);
  EXPECT_GT(report.stack_bytes, 0);
  EXPECT_LT(report.stack_bytes, report.stack_reserve_bytes);
  // One sampled call per kernel invocation, and together they cover almost the whole region.
  uint64_t in_calls = 0;
  for (const profile::CallCost& c : report.calls) in_calls += c.instructions;
  EXPECT_LE(in_calls, report.nn_instructions);
  EXPECT_GE(in_calls + 64 * model.operators.size() + 64, report.nn_instructions);

  // The analytic fallback stays calibrated to the kernels (issue 6: within 25% on every golden
  // model); refit analytic.cpp when this fails after a kernel change.
  const double analytic_error = (static_cast<double>(report.analytic.instructions) -
                                 static_cast<double>(report.nn_instructions)) /
                                static_cast<double>(report.nn_instructions);
  EXPECT_LT(std::abs(analytic_error), 0.25) << name << ": analytic " << report.analytic.instructions
                                            << " vs emulated " << report.nn_instructions;

  const nlohmann::json json = profile::report_json(report);
  ASSERT_TRUE(json.contains("int8"));
  for (const char* key : {"dsp_instructions", "nn_instructions", "cycles_est", "ms_est",
                          "flash_bytes", "static_ram_bytes", "stack_bytes", "matches_host"})
    EXPECT_TRUE(json["int8"].contains(key)) << key;
  EXPECT_EQ(json["int8"]["matches_host"], true);
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Shared, ProfileGoldenTest, ::testing::ValuesIn(testing::golden_models()),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ProfileGoldenTest);

// Different inputs give different outputs, and both match: the input really is embedded and the
// comparison is not vacuous.
TEST(ProfileModel, HelloWorldMatchesOnTwoGoldenVectors) {
  if (!testing::can_emulate()) GTEST_SKIP() << "tools missing";
  const std::string name = "tflm_hello_world_int8";
  if (!std::filesystem::exists(testing::golden_root() / name))
    GTEST_SKIP() << "golden data missing";
  const ir::Model model =
      tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
  ASSERT_NE(testing::read_bytes(testing::vector_file(name, "output", 0, 0, 1)),
            testing::read_bytes(testing::vector_file(name, "output", 7, 0, 1)));
  for (int k : {0, 7}) {
    profile::ProfileOptions options;
    options.inputs = golden_inputs(name, model, k);
    const profile::ProfileReport report = profile::profile_model(model, options);
    ASSERT_TRUE(report.matches_host.has_value());
    EXPECT_TRUE(*report.matches_host) << "vector " << k;
  }
}

TEST(ProfileModel, MissingToolsFallBackToTheAnalyticEstimate) {
  const std::string name = "tflm_hello_world_int8";
  if (!std::filesystem::exists(testing::golden_root() / name))
    GTEST_SKIP() << "golden data missing";
  const ir::Model model =
      tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
  profile::ProfileOptions options;
  options.tool_names.arm_prefix = "kiln-no-such-toolchain-";
  options.tool_names.qemu = "kiln-no-such-qemu";
  const profile::ProfileReport report = profile::profile_model(model, options);
  EXPECT_EQ(report.method, "analytic");
  EXPECT_FALSE(report.matches_host.has_value());
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes[0].find("kiln-no-such-toolchain-gcc"), std::string::npos)
      << report.notes[0];
  EXPECT_NE(report.notes[0].find("kiln-no-such-qemu"), std::string::npos) << report.notes[0];
  EXPECT_NE(report.notes[0].find("tools/install_deps.sh"), std::string::npos) << report.notes[0];
  EXPECT_EQ(report.nn_instructions, report.analytic.instructions);
  EXPECT_GT(report.nn_instructions, 0u);
  EXPECT_EQ(report.static_ram_bytes, report.arena_bytes);
  EXPECT_TRUE(profile::report_json(report)["int8"]["matches_host"].is_null());
  EXPECT_NE(profile::report_text(report, name).find("ANALYTIC ESTIMATE"), std::string::npos);
}

TEST(ProfileModel, FirmwareBuildWithoutCompilerSaysWhatIsMissing) {
  profile::Toolchain none;
  try {
    profile::build_firmware(none, profile::base_firmware(),
                            std::filesystem::temp_directory_path() / "kiln_unused", {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("arm-none-eabi-gcc"), std::string::npos) << e.what();
  }
}

TEST(ProfileModel, WrongInputSizeIsRejected) {
  const std::string name = "tflm_hello_world_int8";
  if (!std::filesystem::exists(testing::golden_root() / name))
    GTEST_SKIP() << "golden data missing";
  const ir::Model model =
      tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
  profile::ProfileOptions options;
  options.inputs = {std::vector<uint8_t>(3, 0)};
  EXPECT_THROW(profile::profile_model(model, options), Error);
}

}  // namespace
}  // namespace kiln
