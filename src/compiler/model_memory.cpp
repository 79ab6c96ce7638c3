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
                              int64_t alignment, bool prefer_speed,
                              const std::vector<bool>& fast_kernel,
                              const std::optional<PatchStage>& stage) {
  auto in_stage = [&](size_t k) {
    return stage && static_cast<int32_t>(k) >= stage->first_op &&
           static_cast<int32_t>(k) <= stage->last_op;
  };
  std::vector<OutputSharingOptions> options;
  for (size_t k = 0; k < model.operators.size(); ++k)
    options.push_back(in_stage(k)
                          ? OutputSharingOptions{}
                          : output_sharing_options(model, static_cast<int32_t>(k),
                                                   k >= fast_kernel.size() || fast_kernel[k]));
  // The stage's own small plan: band j lives while operator j writes it and j + 1 reads it,
  // each operator's scratch while it runs.
  std::vector<int64_t> scratch = op_scratch;
  scratch.resize(model.operators.size(), 0);
  std::vector<BufferRequest> local;
  std::vector<int64_t> stage_scratch_index;
  MemoryPlan local_plan;
  if (stage) {
    const auto ops = static_cast<size_t>(stage->last_op - stage->first_op + 1);
    for (size_t j = 0; j + 1 < ops; ++j)
      local.push_back({fmt::format("band_{}", j), band_buffer_bytes(*stage, j),
                       static_cast<int32_t>(j), static_cast<int32_t>(j + 1)});
    for (size_t j = 0; j < ops; ++j) {
      int64_t& s = scratch[static_cast<size_t>(stage->first_op) + j];
      stage_scratch_index.push_back(s > 0 ? static_cast<int64_t>(local.size()) : -1);
      if (s > 0)
        local.push_back(
            {fmt::format("scratch_{}", j), s, static_cast<int32_t>(j), static_cast<int32_t>(j)});
      s = 0;
    }
    local_plan = plan_memory(local, {}, alignment);
  }

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

  // The fast in-place kernels are the fastest variants (the depthwise one computes straight
  // over its input; the pointwise one is the normal fast kernel), so speed takes them whatever
  // the arena.
  if (prefer_speed)
    strategies = {
        {"in-place kernels",
         [](const OutputSharingOptions& o) { return o.in_place ? o.in_place : o.shifted; }},
    };

  std::optional<ModelMemory> best;
  for (const auto& [name, choose] : strategies) {
    std::vector<OutputSharing> shared;
    for (const OutputSharingOptions& o : options)
      if (auto s = choose(o)) shared.push_back(*s);
    ModelMemory m;
    m.buffers = collect_buffers(model, scratch, shared);
    if (stage) {
      auto& buffers = m.buffers.buffers;
      auto buffer_of = [&](int32_t tensor) {
        return m.buffers.buffer_of_tensor.at(static_cast<size_t>(tensor));
      };
      for (int32_t k = stage->first_op; k < stage->last_op; ++k)
        buffers
            .at(static_cast<size_t>(buffer_of(model.operators[static_cast<size_t>(k)].outputs[0])))
            .size = 0;
      BufferRequest& in = buffers.at(static_cast<size_t>(buffer_of(stage->input)));
      in.last_op = std::max(in.last_op, stage->last_op);
      BufferRequest& out = buffers.at(static_cast<size_t>(buffer_of(stage->output)));
      out.first_op = std::min(out.first_op, stage->first_op);
      m.stage = stage;
      m.stage_buffer = static_cast<int32_t>(buffers.size());
      buffers.push_back({fmt::format("patch_stage_op{}", stage->first_op), local_plan.arena_bytes,
                         stage->first_op, stage->last_op});
      for (size_t j = 0; j + 1 < stage_scratch_index.size(); ++j)
        m.band_offsets.push_back(local_plan.offsets[j]);
      for (int64_t index : stage_scratch_index)
        m.stage_scratch_offsets.push_back(
            index < 0 ? -1 : local_plan.offsets[static_cast<size_t>(index)]);
    }
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
