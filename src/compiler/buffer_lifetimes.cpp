#include "compiler/buffer_lifetimes.h"

#include <fmt/format.h>

#include <algorithm>

namespace kiln::compiler {

bool is_alias_op(ir::OpType type) {
  return type == ir::OpType::kReshape || type == ir::OpType::kSqueeze ||
         type == ir::OpType::kExpandDims;
}

namespace {

// Operators that compute output[i] from input[i] alone (reading before writing), so the output
// may take the memory of an input it reads for the last time when both have the same size.
bool is_elementwise_in_place_safe(ir::OpType type) {
  switch (type) {
    case ir::OpType::kRelu:
    case ir::OpType::kRelu6:
    case ir::OpType::kLeakyRelu:
    case ir::OpType::kLogistic:
    case ir::OpType::kTanh:
    case ir::OpType::kAdd:
    case ir::OpType::kSub:
    case ir::OpType::kMul:
      return true;
    default:
      return false;
  }
}

}  // namespace

ModelBuffers collect_buffers(const ir::Model& model, const std::vector<int64_t>& extra_scratch,
                             const std::vector<OutputSharing>& shared) {
  ModelBuffers out;
  std::vector<int64_t> scratch = extra_scratch;
  scratch.resize(std::max(scratch.size(), model.operators.size()), 0);
  for (const OutputSharing& s : shared)
    if (s.op >= 0 && static_cast<size_t>(s.op) < scratch.size())
      scratch[static_cast<size_t>(s.op)] += s.scratch_bytes;
  const auto n_tensors = model.tensors.size();
  const auto last = static_cast<int32_t>(model.operators.size());  // "after the last op"
  out.buffer_of_tensor.assign(n_tensors, -1);

  auto new_buffer = [&](int32_t tensor, int32_t first) {
    const ir::Tensor& t = model.tensor(tensor);
    out.buffers.push_back({t.name, t.num_bytes(), first, first});
    out.buffer_of_tensor[static_cast<size_t>(tensor)] =
        static_cast<int32_t>(out.buffers.size() - 1);
  };
  auto extend = [&](int32_t tensor, int32_t op) {
    const int32_t b = out.buffer_of_tensor[static_cast<size_t>(tensor)];
    if (b >= 0)
      out.buffers[static_cast<size_t>(b)].last_op =
          std::max(out.buffers[static_cast<size_t>(b)].last_op, op);
  };
  auto needs_buffer = [&](int32_t tensor) {
    const ir::Tensor& t = model.tensor(tensor);
    return !t.is_constant() || t.is_variable;
  };

  // Model inputs and state exist before the first operator.
  for (int32_t t : model.inputs)
    if (out.buffer_of_tensor[static_cast<size_t>(t)] < 0) new_buffer(t, -1);
  for (size_t t = 0; t < n_tensors; ++t)
    if (model.tensors[t].is_variable && out.buffer_of_tensor[t] < 0) {
      new_buffer(static_cast<int32_t>(t), -1);
      out.buffers.back().last_op = last;
    }

  for (int32_t k = 0; k < last; ++k) {
    const ir::Operator& op = model.operators[static_cast<size_t>(k)];
    for (int32_t t : op.inputs)
      if (t != ir::kNoTensor) extend(t, k);
    for (int32_t t : op.outputs) {
      if (!needs_buffer(t) || out.buffer_of_tensor[static_cast<size_t>(t)] >= 0) continue;
      const int32_t in = op.inputs.empty() ? ir::kNoTensor : op.inputs[0];
      if (is_alias_op(op.type) && in != ir::kNoTensor &&
          out.buffer_of_tensor[static_cast<size_t>(in)] >= 0 &&
          model.tensor(in).num_bytes() == model.tensor(t).num_bytes()) {
        out.buffer_of_tensor[static_cast<size_t>(t)] =
            out.buffer_of_tensor[static_cast<size_t>(in)];
        continue;
      }
      new_buffer(t, k);
      if (is_elementwise_in_place_safe(op.type)) {
        for (int32_t i : op.inputs) {
          if (i == ir::kNoTensor || model.tensor(i).is_constant()) continue;
          const int32_t b = out.buffer_of_tensor[static_cast<size_t>(i)];
          if (b < 0 || model.tensor(i).shape != model.tensor(t).shape ||
              model.tensor(i).dtype != model.tensor(t).dtype)
            continue;
          out.overlaps.push_back({static_cast<size_t>(b), out.buffers.size() - 1});
        }
      }
    }
    if (scratch[static_cast<size_t>(k)] > 0)
      out.buffers.push_back(
          {fmt::format("scratch_op{}", k), scratch[static_cast<size_t>(k)], k, k});
  }
  // Outputs must survive the whole invocation.
  for (int32_t t : model.outputs) extend(t, last);

  for (const OutputSharing& s : shared) {
    const int32_t a = out.buffer_of_tensor.at(static_cast<size_t>(s.input));
    const int32_t b = out.buffer_of_tensor.at(static_cast<size_t>(s.output));
    if (a < 0 || b < 0 || a == b || out.buffers[static_cast<size_t>(b)].first_op != s.op) continue;
    out.overlaps.push_back({static_cast<size_t>(a), static_cast<size_t>(b), s.delta, s.at_most});
  }

  // An in-place pair is only legal if the input is read for the last time by that operator.
  std::erase_if(out.overlaps, [&](const AllowedOverlap& o) {
    return out.buffers[o.a].last_op != out.buffers[o.b].first_op;
  });
  return out;
}

}  // namespace kiln::compiler
