#include "compiler/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"

namespace kiln::compiler {
namespace {

TEST(MemoryPlannerTest, ChainReusesMemory) {
  // a -> op0 -> b -> op1 -> c -> op2 -> d: only two neighbours are ever alive together.
  std::vector<BufferRequest> bufs = {
      {"a", 100, -1, 0}, {"b", 100, 0, 1}, {"c", 100, 1, 2}, {"d", 100, 2, 3}};
  const MemoryPlan plan = plan_memory(bufs, {}, 4);
  EXPECT_EQ(plan.arena_bytes, 200);
  EXPECT_NO_THROW(check_plan(bufs, {}, plan));
}

TEST(MemoryPlannerTest, InPlacePairSharesOffset) {
  std::vector<BufferRequest> bufs = {{"in", 64, -1, 0}, {"out", 64, 0, 1}};
  const MemoryPlan without = plan_memory(bufs, {}, 4);
  EXPECT_EQ(without.arena_bytes, 128);
  const MemoryPlan with = plan_memory(bufs, {{0, 1}}, 4);
  EXPECT_EQ(with.arena_bytes, 64);
  EXPECT_EQ(with.offsets[0], with.offsets[1]);
}

TEST(MemoryPlannerTest, AlignmentRespected) {
  std::vector<BufferRequest> bufs = {{"a", 3, 0, 2}, {"b", 5, 1, 2}, {"c", 7, 2, 3}};
  const MemoryPlan plan = plan_memory(bufs, {}, 8);
  for (int64_t off : plan.offsets) EXPECT_EQ(off % 8, 0);
}

TEST(MemoryPlannerTest, CheckerCatchesBrokenPlan) {
  std::vector<BufferRequest> bufs = {{"a", 100, 0, 2}, {"b", 100, 1, 3}};
  MemoryPlan plan = plan_memory(bufs, {}, 4);
  plan.offsets[1] = plan.offsets[0] + 50;  // overlaps a while both alive
  try {
    check_plan(bufs, {}, plan);
    FAIL() << "overlap not detected";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'a'"), std::string::npos) << e.what();
  }
  plan.offsets[1] = plan.arena_bytes;  // outside the arena
  EXPECT_THROW(check_plan(bufs, {}, plan), Error);
}

TEST(MemoryPlannerTest, ExactDeltaPlacesOutputThereAndCheckerRejectsAnyOther) {
  // An operator that needs its 48-byte output exactly 16 bytes after the start of its
  // 64-byte input.
  std::vector<BufferRequest> bufs = {{"in", 64, -1, 0}, {"out", 48, 0, 1}};
  const std::vector<AllowedOverlap> pair = {{0, 1, 16, false}};
  const MemoryPlan plan = plan_memory(bufs, pair, 16);
  EXPECT_EQ(plan.offsets[1] - plan.offsets[0], 16);
  EXPECT_EQ(plan.arena_bytes, 64);

  MemoryPlan wrong = plan;
  wrong.offsets = {16, 0};  // out 16 bytes *before* in: overlaps, wrong delta
  wrong.arena_bytes = 80;
  try {
    check_plan(bufs, pair, wrong);
    FAIL() << "wrong delta not detected";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("exactly 16"), std::string::npos) << e.what();
  }
  wrong.offsets = {0, 0};  // same start: still not the required 16
  wrong.arena_bytes = 64;
  EXPECT_THROW(check_plan(bufs, pair, wrong), Error);
  wrong.offsets = {0, 64};  // apart: always fine
  wrong.arena_bytes = 112;
  EXPECT_NO_THROW(check_plan(bufs, pair, wrong));
}

TEST(MemoryPlannerTest, AtMostDeltaAcceptsLowerStartsOnly) {
  // An output 32 bytes larger than its input that must start at least 32 bytes before it.
  std::vector<BufferRequest> bufs = {{"in", 64, -1, 0}, {"out", 96, 0, 1}};
  const std::vector<AllowedOverlap> pair = {{0, 1, -32, true}};
  const MemoryPlan plan = plan_memory(bufs, pair, 16);
  EXPECT_LE(plan.offsets[1] - plan.offsets[0], -32);
  EXPECT_EQ(plan.arena_bytes, 96);  // both end together

  MemoryPlan other;
  other.arena_bytes = 160;
  other.offsets = {48, 0};  // 48 bytes before: fine
  EXPECT_NO_THROW(check_plan(bufs, pair, other));
  other.offsets = {16, 0};  // only 16 bytes before
  try {
    check_plan(bufs, pair, other);
    FAIL() << "too small a lead not detected";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("at most -32"), std::string::npos) << e.what();
  }
  // The relation is directed: the input starting before the output is a different placement.
  other.offsets = {0, 32};
  EXPECT_THROW(check_plan(bufs, pair, other), Error);
}

TEST(MemoryPlannerTest, ChainOfShiftedOutputsGrowsDownwards) {
  // a -> b -> c, each output allowed to start up to 32 bytes before its input: the planner may
  // put outputs below address 0 while placing and shifts the plan back up.
  std::vector<BufferRequest> bufs = {{"a", 256, -1, 0}, {"b", 256, 0, 1}, {"c", 256, 1, 2}};
  const std::vector<AllowedOverlap> pairs = {{0, 1, -32, true}, {1, 2, -32, true}};
  const MemoryPlan plan = plan_memory(bufs, pairs, 16);
  EXPECT_NO_THROW(check_plan(bufs, pairs, plan));
  // Side by side would need 512; overlapping, a 256-byte tensor plus the drift of the two steps
  // at most (a and c are never alive together, so c may reuse a's memory).
  EXPECT_LE(plan.arena_bytes, 256 + 32 + 32);
}

TEST(MemoryPlannerTest, RejectsOverlapNamingNoBuffer) {
  std::vector<BufferRequest> bufs = {{"a", 16, 0, 1}};
  EXPECT_THROW(plan_memory(bufs, {{0, 3}}, 16), Error);
  EXPECT_THROW(plan_memory(bufs, {{0, 0}}, 16), Error);
}

TEST(MemoryPlannerTest, RandomProblemsWithOverlapsAlwaysPassTheChecker) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<BufferRequest> bufs;
    std::vector<AllowedOverlap> pairs;
    const int n = 2 + static_cast<int>(rng() % 15);
    for (int i = 0; i < n; ++i) {
      // A chain with occasional long-lived side buffers, like a network.
      const bool side = rng() % 4 == 0;
      const int32_t first = side ? static_cast<int32_t>(rng() % 8) - 1 : i - 1;
      const int32_t last = side ? first + 1 + static_cast<int32_t>(rng() % 4) : i;
      bufs.push_back({"t" + std::to_string(i), 1 + static_cast<int64_t>(rng() % 300), first, last});
      if (i > 0 && !side && rng() % 2 == 0) {
        const int64_t delta = static_cast<int64_t>(rng() % 200) - 150;
        pairs.push_back(
            {static_cast<size_t>(i - 1), static_cast<size_t>(i), delta, rng() % 2 == 0});
      }
    }
    MemoryPlan plan;
    ASSERT_NO_THROW(plan = plan_memory(bufs, pairs, 16)) << "trial " << trial;
    EXPECT_NO_THROW(check_plan(bufs, pairs, plan));
    for (int64_t off : plan.offsets) EXPECT_EQ(off % 16, 0);
  }
}

TEST(MemoryPlannerTest, RandomProblemsAlwaysValidAndNoWorseThanSum) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> bufs;
    const int n = 1 + static_cast<int>(rng() % 20);
    int64_t total = 0;
    for (int i = 0; i < n; ++i) {
      const int32_t first = static_cast<int32_t>(rng() % 10) - 1;
      const int32_t last = first + 1 + static_cast<int32_t>(rng() % 5);
      const int64_t size = 1 + static_cast<int64_t>(rng() % 500);
      bufs.push_back({"t" + std::to_string(i), size, first, last});
      total += (size + 15) / 16 * 16;
    }
    const MemoryPlan plan = plan_memory(bufs, {}, 16);
    EXPECT_NO_THROW(check_plan(bufs, {}, plan));
    EXPECT_LE(plan.arena_bytes, total);
    // Lower bound: at any op, everything alive must fit.
    for (int32_t op = -1; op < 16; ++op) {
      int64_t live = 0;
      for (const auto& b : bufs)
        if (b.first_op <= op && op <= b.last_op) live += b.size;
      EXPECT_GE(plan.arena_bytes, live);
    }
  }
}

}  // namespace
}  // namespace kiln::compiler
