// Every golden model compiled ahead of time, built with the host compiler, and run on every
// golden input must produce TFLM's output bytes exactly; the same folder must build for a
// Cortex-M4F; compiling twice must give identical files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "compiler/compile.h"
#include "golden_data.h"
#include "tflite/reader.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

int shell(const std::string& command) {
  const int rc = std::system((command + " > /dev/null 2>&1").c_str());
  return rc;
}

bool have_arm_compiler() {
  return std::system("command -v arm-none-eabi-g++ > /dev/null 2>&1") == 0;
}

// Each golden model in both kernel choices: --opt-memory and --opt-speed (compile.h).
class CompileGoldenTest : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(CompileGoldenTest, GeneratedCodeIsBitExact) {
  const auto& [name, optimize_memory] = GetParam();
  const ir::Model model =
      tflite::read_model_file((testing::golden_root() / name / "model.tflite").string());
  compiler::CompileOptions options;
  options.name = "m";
  options.optimize_memory = optimize_memory;
  const compiler::CompiledModel compiled = compiler::compile_model(model, options);
  // The plan is checked inside compile_model; check it again here so a regression there shows.
  EXPECT_NO_THROW(
      compiler::check_plan(compiled.buffers.buffers, compiled.buffers.overlaps, compiled.plan));
  // Determinism: the same model and options give byte-identical files.
  EXPECT_EQ(compiler::compile_model(model, options).files, compiled.files);

  const fs::path dir =
      fs::temp_directory_path() /
      fmt::format("kiln_compile_{}_{}_{}", name, optimize_memory ? "mem" : "speed", ::getpid());
  fs::remove_all(dir);
  compiler::write_compiled_model(compiled, dir.string());
  // Both generated build files: the plain Makefile for --opt-memory, CMake for --opt-speed.
  fs::path run = dir / "m_run";
  if (optimize_memory) {
    ASSERT_EQ(shell(fmt::format("make -C {} -j2 m_run", dir.string())), 0)
        << "host build failed; run: make -C " << dir.string();
  } else {
    const fs::path build = dir / "cmake-build";
    ASSERT_EQ(shell(fmt::format("cmake -S {} -B {} && cmake --build {} -j2", dir.string(),
                                build.string(), build.string())),
              0)
        << "host CMake build failed; run: cmake -S " << dir.string() << " -B " << build.string();
    run = build / "m_run";
  }

  const int vectors = testing::vector_count(name);
  for (int k = 0; k < vectors; ++k) {
    std::string args;
    for (size_t i = 0; i < model.inputs.size(); ++i)
      args += " " + testing::vector_file(name, "input", k, i, model.inputs.size()).string();
    for (size_t i = 0; i < model.outputs.size(); ++i)
      args += fmt::format(" {}/out_{}_{}.bin", dir.string(), k, i);
    ASSERT_EQ(shell(fmt::format("{}{}", run.string(), args)), 0) << name << " vector " << k;
    for (size_t i = 0; i < model.outputs.size(); ++i)
      EXPECT_EQ(
          testing::read_bytes(dir / fmt::format("out_{}_{}.bin", k, i)),
          testing::read_bytes(testing::vector_file(name, "output", k, i, model.outputs.size())))
          << name << " vector " << k << " output " << i;
  }

  if (have_arm_compiler()) {
    EXPECT_EQ(shell(fmt::format(
                  "make -C {} clean && make -C {} -j2 CXX=arm-none-eabi-g++ AR=arm-none-eabi-ar "
                  "ARCH_FLAGS='-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard' libm.a",
                  dir.string(), dir.string())),
              0)
        << "Cortex-M4 build failed; run the same make in " << dir.string();
  } else {
    std::cout << "[ NOTE ] arm-none-eabi-g++ not found: Cortex-M4 build of " << name
              << " not checked\n";
  }
  if (!HasFailure()) fs::remove_all(dir);
}

std::string param_name(const ::testing::TestParamInfo<std::tuple<std::string, bool>>& info) {
  return std::get<0>(info.param) + (std::get<1>(info.param) ? "_opt_memory" : "_opt_speed");
}

INSTANTIATE_TEST_SUITE_P(Shared, CompileGoldenTest,
                         ::testing::Combine(::testing::ValuesIn(testing::golden_models()),
                                            ::testing::Bool()),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CompileGoldenTest);

TEST(CompileGoldenData, SharedFolderPresent) {
  if (testing::golden_models().empty())
    GTEST_SKIP() << "shared golden models not found at " << testing::golden_root()
                 << ": compiled code is NOT being checked against TFLM";
  SUCCEED();
}

}  // namespace
}  // namespace kiln
