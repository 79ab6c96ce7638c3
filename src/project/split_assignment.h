// Train/test assignment for newly imported samples: stratified by label, deterministic for a
// seed, and group-aware (all samples of a group land on the same side).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::project {

struct SplitItem {
  std::string label;
  std::string group;  // empty: the sample is its own group
  std::string key;    // stable identity (e.g. the source path); fixes the order before shuffling
};

// Returns "train" or "test" per item. Groups listed in `fixed_groups` keep their split (they are
// already in the project). Other groups are visited in a seeded shuffled order and each goes to
// test when that brings every label's test count closer to test_fraction of its total; for
// ungrouped samples this puts exactly round(test_fraction * n) of each label in test.
std::vector<std::string> assign_splits(const std::vector<SplitItem>& items, double test_fraction,
                                       uint64_t seed,
                                       const std::map<std::string, std::string>& fixed_groups);

}  // namespace kiln::project
