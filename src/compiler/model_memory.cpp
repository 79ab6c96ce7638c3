#include "compiler/model_memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "compiler/output_sharing.h"

namespace kiln::compiler {

namespace {

int64_t round_up(int64_t v, int64_t alignment) {
  return (v + alignment - 1) / alignment * alignment;
}
int64_t round_down(int64_t v, int64_t alignment) {
  const int64_t r = v % alignment;
  return r == 0 ? v : v - (r > 0 ? r : alignment + r);
}

// Bytes an option needs while its operator runs if the output takes the tightest aligned place:
// the span covered by input and output, plus the scratch.
int64_t local_footprint(const ir::Model& model, const OutputSharing& s, int64_t alignment) {
  const int64_t in = model.tensor(s.input).num_bytes();
  const int64_t out = model.tensor(s.output).num_bytes();
  const int64_t d = s.at_most ? round_down(s.delta, alignment) : s.delta;
  const int64_t span = std::max(in, d + out) - std::min<int64_t>(0, d);
  return std::min(span, in + out) + round_up(s.scratch_bytes, alignment);
}

using Choice = std::function<std::optional<OutputSharing>(const OutputSharingOptions&)>;

}  // namespace

ModelMemory plan_model_memory(const ir::Model& model, const std::vector<int64_t>& op_scratch,
                              int64_t alignment, bool prefer_speed) {
  std::vector<OutputSharingOptions> options;
  for (size_t k = 0; k < model.operators.size(); ++k)
    options.push_back(output_sharing_options(model, static_cast<int32_t>(k)));

  // Strategies in order of preference (on equal arenas the earlier wins): normal kernels are
  // the plainer code, so in-place kernels come last.
  std::vector<std::pair<std::string, Choice>> strategies = {
      {"no output sharing",
       [](const OutputSharingOptions&) { return std::optional<OutputSharing>(); }},
      {"shifted outputs",
       [](const OutputSharingOptions& o) { return o.shifted ? o.shifted : o.in_place; }},
      {"cheapest per operator",
       [&](const OutputSharingOptions& o) {
         if (!o.shifted || !o.in_place) return o.shifted ? o.shifted : o.in_place;
         return local_footprint(model, *o.in_place, alignment) <
                        local_footprint(model, *o.shifted, alignment)
                    ? o.in_place
                    : o.shifted;
       }},
      {"in-place kernels",
       [](const OutputSharingOptions& o) { return o.in_place ? o.in_place : o.shifted; }},
  };

  if (prefer_speed)
    strategies = {
        {"no output sharing",
         [](const OutputSharingOptions&) { return std::optional<OutputSharing>(); }},
        {"shifted outputs, normal kernels only",
         [](const OutputSharingOptions& o) { return o.shifted; }},
    };

  std::optional<ModelMemory> best;
  for (const auto& [name, choose] : strategies) {
    std::vector<OutputSharing> shared;
    for (const OutputSharingOptions& o : options)
      if (auto s = choose(o)) shared.push_back(*s);
    ModelMemory m;
    m.buffers = collect_buffers(model, op_scratch, shared);
    m.plan = plan_memory(m.buffers.buffers, m.buffers.overlaps, alignment);
    m.plan.heuristic = fmt::format("{}, {}", m.plan.heuristic, name);
    m.in_place_kernel.assign(model.operators.size(), false);
    for (const OutputSharing& s : shared) {
      if (!s.in_place_kernel) continue;
      const int32_t a = m.buffers.buffer_of_tensor[static_cast<size_t>(s.input)];
      const int32_t b = m.buffers.buffer_of_tensor[static_cast<size_t>(s.output)];
      m.in_place_kernel[static_cast<size_t>(s.op)] =
          a >= 0 && b >= 0 &&
          buffers_overlap(m.buffers.buffers, m.plan, static_cast<size_t>(a),
                          static_cast<size_t>(b));
    }
    if (!best || m.plan.arena_bytes < best->plan.arena_bytes) best = std::move(m);
  }
  return std::move(*best);
}

}  // namespace kiln::compiler
