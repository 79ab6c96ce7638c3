#include "compiler/patch_stage.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/error.h"
#include "exec/ops/conv2d.h"
#include "exec/ops/depthwise_conv2d.h"
#include "exec/ops/pool2d.h"
#include "ir/op_stats.h"

namespace kiln::compiler {

namespace {

// The vertical geometry of a window operator: all a band needs.
struct RowGeometry {
  int32_t in_h = 0, out_h = 0;
  int32_t stride = 1, dilation = 1, pad = 0, filter_h = 1;
  int64_t in_row_bytes = 0, out_row_bytes = 0;
};

std::optional<RowGeometry> row_geometry(const ir::Model& model, const ir::Operator& op) {
  rt::Shape4 in{}, out{};
  rt::Window2D w{};
  int32_t filter_h = 1;
  try {
    switch (op.type) {
      case ir::OpType::kConv2D: {
        const exec::Conv2DPrepared p = exec::prepare_conv2d(model, op);
        if (p.dtype != ir::DType::kInt8 && p.dtype != ir::DType::kFloat32) return std::nullopt;
        in = p.input_shape, out = p.output_shape, filter_h = p.filter_shape.h;
        w = p.dtype == ir::DType::kInt8 ? p.params.window : p.float_params.window;
        break;
      }
      case ir::OpType::kDepthwiseConv2D: {
        const exec::DepthwiseConv2DPrepared p = exec::prepare_depthwise_conv2d(model, op);
        if (p.dtype != ir::DType::kInt8 && p.dtype != ir::DType::kFloat32) return std::nullopt;
        in = p.input_shape, out = p.output_shape, filter_h = p.filter_shape.h;
        w = p.dtype == ir::DType::kInt8 ? p.params.window : p.float_params.window;
        break;
      }
      case ir::OpType::kAveragePool2D:
      case ir::OpType::kMaxPool2D: {
        const exec::Pool2DPrepared p = exec::prepare_pool2d(model, op);
        const bool f = p.dtype == ir::DType::kFloat32;
        in = p.input_shape, out = p.output_shape;
        w = f ? p.float_params.window : p.params.window;
        filter_h = f ? p.float_params.filter_h : p.params.filter_h;
        break;
      }
      default:
        return std::nullopt;
    }
  } catch (const Error&) {
    return std::nullopt;  // the emitter reports what is wrong with the operator
  }
  if (in.n != 1 || out.n != 1) return std::nullopt;
  const int64_t in_elem = ir::dtype_size(model.tensor(op.inputs[0]).dtype);
  const int64_t out_elem = ir::dtype_size(model.tensor(op.outputs[0]).dtype);
  return RowGeometry{in.h,
                     out.h,
                     w.stride_h,
                     w.dilation_h,
                     w.pad_h,
                     filter_h,
                     int64_t{in.w} * in.c * in_elem,
                     int64_t{out.w} * out.c * out_elem};
}

// How many operators read `tensor`.
int readers(const ir::Model& model, int32_t tensor) {
  int n = 0;
  for (const ir::Operator& op : model.operators)
    for (int32_t t : op.inputs) n += t == tensor;
  return n;
}

bool is_model_output(const ir::Model& model, int32_t tensor) {
  return std::find(model.outputs.begin(), model.outputs.end(), tensor) != model.outputs.end();
}

}  // namespace

bool patchable_op(const ir::Model& model, int32_t index) {
  const ir::Operator& op = model.operators.at(static_cast<size_t>(index));
  if (op.inputs.empty() || op.outputs.size() != 1 || op.inputs[0] == ir::kNoTensor) return false;
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  if (input.is_constant() || input.is_variable) return false;
  for (size_t i = 1; i < op.inputs.size(); ++i)
    if (op.inputs[i] != ir::kNoTensor && !model.tensor(op.inputs[i]).is_constant()) return false;
  return row_geometry(model, op).has_value();
}

std::optional<PatchStage> make_patch_stage(const ir::Model& model, int32_t first_op,
                                           int32_t last_op, int32_t rows_per_band) {
  const auto n_ops = static_cast<int32_t>(model.operators.size());
  if (first_op < 0 || last_op >= n_ops || last_op <= first_op || rows_per_band < 1)
    return std::nullopt;
  std::vector<RowGeometry> geometry;
  for (int32_t k = first_op; k <= last_op; ++k) {
    if (!patchable_op(model, k)) return std::nullopt;
    const ir::Operator& op = model.operators[static_cast<size_t>(k)];
    if (k > first_op) {
      // A chain: this operator reads what the previous one wrote, and nothing else does.
      const int32_t previous = model.operators[static_cast<size_t>(k - 1)].outputs[0];
      if (op.inputs[0] != previous || readers(model, previous) != 1 ||
          is_model_output(model, previous))
        return std::nullopt;
    }
    geometry.push_back(*row_geometry(model, op));
  }
  const size_t ops = geometry.size();
  PatchStage stage;
  stage.first_op = first_op;
  stage.last_op = last_op;
  stage.input = model.operators[static_cast<size_t>(first_op)].inputs[0];
  stage.output = model.operators[static_cast<size_t>(last_op)].outputs[0];
  stage.rows_per_band = rows_per_band;
  stage.row_bytes.resize(ops - 1);
  stage.max_rows.assign(ops - 1, 0);
  for (size_t j = 0; j + 1 < ops; ++j) stage.row_bytes[j] = geometry[j].out_row_bytes;

  const int32_t out_h = geometry.back().out_h;
  if (rows_per_band >= out_h) return std::nullopt;  // one band: nothing saved
  std::vector<int64_t> rows_computed(ops, 0);
  for (int32_t a = 0; a < out_h; a += rows_per_band) {
    std::vector<BandStep> band(ops);
    int32_t row = a, end = std::min(out_h, a + rows_per_band);
    for (size_t j = ops; j-- > 0;) {
      const RowGeometry& g = geometry[j];
      const int64_t lo = int64_t{row} * g.stride - g.pad;
      const int64_t hi =
          int64_t{end - 1} * g.stride - g.pad + int64_t{g.filter_h - 1} * g.dilation + 1;
      const int64_t r0 = std::max<int64_t>(0, lo), r1 = std::min<int64_t>(g.in_h, hi);
      if (r1 <= r0) return std::nullopt;  // a band reading only padding: not worth the case
      band[j] = {static_cast<int32_t>(r0), static_cast<int32_t>(r1 - r0),
                 static_cast<int32_t>(r0 - lo), row, end - row};
      rows_computed[j] += end - row;
      row = static_cast<int32_t>(r0);
      end = static_cast<int32_t>(r1);
    }
    for (size_t j = 0; j + 1 < ops; ++j)
      stage.max_rows[j] = std::max(stage.max_rows[j], band[j].out_rows);
    stage.steps.push_back(std::move(band));
  }
  for (size_t j = 0; j < ops; ++j) {
    const ir::Operator& op = model.operators[static_cast<size_t>(first_op) + j];
    const int64_t macs = ir::op_macs(model, op);
    stage.macs += macs;
    // MACs scale with output rows; the halo rows are the ones computed more than once.
    stage.extra_macs += macs * (rows_computed[j] - geometry[j].out_h) / geometry[j].out_h;
  }
  // Bands no smaller than the whole tensors save nothing.
  for (size_t j = 0; j + 1 < ops; ++j)
    if (stage.max_rows[j] >= geometry[j].out_h) return std::nullopt;
  return stage;
}

std::optional<PatchStage> choose_patch_stage(
    const ir::Model& model, const std::map<int32_t, ExplicitPadding>& padded,
    const std::function<int64_t(const PatchStage&)>& arena_of, int64_t baseline) {
  const auto n_ops = static_cast<int32_t>(model.operators.size());
  int64_t model_macs = 0;
  for (const ir::Operator& op : model.operators) model_macs += ir::op_macs(model, op);
  std::optional<PatchStage> best;
  int64_t best_arena = baseline;
  for (int32_t first = 0; first < std::min(n_ops, kStageStarts); ++first) {
    for (int32_t last = first + 1; last < std::min(n_ops, first + kMaxStageOps); ++last) {
      if (padded.count(last)) break;
      if (padded.count(first)) break;
      for (int32_t rows : {1, 2, 3, 4, 6, 8}) {
        std::optional<PatchStage> stage = make_patch_stage(model, first, last, rows);
        if (!stage) continue;
        if (static_cast<double>(stage->extra_macs) >
            kMaxExtraMacs * static_cast<double>(model_macs))
          continue;
        const int64_t arena = arena_of(*stage);
        if (arena < best_arena ||
            (best && arena == best_arena && stage->extra_macs < best->extra_macs)) {
          best_arena = arena;
          best = std::move(stage);
        }
      }
      if (!patchable_op(model, last)) break;
    }
  }
  return best;
}

int64_t band_buffer_bytes(const PatchStage& stage, size_t j) {
  return stage.row_bytes.at(j) * stage.max_rows.at(j);
}

std::string describe_patch_stage(const ir::Model& model, const PatchStage& stage) {
  return fmt::format(
      "operators {}..{} ({} -> {}) in {} bands of {} output rows; {} extra MACs ({:.1f}% of "
      "the stage's {})",
      stage.first_op, stage.last_op, fmt::join(model.tensor(stage.input).shape, "x"),
      fmt::join(model.tensor(stage.output).shape, "x"), stage.steps.size(), stage.rows_per_band,
      stage.extra_macs,
      stage.macs ? 100.0 * static_cast<double>(stage.extra_macs) / static_cast<double>(stage.macs)
                 : 0.0,
      stage.macs);
}

}  // namespace kiln::compiler
