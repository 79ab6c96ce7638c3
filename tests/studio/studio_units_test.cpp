// The Studio's small pieces on their own: CRC-32 and the stored ZIP layout, the path guard, the
// 2-D principal component projection, and the job runner's one-job rule.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "studio/feature_explorer.h"
#include "studio/http_util.h"
#include "studio/job_runner.h"
#include "studio/path_guard.h"
#include "studio/zip_writer.h"

namespace kiln::studio {
namespace {

namespace fs = std::filesystem;

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

uint32_t le16(const std::string& s, size_t at) {
  return static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8);
}

TEST(StudioZip, Crc32MatchesTheStandardCheckValue) {
  // The CRC-32/ISO-HDLC check value of "123456789" and of the empty string.
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("a"), 0xE8B7BE43u);
}

TEST(StudioZip, StoredEntriesWithHeadersAndCentralDirectory) {
  const std::map<std::string, std::string> files = {{"a.txt", "hello"}, {"dir/b.bin", ""}};
  const std::string zip = make_stored_zip(files, "lib/");
  // Local header of the first entry: signature, stored, CRC and both sizes, then name and data.
  EXPECT_EQ(le32(zip, 0), 0x04034b50u);
  EXPECT_EQ(le16(zip, 8), 0u);  // method: stored
  EXPECT_EQ(le32(zip, 14), crc32("hello"));
  EXPECT_EQ(le32(zip, 18), 5u);
  EXPECT_EQ(le32(zip, 22), 5u);
  EXPECT_EQ(le16(zip, 26), 9u);
  EXPECT_EQ(zip.substr(30, 9), "lib/a.txt");
  EXPECT_EQ(zip.substr(39, 5), "hello");
  // End of central directory: two entries, the directory right before it.
  const size_t eocd = zip.size() - 22;
  EXPECT_EQ(le32(zip, eocd), 0x06054b50u);
  EXPECT_EQ(le16(zip, eocd + 10), 2u);
  const uint32_t dir_size = le32(zip, eocd + 12), dir_offset = le32(zip, eocd + 16);
  EXPECT_EQ(dir_offset + dir_size, eocd);
  EXPECT_EQ(le32(zip, dir_offset), 0x02014b50u);
  EXPECT_EQ(le32(zip, dir_offset + 42), 0u);  // first entry's local header offset
}

TEST(StudioPathGuard, PlainNames) {
  for (const char* ok : {"a.wav", "7_jackson_3.wav", "label with space"}) {
    EXPECT_TRUE(is_plain_name(ok)) << ok;
  }
  for (const char* bad : {"", ".", "..", ".hidden", "a/b", "a\\b", "c:x", "tab\there"}) {
    EXPECT_FALSE(is_plain_name(bad)) << bad;
  }
  EXPECT_FALSE(is_plain_name(std::string(201, 'a')));
}

TEST(StudioPathGuard, ResolvesOnlyInsideTheRoot) {
  const fs::path root = fs::temp_directory_path() / fmt::format("kiln_guard_{}", ::getpid());
  fs::remove_all(root);
  fs::create_directories(root / "data");
  fs::create_directories(root.parent_path() / fmt::format("kiln_guard_{}_out", ::getpid()));
  const fs::path inside = resolve_inside(root, "data/x.wav");
  EXPECT_EQ(inside, fs::weakly_canonical(root) / "data" / "x.wav");
  for (const char* bad : {"../x", "data/../../x", "/etc/passwd", "", "data/../../kiln_guard"}) {
    EXPECT_THROW(resolve_inside(root, bad), HttpError) << bad;
  }
  // A symbolic link inside the project that points out of it.
  fs::create_directory_symlink(root.parent_path() / fmt::format("kiln_guard_{}_out", ::getpid()),
                               root / "data" / "link");
  EXPECT_THROW(resolve_inside(root, "data/link/file"), HttpError);
  fs::remove_all(root);
  fs::remove_all(root.parent_path() / fmt::format("kiln_guard_{}_out", ::getpid()));
}

TEST(StudioExplorer, PointsOnALineProjectOntoTheFirstComponent) {
  // Points t * (1, 2, 0) + (5, 5, 5): all variance lies along (1, 2, 0) / sqrt(5), so the first
  // coordinate is (t - mean t) * sqrt(5) and the second is 0.
  std::vector<std::vector<float>> rows;
  const std::vector<float> ts = {-2, -1, 0, 1, 2, 3};
  for (float t : ts) rows.push_back({5 + t, 5 + 2 * t, 5});
  double explained[2];
  const auto points = principal_components_2d(rows, explained);
  ASSERT_EQ(points.size(), ts.size());
  const double mean_t = 0.5;
  // The component's sign puts its largest entry (the 2) positive.
  for (size_t i = 0; i < ts.size(); ++i) {
    EXPECT_NEAR(points[i].first, (ts[i] - mean_t) * std::sqrt(5.0), 1e-4);
    EXPECT_NEAR(points[i].second, 0.0, 1e-4);
  }
  EXPECT_NEAR(explained[0], 1.0, 1e-6);
  EXPECT_NEAR(explained[1], 0.0, 1e-6);
}

TEST(StudioExplorer, TwoIndependentDirectionsSplitTheVariance) {
  // (±3, 0) and (0, ±1): variances 9*2 and 1*2 of a total 20 -> 0.9 and 0.1.
  const std::vector<std::vector<float>> rows = {{3, 0}, {-3, 0}, {0, 1}, {0, -1}};
  double explained[2];
  const auto points = principal_components_2d(rows, explained);
  EXPECT_NEAR(explained[0], 0.9, 1e-9);
  EXPECT_NEAR(explained[1], 0.1, 1e-9);
  EXPECT_NEAR(std::abs(points[0].first), 3.0, 1e-9);
  EXPECT_NEAR(std::abs(points[2].second), 1.0, 1e-9);
  EXPECT_TRUE(principal_components_2d({}, explained).empty());
}

TEST(StudioJobRunner, OneJobAtATimeFailuresAndCancel) {
  JobRunner runner;
  std::atomic<bool> release{false};
  const auto slow = runner.start("slow", [&](Job& job) {
    while (!release) {
      job.check_cancelled();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return nlohmann::json{{"ok", true}};
  });
  try {
    runner.start("other", [](Job&) { return nlohmann::json(); });
    ADD_FAILURE() << "a second job started";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 409);
  }
  EXPECT_THROW(runner.exclusive([] {}), HttpError);
  release = true;
  while (!slow->finished()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(slow->to_json(false)["state"], "succeeded");
  EXPECT_EQ(slow->to_json(false)["result"]["ok"], true);

  const auto failing =
      runner.start("failing", [](Job&) -> nlohmann::json { throw Error("the data is bad"); });
  while (!failing->finished()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(failing->to_json(false)["state"], "failed");
  EXPECT_EQ(failing->to_json(false)["error"], "the data is bad");

  const auto endless = runner.start("endless", [](Job& job) -> nlohmann::json {
    for (size_t i = 0;; ++i) {
      job.progress("loop", i % 100, 100);
      job.check_cancelled();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  endless->request_cancel();
  while (!endless->finished()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(endless->to_json(false)["state"], "cancelled");
  bool finished = false;
  const auto events = endless->wait_events(0, std::chrono::milliseconds(0), finished);
  EXPECT_TRUE(finished);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["type"], "end");
  EXPECT_EQ(runner.all().size(), 3u);
  EXPECT_EQ(runner.all().front()->kind(), "endless");
}

}  // namespace
}  // namespace kiln::studio
