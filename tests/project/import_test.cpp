// kiln import: labels from folders, duplicates, stratified and group-aware splits, split files,
// corrupt files, and consistency after an interrupted import.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "data/file_bytes.h"
#include "project/data_summary.h"
#include "project/importer.h"
#include "project/sample_index.h"
#include "project/sha256.h"
#include "project_test_util.h"

namespace kiln::project {
namespace {

namespace fs = std::filesystem;

using testing::ScratchDir;
using testing::write_test_wav;

struct Fixture {
  explicit Fixture(const std::string& name) : scratch(name) {
    init_project(root(), ProjectConfig{});
  }
  fs::path root() const { return scratch.path() / "proj"; }
  fs::path source() const { return scratch.path() / "src"; }
  ScratchDir scratch;
};

// Every row names an existing file whose bytes hash to the row's content hash.
void expect_index_matches_files(Project& project) {
  for (const SampleRecord& r : list_samples(*project.db)) {
    const fs::path file = project.root / r.path;
    ASSERT_TRUE(fs::exists(file)) << r.path;
    EXPECT_EQ(sha256_hex(data::read_file_bytes(file)), r.content_hash) << r.path;
  }
}

std::set<std::string> data_files(const Project& project) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(project.data_dir())) {
    names.insert(fs::path("data") / entry.path().filename());
  }
  return names;
}

TEST(Import, LabelsFromFoldersDuplicatesAndStratifiedSplit) {
  Fixture f("labels");
  for (int i = 0; i < 10; ++i) write_test_wav(f.source() / "yes" / fmt::format("y{}.wav", i), i);
  for (int i = 0; i < 5; ++i)
    write_test_wav(f.source() / "no" / fmt::format("n{}.wav", i), 100 + i);
  // Same bytes as yes/y3.wav under another name and label (scanned after it, folders are walked
  // in name order): skipped as a duplicate.
  write_test_wav(f.source() / "zz_dups" / "copy_of_y3.wav", 3);

  Project project = open_project(f.root());
  ImportOptions options;
  options.inputs = {f.source()};
  options.test_fraction = 0.2;
  const ImportReport report = import_samples(project, options);
  EXPECT_EQ(report.imported, 15u);
  ASSERT_EQ(report.duplicates.size(), 1u);
  EXPECT_EQ(report.duplicates[0].rfind((f.source() / "zz_dups" / "copy_of_y3.wav").string(), 0), 0u)
      << report.duplicates[0];
  EXPECT_NE(report.duplicates[0].find("yes/y3.wav"), std::string::npos) << report.duplicates[0];

  const std::vector<SampleRecord> samples = list_samples(*project.db);
  ASSERT_EQ(samples.size(), 15u);
  std::map<std::string, std::map<std::string, int>> counts;
  for (const SampleRecord& r : samples) {
    ++counts[r.label][r.split];
    EXPECT_EQ(r.sensor, "audio");
    EXPECT_EQ(r.sample_rate_hz, 16000);
    EXPECT_EQ(r.axes, 1);
    EXPECT_EQ(r.length, 160);
    EXPECT_EQ(r.path, "data/" + r.content_hash + ".wav");
    // The file name in the source folder tells the label it must have come with.
    EXPECT_EQ(fs::path(r.source).parent_path().filename().string(), r.label);
  }
  // round(0.2 * 10) = 2 and round(0.2 * 5) = 1 test samples per label.
  EXPECT_EQ(counts["yes"]["test"], 2);
  EXPECT_EQ(counts["yes"]["train"], 8);
  EXPECT_EQ(counts["no"]["test"], 1);
  EXPECT_EQ(counts["no"]["train"], 4);
  expect_index_matches_files(project);

  // Importing again adds nothing: every file is already there.
  const ImportReport again = import_samples(project, options);
  EXPECT_EQ(again.imported, 0u);
  EXPECT_EQ(again.duplicates.size(), 16u);

  // kiln data's numbers: 15 samples of 160 frames at 16 kHz = 0.01 s each.
  const nlohmann::json summary = summary_to_json(summarize(list_samples(*project.db)));
  EXPECT_EQ(summary["samples"], 15);
  EXPECT_EQ(summary["labels"]["yes"]["train"], 8);
  EXPECT_EQ(summary["labels"]["no"]["test"], 1);
  EXPECT_EQ(summary["splits"]["test"], 3);
  EXPECT_NEAR(summary["duration_s"]["total"].get<double>(), 15 * 0.01, 1e-9);
  EXPECT_EQ(summary["sample_rates_hz"]["16000"], 15);
}

TEST(Import, SplitIsDeterministicForASeed) {
  std::vector<std::string> first;
  for (int run = 0; run < 2; ++run) {
    Fixture f(fmt::format("seed{}", run));
    for (int i = 0; i < 12; ++i) write_test_wav(f.source() / "a" / fmt::format("{}.wav", i), i);
    Project project = open_project(f.root());
    ImportOptions options;
    options.inputs = {f.source()};
    import_samples(project, options);
    std::vector<std::string> splits;
    for (const SampleRecord& r : list_samples(*project.db)) {
      splits.push_back(fs::path(r.source).filename().string() + ":" + r.split);
    }
    std::sort(splits.begin(), splits.end());
    if (run == 0)
      first = splits;
    else
      EXPECT_EQ(splits, first);
  }
}

TEST(Import, GroupByKeepsEachGroupOnOneSide) {
  Fixture f("groups");
  const std::vector<std::string> speakers = {"ann", "bob", "cy", "dee", "eve", "fay", "gus"};
  int seed = 0;
  for (const std::string& speaker : speakers) {
    for (int digit = 0; digit < 2; ++digit) {
      for (int take = 0; take < 3; ++take) {
        write_test_wav(
            f.source() / std::to_string(digit) / fmt::format("{}_{}_{}.wav", digit, speaker, take),
            seed++);
      }
    }
  }
  Project project = open_project(f.root());
  ImportOptions options;
  options.inputs = {f.source()};
  options.test_fraction = 0.3;
  options.group_by = R"(^\d+_([a-z]+)_)";
  const ImportReport report = import_samples(project, options);
  EXPECT_EQ(report.imported, 42u);

  std::map<std::string, std::set<std::string>> sides;
  std::map<std::string, int> test_per_label;
  for (const SampleRecord& r : list_samples(*project.db)) {
    // The group is the speaker name taken from the file name.
    const std::string name = fs::path(r.source).filename().string();
    EXPECT_EQ(name.substr(2, r.group.size()), r.group);
    EXPECT_NE(std::find(speakers.begin(), speakers.end(), r.group), speakers.end()) << r.group;
    sides[r.group].insert(r.split);
    if (r.split == "test") ++test_per_label[r.label];
  }
  int test_groups = 0;
  for (const auto& [group, splits] : sides) {
    EXPECT_EQ(splits.size(), 1u) << group << " is on both sides";
    test_groups += splits.count("test") ? 1 : 0;
  }
  // 30% of 7 speakers is 2.1: two whole speakers (6 samples per label) go to test.
  EXPECT_EQ(test_groups, 2);
  EXPECT_EQ(test_per_label["0"], 6);
  EXPECT_EQ(test_per_label["1"], 6);

  // New takes of a speaker already in the project follow that speaker's split.
  write_test_wav(f.source() / "late" / "0_ann_9.wav", 999);
  ImportOptions more = options;
  more.inputs = {f.source() / "late"};
  more.label = "0";
  import_samples(project, more);
  for (const SampleRecord& r : list_samples(*project.db)) {
    if (r.group == "ann") {
      EXPECT_EQ(r.split, *sides["ann"].begin());
    }
  }
}

TEST(Import, CorruptFileIsNamedOrSkipped) {
  Fixture f("corrupt");
  write_test_wav(f.source() / "a" / "good.wav", 1);
  fs::create_directories(f.source() / "a");
  std::ofstream(f.source() / "a" / "broken.wav", std::ios::binary) << "RIFF\x04\0\0\0WAVE";
  Project project = open_project(f.root());
  ImportOptions options;
  options.inputs = {f.source()};
  try {
    import_samples(project, options);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.wav"), std::string::npos) << e.what();
  }
  // Nothing was written: the scan failed before the write pass.
  EXPECT_TRUE(list_samples(*project.db).empty());
  EXPECT_TRUE(data_files(project).empty());

  options.skip_bad = true;
  const ImportReport report = import_samples(project, options);
  EXPECT_EQ(report.imported, 1u);
  ASSERT_EQ(report.bad_files.size(), 1u);
  EXPECT_NE(report.bad_files[0].find("broken.wav"), std::string::npos);
}

TEST(Import, KilledImportLeavesWholeSamplesOnly) {
  Fixture f("kill");
  constexpr int kFiles = 10;
  for (int i = 0; i < kFiles; ++i) write_test_wav(f.source() / "a" / fmt::format("{}.wav", i), i);

  // A child process imports in batches of 3 and is SIGKILLed after the 5th sample's file is in
  // place and its row inserted: batch one is committed, batch two is not.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Project project = open_project(f.root());
    ImportOptions options;
    options.inputs = {f.source()};
    options.batch_size = 3;
    options.after_sample_written = [](size_t written) {
      if (written == 5) raise(SIGKILL);
    };
    import_samples(project, options);
    _exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  {
    Project project = open_project(f.root());
    const std::vector<SampleRecord> samples = list_samples(*project.db);
    EXPECT_EQ(samples.size(), 3u);  // the committed batch, nothing of the second
    expect_index_matches_files(project);
    // The killed batch's files may be on disk, but no row refers to them.
    EXPECT_GE(data_files(project).size(), samples.size());
  }
  {
    // The next import cleans up and completes the set.
    Project project = open_project(f.root());
    ImportOptions options;
    options.inputs = {f.source()};
    const ImportReport report = import_samples(project, options);
    EXPECT_EQ(report.leftovers_removed, 2);
    EXPECT_EQ(report.imported, 7u);
    EXPECT_EQ(report.duplicates.size(), 3u);
    const std::vector<SampleRecord> samples = list_samples(*project.db);
    EXPECT_EQ(samples.size(), static_cast<size_t>(kFiles));
    expect_index_matches_files(project);
    std::set<std::string> indexed;
    for (const SampleRecord& r : samples) indexed.insert(r.path);
    EXPECT_EQ(data_files(project), indexed);
  }
}

TEST(Import, FailureMidBatchRollsBackThatBatch) {
  Fixture f("fail");
  for (int i = 0; i < 6; ++i) write_test_wav(f.source() / "a" / fmt::format("{}.wav", i), i);
  Project project = open_project(f.root());
  ImportOptions options;
  options.inputs = {f.source()};
  options.batch_size = 4;
  options.after_sample_written = [](size_t written) {
    if (written == 6) throw Error("simulated failure");
  };
  EXPECT_THROW(import_samples(project, options), Error);
  EXPECT_EQ(list_samples(*project.db).size(), 4u);
  expect_index_matches_files(project);
}

TEST(Import, SplitFileSubsetOfFsdd) {
  const fs::path dataset = fs::path(KILN_SHARED_DIR) / "testdata" / "datasets" / "fsdd";
  if (!fs::exists(dataset / "split.csv")) GTEST_SKIP() << "FSDD not found at " << dataset;
  // Expected counts read independently from the split file: digit 7 only.
  std::map<std::string, int> expected;
  std::map<std::string, std::string> expected_split;
  {
    std::ifstream in(dataset / "split.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      if (line.rfind("7/", 0) != 0) continue;
      const size_t comma1 = line.find(','), comma2 = line.rfind(',');
      const std::string split = line.substr(comma2 + 1);
      ++expected[split];
      expected_split[line.substr(0, comma1)] = split;
    }
  }
  ASSERT_GT(expected["train"], 0);
  ASSERT_GT(expected["test"], 0);

  Fixture f("fsdd");
  Project project = open_project(f.root());
  ImportOptions options;
  options.split_file = dataset / "split.csv";
  options.inputs = {dataset / "7"};
  const ImportReport report = import_samples(project, options);
  EXPECT_EQ(report.imported_train, static_cast<size_t>(expected["train"]));
  EXPECT_EQ(report.imported_test, static_cast<size_t>(expected["test"]));
  for (const SampleRecord& r : list_samples(*project.db)) {
    EXPECT_EQ(r.label, "7");
    EXPECT_EQ(r.sample_rate_hz, 8000);
    const std::string relative = "7/" + fs::path(r.source).filename().string();
    EXPECT_EQ(r.split, expected_split[relative]) << relative;
  }
}

}  // namespace
}  // namespace kiln::project
