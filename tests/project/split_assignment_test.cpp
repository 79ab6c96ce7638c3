// assign_splits: exact stratification without groups, whole groups, fixed groups, determinism.
#include "project/split_assignment.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <set>

namespace kiln::project {
namespace {

int count_test(const std::vector<SplitItem>& items, const std::vector<std::string>& splits,
               const std::string& label) {
  int n = 0;
  for (size_t i = 0; i < items.size(); ++i) n += items[i].label == label && splits[i] == "test";
  return n;
}

TEST(SplitAssignment, StratifiesEachLabelToTheRoundedFraction) {
  std::vector<SplitItem> items;
  for (int i = 0; i < 50; ++i) items.push_back({"a", "", fmt::format("a{}", i)});
  for (int i = 0; i < 7; ++i) items.push_back({"b", "", fmt::format("b{}", i)});
  const auto splits = assign_splits(items, 0.2, 42, {});
  EXPECT_EQ(count_test(items, splits, "a"), 10);  // 0.2 * 50
  EXPECT_EQ(count_test(items, splits, "b"), 1);   // round(1.4)
  EXPECT_EQ(assign_splits(items, 0.2, 42, {}), splits);
  EXPECT_NE(assign_splits(items, 0.2, 43, {}), splits);  // another seed, another choice
  const auto none = assign_splits(items, 0.0, 42, {});
  EXPECT_EQ(count_test(items, none, "a") + count_test(items, none, "b"), 0);
}

TEST(SplitAssignment, GroupsStayTogetherAndFixedGroupsKeepTheirSide) {
  std::vector<SplitItem> items;
  for (int g = 0; g < 10; ++g) {
    for (int k = 0; k < 4; ++k) {
      items.push_back({k % 2 ? "x" : "y", fmt::format("g{}", g), fmt::format("{}_{}", g, k)});
    }
  }
  const std::map<std::string, std::string> fixed = {{"g0", "test"}, {"g1", "train"}};
  const auto splits = assign_splits(items, 0.3, 5, fixed);
  std::map<std::string, std::set<std::string>> sides;
  for (size_t i = 0; i < items.size(); ++i) sides[items[i].group].insert(splits[i]);
  for (const auto& [group, s] : sides) EXPECT_EQ(s.size(), 1u) << group;
  EXPECT_EQ(*sides["g0"].begin(), "test");
  EXPECT_EQ(*sides["g1"].begin(), "train");
  // 30% of 20 samples per label = 6 = three groups of 2, g0 included.
  EXPECT_EQ(count_test(items, splits, "x"), 6);
  EXPECT_EQ(count_test(items, splits, "y"), 6);
}

}  // namespace
}  // namespace kiln::project
