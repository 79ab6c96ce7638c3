// End-to-end tests of the kiln binary: exit codes and the one-line error contract.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "golden_data.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string out;  // stdout and stderr interleaved
};

Result kiln(const std::string& args) {
  const std::string cmd = fmt::format("{}/src/kiln {} 2>&1", KILN_BINARY_DIR, args);
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("kiln_cli_test_{}", ::getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  fs::path dir_;
};

void expect_one_error_line(const Result& r, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out.rfind("kiln: error: ", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find(fragment), std::string::npos)
      << "expected '" << fragment << "' in: " << r.out;
}

TEST_F(CliTest, HelpDescribesSubcommands) {
  const Result r = kiln("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"inspect", "run", "example"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  const Result sub = kiln("run --help");
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--input"), std::string::npos);
}

TEST_F(CliTest, MissingModelFile) {
  expect_one_error_line(kiln("inspect " + path("nope.tflite")), "nope.tflite");
}

TEST_F(CliTest, CorruptModel) {
  write("bad.tflite", std::string(64, '\x5a'));
  expect_one_error_line(kiln("inspect " + path("bad.tflite")), "bad.tflite");
  expect_one_error_line(kiln(fmt::format("run {} -i {} -o {}", path("bad.tflite"),
                                         path("bad.tflite"), path("o.bin"))),
                        "bad.tflite");
}

TEST_F(CliTest, ExampleInspectRun) {
  ASSERT_EQ(kiln("example -o " + dir_.string()).exit_code, 0);
  const Result inspect = kiln("inspect " + path("example.tflite"));
  ASSERT_EQ(inspect.exit_code, 0) << inspect.out;
  EXPECT_NE(inspect.out.find("CONV_2D"), std::string::npos);
  EXPECT_NE(inspect.out.find("11532 MACs"), std::string::npos) << inspect.out;
  const Result json = kiln("inspect --json " + path("example.tflite"));
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"macs\": 11532"), std::string::npos) << json.out;

  const Result run = kiln(fmt::format("run {} --input {} --output {}", path("example.tflite"),
                                      path("example_input.bin"), path("out.bin")));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(fs::file_size(path("out.bin")), 3u);
}

TEST_F(CliTest, WrongInputSizeIsAnError) {
  ASSERT_EQ(kiln("example -o " + dir_.string()).exit_code, 0);
  write("short.bin", std::string(10, '\0'));
  expect_one_error_line(kiln(fmt::format("run {} --input {} --output {}", path("example.tflite"),
                                         path("short.bin"), path("out.bin"))),
                        "needs 256 bytes, got 10");
}

TEST_F(CliTest, WrongNumberOfInputs) {
  ASSERT_EQ(kiln("example -o " + dir_.string()).exit_code, 0);
  expect_one_error_line(
      kiln(fmt::format("run {} -i {} -i {} -o {}", path("example.tflite"),
                       path("example_input.bin"), path("example_input.bin"), path("out.bin"))),
      "1 input(s), 2 --input");
}

TEST_F(CliTest, GoldenModelRunMatchesReference) {
  const auto models = kiln::testing::golden_models();
  if (models.empty()) GTEST_SKIP() << "shared golden models not found";
  const auto dir = kiln::testing::golden_root() / "tflm_hello_world_int8";
  if (!fs::exists(dir)) GTEST_SKIP() << "hello_world golden model not present";
  const Result r =
      kiln(fmt::format("run {} --input {} --output {}", (dir / "model.tflite").string(),
                       (dir / "input_7.bin").string(), path("out.bin")));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(kiln::testing::read_bytes(path("out.bin")),
            kiln::testing::read_bytes(dir / "output_7.bin"));
}

}  // namespace

namespace {

fs::path dsp_dir() {
  return fs::path(KILN_SHARED_DIR) / "testdata" / "dsp";
}

TEST_F(CliTest, FeaturesMfeMatchesReferenceBytes) {
  if (!fs::exists(dsp_dir() / "synth1_16k.wav")) GTEST_SKIP() << "shared DSP references not found";
  const Result r =
      kiln(fmt::format("features mfe {} -o {} --png {}", (dsp_dir() / "synth1_16k.wav").string(),
                       path("mfe.f32"), path("mfe.png")));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("99 x 40"), std::string::npos) << r.out;
  EXPECT_EQ(kiln::testing::read_bytes(path("mfe.f32")),
            kiln::testing::read_bytes(dsp_dir() / "synth1_mfe_v4.f32"));
  const auto png = kiln::testing::read_bytes(path("mfe.png"));
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png[1], 'P');  // PNG signature
}

TEST_F(CliTest, FeaturesBadParameterIsOneErrorLine) {
  if (!fs::exists(dsp_dir() / "synth1_16k.wav")) GTEST_SKIP() << "shared DSP references not found";
  expect_one_error_line(kiln(fmt::format("features mfcc {} -o {} --set fft_length=100",
                                         (dsp_dir() / "synth1_16k.wav").string(), path("x.f32"))),
                        "fft_length");
  expect_one_error_line(kiln(fmt::format("features nosuchblock {} -o {}",
                                         (dsp_dir() / "synth1_16k.wav").string(), path("x.f32"))),
                        "nosuchblock");
}

TEST_F(CliTest, FeaturesTruncatedWavIsOneErrorLine) {
  if (!fs::exists(dsp_dir() / "synth1_16k.wav")) GTEST_SKIP() << "shared DSP references not found";
  const auto wav = kiln::testing::read_bytes(dsp_dir() / "synth1_16k.wav");
  write("cut.wav", std::string(wav.begin(), wav.begin() + 30));
  expect_one_error_line(kiln(fmt::format("features mfe {} -o {}", path("cut.wav"), path("x.f32"))),
                        "cut.wav");
}

}  // namespace

namespace {

TEST_F(CliTest, CompileTwiceGivesByteIdenticalFolders) {
  ASSERT_EQ(kiln("example -o " + dir_.string()).exit_code, 0);
  for (const char* sub : {"a", "b"}) {
    const Result r =
        kiln(fmt::format("compile {} -o {} --name ex", path("example.tflite"), path(sub)));
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  EXPECT_EQ(std::system(fmt::format("diff -r {} {} > /dev/null", path("a"), path("b")).c_str()), 0)
      << "two compiles of the same model differ";
  EXPECT_TRUE(fs::exists(path("a/ex_memory.json")));
  EXPECT_TRUE(fs::exists(path("a/runtime/conv2d.cpp")));
  EXPECT_FALSE(fs::exists(path("a/runtime/lstm.cpp")))
      << "only the kernels the model uses are copied";
}

TEST_F(CliTest, CompileRejectsBadNameAndTarget) {
  ASSERT_EQ(kiln("example -o " + dir_.string()).exit_code, 0);
  expect_one_error_line(
      kiln(fmt::format("compile {} -o {} --name 'not a name'", path("example.tflite"), path("c"))),
      "C identifier");
  EXPECT_EQ(kiln(fmt::format("compile {} -o {} --target riscv", path("example.tflite"), path("c")))
                .exit_code,
            1);
}

}  // namespace
