// kiln init / import / data driven through the kiln binary (skipped when it is not built).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "project_test_util.h"

namespace kiln::project {
namespace {

namespace fs = std::filesystem;

using testing::ScratchDir;
using testing::write_test_wav;

struct Result {
  int exit_code;
  std::string out;
};

fs::path kiln_binary() {
  return fs::path(KILN_BINARY_DIR) / "src" / "kiln";
}

Result run(const std::string& args, bool merge_stderr = true) {
  const std::string cmd =
      fmt::format("{} {}{}", kiln_binary().string(), args, merge_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

TEST(ProjectCli, InitImportData) {
  if (!fs::exists(kiln_binary())) GTEST_SKIP() << "kiln binary not built: " << kiln_binary();
  ScratchDir scratch("cli");
  const fs::path proj = scratch.path() / "proj";
  Result r =
      run(fmt::format("init {} --dsp mfe --model ds-cnn --window-ms 800 --seed 3", proj.string()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = run(fmt::format("init {}", proj.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("kiln: error: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("already exists"), std::string::npos) << r.out;

  for (int i = 0; i < 6; ++i)
    write_test_wav(scratch.path() / "in" / "a_up" / fmt::format("{}.wav", i), i);
  for (int i = 0; i < 4; ++i)
    write_test_wav(scratch.path() / "in" / "b_down" / fmt::format("{}.wav", i), 50 + i);
  write_test_wav(scratch.path() / "in" / "b_down" / "dup.wav", 0);
  r = run(fmt::format("import -C {} {} --test-fraction 0.5", proj.string(),
                      (scratch.path() / "in").string()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("duplicate skipped"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("imported 10 sample(s): 5 train, 5 test"), std::string::npos) << r.out;

  r = run(fmt::format("data -C {} --json", proj.string()), /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"], 10);
  EXPECT_EQ(j["labels"]["a_up"]["train"], 3);
  EXPECT_EQ(j["labels"]["a_up"]["test"], 3);
  EXPECT_EQ(j["labels"]["b_down"]["train"], 2);
  EXPECT_EQ(j["labels"]["b_down"]["test"], 2);

  r = run(fmt::format("data -C {}", proj.string()));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("16000 Hz"), std::string::npos) << r.out;

  // kiln.json carries the init options.
  std::ifstream in(proj / "kiln.json");
  const nlohmann::json config = nlohmann::json::parse(in);
  EXPECT_EQ(config["dsp"]["block"], "mfe");
  EXPECT_EQ(config["learning"]["preset"], "ds-cnn");
  EXPECT_EQ(config["input"]["window_ms"], 800);
  EXPECT_EQ(config["split"]["seed"], 3);
}

}  // namespace
}  // namespace kiln::project

namespace kiln::project {
namespace {

namespace fs = std::filesystem;

TEST(ProjectCli, DataShowWritesPng) {
  if (!fs::exists(kiln_binary())) GTEST_SKIP() << "kiln binary not built: " << kiln_binary();
  ScratchDir scratch("show");
  const fs::path proj = scratch.path() / "proj";
  ASSERT_EQ(run(fmt::format("init {}", proj.string())).exit_code, 0);
  write_test_wav(scratch.path() / "in" / "tone" / "t.wav", 1, 8000);  // 0.5 s: enough for MFCC
  ASSERT_EQ(run(fmt::format("import -C {} {}", proj.string(), (scratch.path() / "in").string()))
                .exit_code,
            0);
  const fs::path png = scratch.path() / "s.png";
  Result r = run(fmt::format("data show 1 --png {} -C {}", png.string(), proj.string()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(fs::exists(png));
  std::ifstream in(png, std::ios::binary);
  std::string magic(8, '\0');
  in.read(magic.data(), 8);
  EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n");
  r = run(fmt::format("data show 99 --png {} -C {}", png.string(), proj.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no sample with id 99"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiln::project
