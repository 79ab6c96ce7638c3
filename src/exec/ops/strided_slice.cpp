#include "exec/ops/strided_slice.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "core/error.h"
#include "exec/ops/shape_op_util.h"

namespace kiln::exec {

namespace {

// One input axis after the sparse index spec has been expanded to one entry per axis.
struct AxisSpec {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t stride = 1;
  bool begin_masked = true;  // a whole-axis entry (from an ellipsis or missing trailing spec)
  bool end_masked = true;
  bool shrink = false;
};

struct ResolvedAxis {
  int64_t start;
  int64_t count;
};

int64_t ceil_div(int64_t num, int64_t den) {
  return (num + den - 1) / den;
}

ResolvedAxis resolve_axis(const AxisSpec& s, int64_t dim, bool offset, size_t axis) {
  const int64_t lo = s.stride > 0 ? 0 : -1;
  const int64_t hi = s.stride > 0 ? dim : dim - 1;
  int64_t start = s.begin < 0 ? s.begin + dim : s.begin;
  start = std::clamp(start, lo, hi);
  if (s.begin_masked) start = s.stride > 0 ? 0 : dim - 1;

  if (s.shrink) {
    // TFLM walks [start, start + 1) with the given stride: only a positive stride and an
    // in-range start produce the one element the output shape promises.
    if (s.stride < 0)
      throw Error(fmt::format("STRIDED_SLICE: shrunk axis {} needs a positive stride", axis));
    if (start >= dim)
      throw Error(
          fmt::format("STRIDED_SLICE: begin {} is out of range on shrunk axis {} of size {}",
                      s.begin, axis, dim));
    return {start, 1};
  }

  int64_t stop = s.end;
  if (offset) stop += start;
  if (stop < 0) stop += dim;
  stop = std::clamp(stop, lo, hi);
  if (s.end_masked) stop = s.stride > 0 ? dim : -1;

  const int64_t count = s.stride > 0 ? (stop > start ? ceil_div(stop - start, s.stride) : 0)
                                     : (start > stop ? ceil_div(start - stop, -s.stride) : 0);
  return {start, count};
}

}  // namespace

StridedSlicePrepared prepare_strided_slice(const ir::Model& model, const ir::Operator& op) {
  require_operands(op, 4, 4, "STRIDED_SLICE");
  const ir::Tensor& input = model.tensor(op.inputs[0]);
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  if (input.dtype != output.dtype)
    throw Error(fmt::format("STRIDED_SLICE: input is {} but output is {}",
                            ir::dtype_name(input.dtype), ir::dtype_name(output.dtype)));
  if (input.dtype != ir::DType::kFloat32 && input.dtype != ir::DType::kInt8 &&
      input.dtype != ir::DType::kInt16 && input.dtype != ir::DType::kInt32)
    throw Error(fmt::format("STRIDED_SLICE: unsupported type {}", ir::dtype_name(input.dtype)));
  const size_t rank = input.shape.size();
  if (rank > rt::kStridedSliceMaxRank)
    throw Error(fmt::format("STRIDED_SLICE: input rank {} exceeds {}", rank,
                            int{rt::kStridedSliceMaxRank}));

  const auto begin = constant_int_values(model.tensor(op.inputs[1]), "STRIDED_SLICE", "begin");
  const auto end = constant_int_values(model.tensor(op.inputs[2]), "STRIDED_SLICE", "end");
  const auto strides = constant_int_values(model.tensor(op.inputs[3]), "STRIDED_SLICE", "strides");
  if (end.size() != begin.size() || strides.size() != begin.size())
    throw Error(fmt::format("STRIDED_SLICE: begin, end and strides have {}, {} and {} entries",
                            begin.size(), end.size(), strides.size()));
  const size_t n = begin.size();
  if (n > 32) throw Error(fmt::format("STRIDED_SLICE: {} index entries are too many", n));

  const auto* options = std::get_if<ir::StridedSliceOptions>(&op.options);
  const ir::StridedSliceOptions opts = options != nullptr ? *options : ir::StridedSliceOptions{};
  const auto bits = [](int32_t mask) { return static_cast<uint32_t>(mask); };
  if (std::popcount(bits(opts.ellipsis_mask)) > 1)
    throw Error("STRIDED_SLICE: more than one ellipsis");

  // Expand the sparse spec: an ellipsis stands for as many whole axes as the entries after it
  // leave over, a new axis consumes no input axis, and missing trailing entries are whole axes.
  std::vector<AxisSpec> axes;
  std::vector<int> layout;  // per output dimension: an index into `axes`, or -1 for a new axis
  const auto add_whole_axis = [&] {
    axes.push_back(AxisSpec{});
    layout.push_back(static_cast<int>(axes.size()) - 1);
  };
  for (size_t i = 0; i < n; ++i) {
    const uint32_t bit = uint32_t{1} << i;
    if (bits(opts.ellipsis_mask) & bit) {
      size_t real_after = 0;
      for (size_t j = i + 1; j < n; ++j)
        if (!(bits(opts.new_axis_mask) & (uint32_t{1} << j))) ++real_after;
      if (axes.size() + real_after > rank)
        throw Error(fmt::format("STRIDED_SLICE: {} index entries for a rank-{} input", n, rank));
      while (axes.size() + real_after < rank) add_whole_axis();
    } else if (bits(opts.new_axis_mask) & bit) {
      layout.push_back(-1);
    } else {
      if (axes.size() >= rank)
        throw Error(fmt::format("STRIDED_SLICE: {} index entries for a rank-{} input", n, rank));
      if (strides[i] == 0) throw Error(fmt::format("STRIDED_SLICE: stride of entry {} is zero", i));
      AxisSpec s;
      s.begin = begin[i];
      s.end = end[i];
      s.stride = strides[i];
      s.begin_masked = (bits(opts.begin_mask) & bit) != 0;
      s.end_masked = (bits(opts.end_mask) & bit) != 0;
      s.shrink = (bits(opts.shrink_axis_mask) & bit) != 0;
      axes.push_back(s);
      if (!s.shrink) layout.push_back(static_cast<int>(axes.size()) - 1);
    }
  }
  while (axes.size() < rank) add_whole_axis();

  StridedSlicePrepared prepared{};
  prepared.dtype = input.dtype;
  const size_t lead = rt::kStridedSliceMaxRank - rank;
  for (size_t a = 0; a < rt::kStridedSliceMaxRank; ++a) {
    prepared.params.input_shape[a] = 1;
    prepared.params.start[a] = 0;
    prepared.params.stride[a] = 1;
    prepared.params.count[a] = 1;
  }
  std::vector<int64_t> counts(rank);
  for (size_t a = 0; a < rank; ++a) {
    const ResolvedAxis r = resolve_axis(axes[a], input.shape[a], opts.offset, a);
    counts[a] = r.count;
    prepared.params.input_shape[lead + a] = input.shape[a];
    // An empty axis never indexes the input; keep its start a harmless 0.
    prepared.params.start[lead + a] = r.count > 0 ? static_cast<int32_t>(r.start) : 0;
    prepared.params.stride[lead + a] =
        static_cast<int32_t>(std::clamp<int64_t>(axes[a].stride, INT32_MIN, INT32_MAX));
    prepared.params.count[lead + a] = static_cast<int32_t>(r.count);
  }
  for (int entry : layout)
    prepared.output_shape.push_back(entry < 0 ? 1 : static_cast<int32_t>(counts[entry]));
  if (prepared.output_shape != output.shape)
    throw Error(fmt::format("STRIDED_SLICE: the slice has shape {} but the output tensor is {}",
                            shape_text(prepared.output_shape), shape_text(output.shape)));
  return prepared;
}

namespace {

class StridedSliceKernel : public Kernel {
 public:
  StridedSliceKernel(const ir::Operator& op, StridedSlicePrepared prepared)
      : op_(op), p_(std::move(prepared)) {}

  void run(const TensorMemory& m) override {
    const int32_t in = op_.inputs[0], out = op_.outputs[0];
    rt::Status s = rt::kUnsupported;
    switch (p_.dtype) {
      case ir::DType::kFloat32:
        s = rt::strided_slice_float(p_.params, m.get<float>(in), m.get<float>(out));
        break;
      case ir::DType::kInt8:
        s = rt::strided_slice_int8(p_.params, m.get<int8_t>(in), m.get<int8_t>(out));
        break;
      case ir::DType::kInt16:
        s = rt::strided_slice_int16(p_.params, m.get<int16_t>(in), m.get<int16_t>(out));
        break;
      case ir::DType::kInt32:
        s = rt::strided_slice_int32(p_.params, m.get<int32_t>(in), m.get<int32_t>(out));
        break;
      default:
        break;
    }
    check_status(s, op_);
  }

 private:
  const ir::Operator& op_;
  StridedSlicePrepared p_;
};

}  // namespace

KernelPtr make_strided_slice_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kStridedSlice) return nullptr;
  return std::make_unique<StridedSliceKernel>(op, prepare_strided_slice(model, op));
}

}  // namespace kiln::exec
