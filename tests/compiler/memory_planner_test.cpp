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
