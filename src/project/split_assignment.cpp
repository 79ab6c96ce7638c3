#include "project/split_assignment.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace kiln::project {

namespace {

// A set of samples that must share a split.
struct Unit {
  std::string key;
  std::vector<size_t> items;
  std::map<std::string, int> label_counts;
};

}  // namespace

std::vector<std::string> assign_splits(const std::vector<SplitItem>& items, double test_fraction,
                                       uint64_t seed,
                                       const std::map<std::string, std::string>& fixed_groups) {
  std::map<std::string, Unit> grouped;  // ordered by key: the shuffle below starts from this order
  for (size_t i = 0; i < items.size(); ++i) {
    // "g:" and "s:" keep a group name from colliding with a sample key.
    const std::string key = items[i].group.empty() ? "s:" + items[i].key : "g:" + items[i].group;
    Unit& unit = grouped[key];
    unit.key = key;
    unit.items.push_back(i);
    ++unit.label_counts[items[i].label];
  }

  std::vector<std::string> splits(items.size(), "train");
  std::map<std::string, double> target;  // test samples wanted per label
  std::map<std::string, double> in_test;
  for (const SplitItem& item : items) target[item.label] += test_fraction;

  std::vector<Unit*> free_units;
  for (auto& [key, unit] : grouped) {
    const std::string& group = items[unit.items.front()].group;
    const auto fixed = group.empty() ? fixed_groups.end() : fixed_groups.find(group);
    if (fixed == fixed_groups.end()) {
      free_units.push_back(&unit);
      continue;
    }
    for (size_t i : unit.items) splits[i] = fixed->second;
    if (fixed->second == "test") {
      for (const auto& [label, count] : unit.label_counts) in_test[label] += count;
    }
  }

  // Fisher-Yates with mt19937_64, whose output sequence the C++ standard fixes, so the split is
  // the same on every platform (std::shuffle's use of the engine is implementation-defined).
  std::mt19937_64 rng(seed);
  for (size_t i = free_units.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng() % i);
    std::swap(free_units[i - 1], free_units[j]);
  }

  for (Unit* unit : free_units) {
    double before = 0, after = 0;
    for (const auto& [label, count] : unit->label_counts) {
      before += std::fabs(in_test[label] - target[label]);
      after += std::fabs(in_test[label] + count - target[label]);
    }
    if (after < before) {
      for (size_t i : unit->items) splits[i] = "test";
      for (const auto& [label, count] : unit->label_counts) in_test[label] += count;
    }
  }
  return splits;
}

}  // namespace kiln::project
