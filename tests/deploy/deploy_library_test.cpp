// kiln deploy end to end: a small trained project (generated tones) is deployed; the library is
// built with its CMakeLists.txt and with its Makefile (-Wall -Wextra -Werror) and its host example
// must reproduce PipelineClassifier's scores bit for bit, in full-window and continuous mode. Also:
// the Cortex-M4 cross build, determinism, the TFLM export and the one-line error without a
// trained pipeline.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/error.h"
#include "deploy/deploy.h"
#include "pipeline/classifier.h"
#include "pipeline/train_project.h"
#include "project/importer.h"
#include "project/project.h"
#include "project/project_test_util.h"
#include "project/sample_index.h"
#include "tone_project.h"

namespace kiln::deploy {
namespace {

namespace fs = std::filesystem;
using project::testing::ScratchDir;
using project::testing::write_wav;

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

struct CommandResult {
  int status = -1;
  std::string output;
};

// Runs a shell command, capturing stdout and stderr.
CommandResult run(const std::string& command, const fs::path& log) {
  CommandResult r;
  const std::string full = command + " > '" + log.string() + "' 2>&1";
  r.status = std::system(full.c_str());
  r.output = file_text(log);
  return r;
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " > /dev/null 2>&1").c_str()) == 0;
}

// One line of classify_file: "window I start S scores A B ... [anomaly X]".
struct PrintedWindow {
  size_t start = 0;
  std::vector<float> scores;
  std::optional<float> anomaly;
};

std::vector<PrintedWindow> parse_windows(const std::string& text, size_t labels) {
  std::vector<PrintedWindow> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string word, start_word, scores_word;
    size_t index = 0;
    PrintedWindow w;
    in >> word >> index >> start_word >> w.start >> scores_word;
    if (word != "window" || start_word != "start" || scores_word != "scores") {
      ADD_FAILURE() << "unexpected line: " << line;
      continue;
    }
    for (size_t c = 0; c < labels; ++c) {
      std::string value;
      in >> value;
      w.scores.push_back(std::strtof(value.c_str(), nullptr));
    }
    std::string anomaly_word, value;
    if (in >> anomaly_word >> value) w.anomaly = std::strtof(value.c_str(), nullptr);
    out.push_back(std::move(w));
  }
  return out;
}

// The project every test deploys: tones at 300 Hz and 1500 Hz, MFE features, a few epochs, and a
// K-means anomaly model next to the classifier.
class DeployLibrary : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<ScratchDir>("deploy_library");
    const fs::path source = dir_->path() / "source";
    testing::write_tone_dataset(source, 16, 5);
    project::ProjectConfig config;
    config.dsp.block = "mfe";
    config.input.window_ms = 500;
    config.input.stride_ms = 250;
    config.training.epochs = 4;
    config.training.seed = 3;
    config.anomaly.type = "kmeans";
    config.anomaly.clusters = 2;
    config.anomaly.normal_labels = {"high", "low"};
    root_ = dir_->path() / "project";
    project::Project p = testing::make_tone_project(root_, source, config);
    pipeline::train_project(p);
    for (const project::SampleRecord& r : project::list_samples(*p.db)) {
      if (r.split == "test") test_files_.push_back(root_ / r.path);
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // Deploys with `precision` into a fresh folder and builds it with CMake and with make.
  static fs::path deploy_and_build(pipeline::Precision precision, const std::string& name) {
    const fs::path out = dir_->path() / name;
    DeployOptions options;
    options.precision = precision;
    deploy_project(root_, out, options);
    const CommandResult cmake = run(fmt::format("cmake -S '{0}' -B '{0}/cmake-build' "
                                                "-DCMAKE_BUILD_TYPE=Release && cmake --build "
                                                "'{0}/cmake-build' -j2",
                                                out.string()),
                                    out / "cmake.log");
    EXPECT_EQ(cmake.status, 0) << cmake.output;
    const CommandResult make = run(fmt::format("make -C '{}' -j2", out.string()), out / "make.log");
    EXPECT_EQ(make.status, 0) << make.output;
    return out;
  }

  static std::unique_ptr<ScratchDir> dir_;
  static fs::path root_;
  static std::vector<fs::path> test_files_;
};

std::unique_ptr<ScratchDir> DeployLibrary::dir_;
fs::path DeployLibrary::root_;
std::vector<fs::path> DeployLibrary::test_files_;

void expect_host_scores(const fs::path& out, pipeline::Precision precision,
                        const fs::path& project_root, const std::vector<fs::path>& files,
                        bool with_cmake = true) {
  pipeline::PipelineClassifier host(project_root / pipeline::kOutputDir, precision);
  const size_t labels = host.pipeline().labels.size();
  ASSERT_FALSE(files.empty());
  std::vector<fs::path> programs = {out / "build" / "host" / "classify_file"};
  if (with_cmake) programs.push_back(out / "cmake-build" / "classify_file");
  for (const fs::path& program : programs) {
    for (const fs::path& file : files) {
      const CommandResult r =
          run(fmt::format("'{}' '{}'", program.string(), file.string()), out / "run.log");
      ASSERT_EQ(r.status, 0) << r.output;
      const std::vector<PrintedWindow> device = parse_windows(r.output, labels);
      const std::vector<pipeline::WindowResult> expected = host.classify_file(file);
      ASSERT_EQ(device.size(), expected.size()) << file;
      for (size_t w = 0; w < expected.size(); ++w) {
        EXPECT_EQ(device[w].start, w * static_cast<size_t>(host.pipeline().stride_frames));
        // Exact float equality: %.9g round-trips every float.
        EXPECT_EQ(device[w].scores, expected[w].scores)
            << program << " " << file << " window " << w;
        ASSERT_EQ(device[w].anomaly.has_value(), expected[w].anomaly.has_value());
        if (expected[w].anomaly) {
          EXPECT_EQ(*device[w].anomaly, *expected[w].anomaly) << file << " window " << w;
        }
      }
    }
  }
}

// Continuous mode fed slice by slice equals full-window calls at the same positions.
void expect_continuous_equals_windows(const fs::path& out, const fs::path& file) {
  const std::string header = file_text(out / "kiln_classifier.h");
  auto define = [&header](const std::string& name) {
    const size_t at = header.find("#define " + name + " ");
    EXPECT_NE(at, std::string::npos) << name;
    return std::stol(header.substr(at + 9 + name.size()));
  };
  const long window = define("KILN_WINDOW_FRAMES");
  const long slice = define("KILN_SLICE_FRAMES");
  ASSERT_GT(slice, 0);
  const long offset = (slice - window % slice) % slice;
  const fs::path program = out / "build" / "host" / "classify_file";
  const CommandResult continuous =
      run(fmt::format("'{}' '{}' --continuous", program.string(), file.string()), out / "c.log");
  ASSERT_EQ(continuous.status, 0) << continuous.output;
  const CommandResult full = run(fmt::format("'{}' '{}' --stride {} --offset {}", program.string(),
                                             file.string(), slice, offset),
                                 out / "f.log");
  ASSERT_EQ(full.status, 0) << full.output;
  EXPECT_GE(std::count(continuous.output.begin(), continuous.output.end(), '\n'), 2)
      << "the test file should give several continuous windows";
  EXPECT_EQ(continuous.output, full.output);
}

// A 2.15 s recording, low tone then high tone, for continuous mode.
void write_long_recording(const fs::path& path) {
  std::mt19937 rng(9);
  std::vector<int16_t> s(8000 * 2 + 1234);
  for (size_t i = 0; i < s.size(); ++i) {
    const double hz = i < s.size() / 2 ? 300.0 : 1500.0;
    s[i] = static_cast<int16_t>(6000.0 * std::sin(6.2831853 * hz * i / 8000.0) +
                                (static_cast<double>(rng() % 2001) - 1000.0));
  }
  write_wav(path, 8000, s);
}

TEST_F(DeployLibrary, Int8LibraryBuildsAndMatchesHostBitForBit) {
  const fs::path out = deploy_and_build(pipeline::Precision::kInt8, "int8");
  expect_host_scores(out, pipeline::Precision::kInt8, root_, test_files_);
  const fs::path long_file = dir_->path() / "long.wav";
  write_long_recording(long_file);
  expect_continuous_equals_windows(out, long_file);
  expect_host_scores(out, pipeline::Precision::kInt8, root_, {long_file});

  // One arena: the shared plan is no larger than the sum of the phases and no smaller than either.
  const nlohmann::json memory = nlohmann::json::parse(file_text(out / "kiln_memory.json"));
  const int64_t dsp = memory["dsp_phase_bytes"], nn = memory["nn_phase_bytes"];
  const int64_t shared = memory["shared_arena_bytes"];
  EXPECT_GE(shared, std::max(dsp, nn));
  EXPECT_LE(shared, dsp + nn + 16);
}

TEST_F(DeployLibrary, Float32LibraryMatchesHostBitForBit) {
  const fs::path out = deploy_and_build(pipeline::Precision::kFloat32, "float32");
  expect_host_scores(out, pipeline::Precision::kFloat32, root_, test_files_);
}

TEST_F(DeployLibrary, CrossCompilesForCortexM4) {
  if (!have_program("arm-none-eabi-g++")) {
    GTEST_SKIP() << "arm-none-eabi-g++ is not installed (Debian: gcc-arm-none-eabi)";
  }
  const fs::path out = dir_->path() / "m4";
  DeployOptions options;
  options.target = "cortex-m4";
  deploy_project(root_, out, options);
  const CommandResult make = run(fmt::format("make -C '{}' -j2", out.string()), out / "make.log");
  ASSERT_EQ(make.status, 0) << make.output;
  EXPECT_TRUE(fs::exists(out / "build" / "cortex-m4" / "libkiln_classifier.a"));
  EXPECT_TRUE(fs::exists(out / "build" / "cortex-m4" / "example" / "cortex_m4_main.o"));
  // The objects are ARM code.
  const CommandResult arch =
      run(fmt::format("arm-none-eabi-readelf -h '{}'",
                      (out / "build" / "cortex-m4" / "kiln_classifier.o").string()),
          out / "readelf.log");
  EXPECT_NE(arch.output.find("ARM"), std::string::npos) << arch.output;
}

TEST_F(DeployLibrary, DeployingTwiceGivesIdenticalFiles) {
  DeployOptions options;
  const fs::path out = root_ / pipeline::kOutputDir;
  const Deployment a = generate_deployment(out, test_files_.front(), options);
  const Deployment b = generate_deployment(out, test_files_.front(), options);
  EXPECT_EQ(a.files, b.files);
  // And on disk, into the default folder, twice.
  deploy_project(root_, {}, options);
  std::map<std::string, std::string> first;
  for (const auto& e : fs::recursive_directory_iterator(out / "deploy")) {
    if (e.is_regular_file()) first[e.path().string()] = file_text(e.path());
  }
  deploy_project(root_, {}, options);
  std::map<std::string, std::string> second;
  for (const auto& e : fs::recursive_directory_iterator(out / "deploy")) {
    if (e.is_regular_file()) second[e.path().string()] = file_text(e.path());
  }
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.size(), a.files.size());
}

TEST_F(DeployLibrary, TflmEngineExportsTheModelAndItsOperators) {
  DeployOptions options;
  options.engine = "tflm";
  const Deployment d = generate_deployment(root_ / pipeline::kOutputDir, {}, options);
  EXPECT_EQ(d.files.count("kiln_model.cpp"), 0u);
  ASSERT_EQ(d.files.count("kiln_model_data.cpp"), 1u);
  ASSERT_EQ(d.files.count("kiln_tflm_resolver.h"), 1u);
  // The array holds the .tflite file's bytes: its size and the "TFL3" identifier at offset 4.
  const std::string tflite = file_text(root_ / pipeline::kOutputDir / pipeline::kInt8ModelFile);
  const std::string& data = d.files.at("kiln_model_data.cpp");
  EXPECT_NE(data.find("alignas(16)"), std::string::npos);
  EXPECT_NE(data.find(fmt::format("kiln_model_data_size = {};", tflite.size())), std::string::npos);
  EXPECT_EQ(tflite.substr(4, 4), "TFL3");
  // An int8 classifier quantizes its float input, ends in a softmax and dequantizes the scores.
  const std::string& resolver = d.files.at("kiln_tflm_resolver.h");
  for (const char* op :
       {"AddQuantize()", "AddSoftmax()", "AddDequantize()", "AddFullyConnected()"}) {
    EXPECT_NE(resolver.find(op), std::string::npos) << op << "\n" << resolver;
  }
  EXPECT_NE(d.files.at("README.md").find("kiln_tflm_invoke"), std::string::npos);
  EXPECT_NE(d.files.at("kiln_classifier.h").find("int kiln_tflm_invoke("), std::string::npos);
}

// The other code paths of the generated library: MFCC (a frame stream with a configurable
// pre-emphasis and CMVN over the window) and spectral analysis (a batch block over a raw window).
class DeployOtherBlocks : public ::testing::TestWithParam<std::string> {};

TEST_P(DeployOtherBlocks, MatchesHostAndContinuousMatchesFullWindows) {
  const std::string block = GetParam();
  ScratchDir dir("deploy_" + block);
  const fs::path source = dir.path() / "source";
  std::mt19937 rng(13);
  for (int i = 0; i < 8; ++i) {
    testing::write_tone(source / "low" / fmt::format("low_{}.wav", i), 300.0, rng);
    testing::write_tone(source / "high" / fmt::format("high_{}.wav", i), 1500.0, rng);
  }
  project::ProjectConfig config;
  config.dsp.block = block;
  config.input.window_ms = 500;
  config.input.stride_ms = 250;
  config.training.epochs = 2;
  const fs::path root = dir.path() / "project";
  project::init_project(root, config);
  project::Project p = project::open_project(root);
  project::ImportOptions options;
  options.inputs = {source};
  options.test_fraction = 0.25;
  project::import_samples(p, options);
  pipeline::train_project(p);
  std::vector<fs::path> files;
  for (const project::SampleRecord& r : project::list_samples(*p.db)) {
    if (r.split == "test") files.push_back(root / r.path);
  }
  const fs::path out = dir.path() / "deploy";
  deploy_project(root, out, DeployOptions{});
  const CommandResult make = run(fmt::format("make -C '{}' -j2", out.string()), out / "make.log");
  ASSERT_EQ(make.status, 0) << make.output;
  const fs::path long_file = dir.path() / "long.wav";
  write_long_recording(long_file);
  files.push_back(long_file);
  expect_host_scores(out, pipeline::Precision::kInt8, root, files, false);
  expect_continuous_equals_windows(out, long_file);
}

INSTANTIATE_TEST_SUITE_P(Blocks, DeployOtherBlocks, ::testing::Values("mfcc", "spectral"));

TEST(DeployErrors, UntrainedProjectIsAOneLineError) {
  ScratchDir dir("deploy_untrained");
  project::init_project(dir.path() / "p", project::ProjectConfig{});
  try {
    deploy_project(dir.path() / "p", {}, DeployOptions{});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("pipeline.json"), std::string::npos) << message;
    EXPECT_NE(message.find("kiln train"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace kiln::deploy
