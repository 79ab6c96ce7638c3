#include "compiler/memory_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <set>
#include <utility>

#include "core/error.h"

namespace kiln::compiler {

namespace {

bool lifetimes_intersect(const BufferRequest& x, const BufferRequest& y) {
  return x.first_op <= y.last_op && y.first_op <= x.last_op;
}

int64_t align_up(int64_t v, int64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

using PairSet = std::set<std::pair<size_t, size_t>>;

PairSet pair_set(const std::vector<AllowedOverlap>& overlaps) {
  PairSet s;
  for (const auto& o : overlaps) {
    s.insert({o.a, o.b});
    s.insert({o.b, o.a});
  }
  return s;
}

// Places buffers in the given order, each at the lowest aligned offset where it collides with
// no already-placed buffer of intersecting lifetime. A buffer allowed to share memory with a
// placed partner first tries the partner's offset.
MemoryPlan place_in_order(const std::vector<BufferRequest>& buffers, const PairSet& allowed,
                          const std::vector<size_t>& order, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), -1);
  std::vector<size_t> placed;
  for (size_t i : order) {
    const BufferRequest& b = buffers[i];
    // Memory ranges already taken during b's lifetime, sorted by offset.
    std::vector<std::pair<int64_t, int64_t>> taken;
    int64_t preferred = -1;
    for (size_t j : placed) {
      if (!lifetimes_intersect(b, buffers[j])) continue;
      if (allowed.count({i, j})) {
        if (preferred < 0 && buffers[j].size >= b.size) preferred = plan.offsets[j];
        continue;
      }
      taken.push_back({plan.offsets[j], plan.offsets[j] + buffers[j].size});
    }
    std::sort(taken.begin(), taken.end());
    auto fits_at = [&](int64_t offset) {
      for (const auto& [lo, hi] : taken)
        if (offset < hi && lo < offset + b.size) return false;
      return true;
    };
    int64_t offset = 0;
    if (preferred >= 0 && fits_at(preferred)) {
      offset = preferred;
    } else {
      for (const auto& [lo, hi] : taken) {
        if (offset + b.size <= lo) break;  // the gap before this range is big enough
        offset = std::max(offset, align_up(hi, alignment));
      }
    }
    plan.offsets[i] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, align_up(offset + b.size, alignment));
    placed.push_back(i);
  }
  return plan;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferRequest>& buffers,
                       const std::vector<AllowedOverlap>& overlaps, int64_t alignment) {
  if (alignment <= 0) throw Error("memory plan: alignment must be positive");
  for (const auto& b : buffers)
    if (b.size < 0 || b.first_op > b.last_op)
      throw Error(fmt::format("memory plan: buffer '{}' has an invalid size or lifetime", b.name));
  const PairSet allowed = pair_set(overlaps);

  std::vector<size_t> identity(buffers.size());
  std::iota(identity.begin(), identity.end(), 0);
  auto sorted = [&](std::function<bool(const BufferRequest&, const BufferRequest&)> less) {
    std::vector<size_t> order = identity;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return less(buffers[x], buffers[y]); });
    return order;
  };
  auto span = [](const BufferRequest& b) { return b.last_op - b.first_op; };
  const std::vector<std::pair<std::string, std::vector<size_t>>> orders = {
      {"largest-first", sorted([](auto& x, auto& y) { return x.size > y.size; })},
      {"earliest-first", sorted([](auto& x, auto& y) { return x.first_op < y.first_op; })},
      {"longest-lived-first",
       sorted([&](auto& x, auto& y) { return span(x) != span(y) ? span(x) > span(y) : x.size > y.size; })},
      {"largest-area-first", sorted([&](auto& x, auto& y) {
         return x.size * (span(x) + 1) > y.size * (span(y) + 1);
       })},
  };
  MemoryPlan best;
  best.arena_bytes = -1;
  for (const auto& [name, order] : orders) {
    MemoryPlan plan = place_in_order(buffers, allowed, order, alignment);
    plan.heuristic = name;
    if (best.arena_bytes < 0 || plan.arena_bytes < best.arena_bytes) best = std::move(plan);
  }
  check_plan(buffers, overlaps, best);
  return best;
}

void check_plan(const std::vector<BufferRequest>& buffers,
                const std::vector<AllowedOverlap>& overlaps, const MemoryPlan& plan) {
  if (plan.offsets.size() != buffers.size())
    throw Error("memory plan: number of offsets does not match number of buffers");
  const PairSet allowed = pair_set(overlaps);
  for (size_t i = 0; i < buffers.size(); ++i) {
    const int64_t lo = plan.offsets[i], hi = lo + buffers[i].size;
    if (lo < 0 || hi > plan.arena_bytes)
      throw Error(fmt::format("memory plan: buffer '{}' [{}, {}) lies outside the {}-byte arena",
                              buffers[i].name, lo, hi, plan.arena_bytes));
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!lifetimes_intersect(buffers[i], buffers[j])) continue;
      const int64_t lo2 = plan.offsets[j], hi2 = lo2 + buffers[j].size;
      if (!(lo < hi2 && lo2 < hi)) continue;  // disjoint in memory
      if (allowed.count({i, j}) && lo == lo2) continue;  // legal in-place reuse
      throw Error(fmt::format(
          "memory plan: '{}' [{}, {}) and '{}' [{}, {}) overlap while both alive (ops {}..{} and "
          "{}..{})",
          buffers[i].name, lo, hi, buffers[j].name, lo2, hi2, buffers[i].first_op,
          buffers[i].last_op, buffers[j].first_op, buffers[j].last_op));
    }
  }
}

}  // namespace kiln::compiler
