#include "compiler/memory_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "core/error.h"

namespace kiln::compiler {

namespace {

bool lifetimes_intersect(const BufferRequest& x, const BufferRequest& y) {
  return x.first_op <= y.last_op && y.first_op <= x.last_op;
}

int64_t align_up(int64_t v, int64_t alignment) {
  const int64_t r = v % alignment;
  return r == 0 ? v : v + (r > 0 ? alignment - r : -r);
}
int64_t align_down(int64_t v, int64_t alignment) {
  const int64_t r = v % alignment;
  return r == 0 ? v : v - (r > 0 ? r : alignment + r);
}

// The allowed overlaps by unordered buffer pair (the first declared wins for the planner; the
// checker accepts a placement that satisfies any of them).
using OverlapMap = std::multimap<std::pair<size_t, size_t>, AllowedOverlap>;

OverlapMap overlap_map(const std::vector<AllowedOverlap>& overlaps, size_t n_buffers) {
  OverlapMap m;
  for (const auto& o : overlaps) {
    if (o.a >= n_buffers || o.b >= n_buffers || o.a == o.b)
      throw Error(fmt::format("memory plan: allowed overlap ({}, {}) names no valid buffer pair",
                              o.a, o.b));
    m.insert({{std::min(o.a, o.b), std::max(o.a, o.b)}, o});
  }
  return m;
}

const AllowedOverlap* find_overlap(const OverlapMap& m, size_t i, size_t j) {
  auto it = m.find({std::min(i, j), std::max(i, j)});
  return it == m.end() ? nullptr : &it->second;
}

bool satisfies(const AllowedOverlap& o, const std::vector<int64_t>& offsets) {
  const int64_t diff = offsets[o.b] - offsets[o.a];
  return o.at_most ? diff <= o.delta : diff == o.delta;
}

// Where buffer i (size s) may not start given one placed buffer j (at o, size sj) alive at the
// same time: open intervals of start offsets. Without an allowed overlap that is every start
// that makes the two intersect, (o - s, o + sj); an allowed overlap removes the starts it
// permits from that interval. `preferred` receives the allowed start that shares the most
// memory with j, if the two may overlap at all.
struct Forbidden {
  int64_t lo;  // exclusive
  int64_t hi;  // exclusive
};

void forbid_starts(size_t i, int64_t s, int64_t o, int64_t sj, const AllowedOverlap* pair,
                   int64_t alignment, std::vector<Forbidden>& out,
                   std::vector<int64_t>& preferred) {
  const int64_t lo = o - s, hi = o + sj;
  if (!pair) {
    out.push_back({lo, hi});
    return;
  }
  const bool i_is_output = pair->b == i;
  if (!pair->at_most) {
    // Exactly one start is allowed inside the interval.
    const int64_t target = i_is_output ? o + pair->delta : o - pair->delta;
    out.push_back({lo, std::min(hi, target)});
    out.push_back({std::max(lo, target), hi});
    if (lo < target && target < hi) preferred.push_back(target);
  } else if (i_is_output) {
    // start - o <= delta: every start up to o + delta is allowed.
    const int64_t limit = o + pair->delta;
    out.push_back({std::max(lo, limit), hi});
    if (limit > lo) preferred.push_back(align_down(limit, alignment));
  } else {
    // o - start <= delta: every start from o - delta on is allowed.
    const int64_t limit = o - pair->delta;
    out.push_back({lo, std::min(hi, limit)});
    if (limit < hi) preferred.push_back(align_up(limit, alignment));
  }
}

bool start_allowed(int64_t x, const std::vector<Forbidden>& forbidden, int64_t alignment) {
  if (x % alignment != 0) return false;
  for (const auto& f : forbidden)
    if (f.lo < x && x < f.hi) return false;
  return true;
}

// The lowest aligned start from `from` on that no interval forbids.
int64_t lowest_allowed_start(int64_t from, const std::vector<Forbidden>& forbidden,
                             int64_t alignment) {
  int64_t x = from;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& f : forbidden)
      if (f.lo < x && x < f.hi) {
        x = align_up(f.hi, alignment);
        moved = true;
      }
  }
  return x;
}

// Places buffers in the given order, each where it collides with no already-placed buffer of
// intersecting lifetime. Candidates are the starts that share the most memory with an allowed
// overlap partner already placed, then the lowest free start; the one that grows the occupied
// address range least wins (the earlier on a tie). Sharing may place a buffer below address 0
// (an output that must start before its input); the plan is shifted up at the end.
MemoryPlan place_in_order(const std::vector<BufferRequest>& buffers, const OverlapMap& allowed,
                          const std::vector<size_t>& order, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> placed;
  std::vector<Forbidden> forbidden;
  std::vector<int64_t> candidates;
  int64_t low = 0, high = 0;  // occupied address range so far
  for (size_t i : order) {
    const BufferRequest& b = buffers[i];
    forbidden.clear();
    candidates.clear();
    for (size_t j : placed) {
      if (!lifetimes_intersect(b, buffers[j])) continue;
      forbid_starts(i, b.size, plan.offsets[j], buffers[j].size, find_overlap(allowed, i, j),
                    alignment, forbidden, candidates);
    }
    candidates.push_back(lowest_allowed_start(low, forbidden, alignment));
    int64_t best = 0, best_extent = -1;
    for (int64_t x : candidates) {
      if (!start_allowed(x, forbidden, alignment)) continue;
      const int64_t extent = std::max(high, align_up(x + b.size, alignment)) - std::min(low, x);
      if (best_extent < 0 || extent < best_extent) {
        best = x;
        best_extent = extent;
      }
    }
    plan.offsets[i] = best;
    low = std::min(low, best);
    high = std::max(high, align_up(best + b.size, alignment));
    placed.push_back(i);
  }
  for (int64_t& offset : plan.offsets) offset -= low;
  plan.arena_bytes = high - low;
  return plan;
}

}  // namespace

bool buffers_overlap(const std::vector<BufferRequest>& buffers, const MemoryPlan& plan, size_t a,
                     size_t b) {
  const int64_t lo = plan.offsets.at(a), hi = lo + buffers.at(a).size;
  const int64_t lo2 = plan.offsets.at(b), hi2 = lo2 + buffers.at(b).size;
  return lo < hi2 && lo2 < hi;
}

MemoryPlan plan_memory(const std::vector<BufferRequest>& buffers,
                       const std::vector<AllowedOverlap>& overlaps, int64_t alignment) {
  if (alignment <= 0) throw Error("memory plan: alignment must be positive");
  for (const auto& b : buffers)
    if (b.size < 0 || b.first_op > b.last_op)
      throw Error(fmt::format("memory plan: buffer '{}' has an invalid size or lifetime", b.name));
  const OverlapMap allowed = overlap_map(overlaps, buffers.size());

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
      {"longest-lived-first", sorted([&](auto& x, auto& y) {
         return span(x) != span(y) ? span(x) > span(y) : x.size > y.size;
       })},
      {"largest-area-first",
       sorted([&](auto& x, auto& y) { return x.size * (span(x) + 1) > y.size * (span(y) + 1); })},
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
  const OverlapMap allowed = overlap_map(overlaps, buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const int64_t lo = plan.offsets[i], hi = lo + buffers[i].size;
    if (lo < 0 || hi > plan.arena_bytes)
      throw Error(fmt::format("memory plan: buffer '{}' [{}, {}) lies outside the {}-byte arena",
                              buffers[i].name, lo, hi, plan.arena_bytes));
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!lifetimes_intersect(buffers[i], buffers[j])) continue;
      if (!buffers_overlap(buffers, plan, i, j)) continue;
      // Overlap while both alive: legal only as an allowed pair demands.
      std::string why = "not an allowed in-place pair";
      auto [first, last] = allowed.equal_range({i, j});
      bool legal = false;
      for (auto it = first; it != last && !legal; ++it) {
        const AllowedOverlap& o = it->second;
        legal = satisfies(o, plan.offsets);
        if (!legal)
          why = fmt::format("'{}' must start {} {} bytes from '{}' but starts {} from it",
                            buffers[o.b].name, o.at_most ? "at most" : "exactly", o.delta,
                            buffers[o.a].name, plan.offsets[o.b] - plan.offsets[o.a]);
      }
      if (legal) continue;
      throw Error(fmt::format(
          "memory plan: '{}' [{}, {}) and '{}' [{}, {}) overlap while both alive (ops {}..{} and "
          "{}..{}): {}",
          buffers[i].name, plan.offsets[i], plan.offsets[i] + buffers[i].size, buffers[j].name,
          plan.offsets[j], plan.offsets[j] + buffers[j].size, buffers[i].first_op,
          buffers[i].last_op, buffers[j].first_op, buffers[j].last_op, why));
    }
  }
}

}  // namespace kiln::compiler
