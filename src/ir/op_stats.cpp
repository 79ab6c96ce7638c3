#include "ir/op_stats.h"

#include <set>

namespace kiln::ir {

namespace {

int64_t elements(const Model& model, int32_t index) {
  return index == kNoTensor ? 0 : model.tensor(index).num_elements();
}

int32_t dim(const Tensor& t, size_t i) {
  return i < t.shape.size() ? t.shape[i] : 1;
}

bool has_weights(OpType t) {
  return t == OpType::kConv2D || t == OpType::kDepthwiseConv2D || t == OpType::kFullyConnected ||
         t == OpType::kUnidirectionalSequenceLstm;
}

}  // namespace

int64_t op_macs(const Model& model, const Operator& op) {
  if (op.inputs.size() < 2 || op.outputs.empty() || op.inputs[1] == kNoTensor) return 0;
  const Tensor& out = model.tensor(op.outputs[0]);
  const Tensor& weights = model.tensor(op.inputs[1]);
  switch (op.type) {
    case OpType::kConv2D:  // filter [out_c, kh, kw, in_c]: each output sums kh*kw*in_c
      return out.num_elements() * dim(weights, 1) * dim(weights, 2) * dim(weights, 3);
    case OpType::kDepthwiseConv2D:  // filter [1, kh, kw, out_c]: each output sums kh*kw
      return out.num_elements() * dim(weights, 1) * dim(weights, 2);
    case OpType::kFullyConnected:  // filter [units, depth]
      return out.num_elements() * dim(weights, 1);
    case OpType::kUnidirectionalSequenceLstm: {
      // Per time step: 4 gates × (input weights + recurrent weights) over the batch.
      const Tensor& in = model.tensor(op.inputs[0]);
      int64_t steps_times_batch = in.shape.size() == 3 ? int64_t{dim(in, 0)} * dim(in, 1) : 1;
      int64_t per_step = 0;
      for (size_t i = 1; i <= 8 && i < op.inputs.size(); ++i)
        per_step += elements(model, op.inputs[i]);
      return steps_times_batch * per_step;
    }
    default:
      return 0;
  }
}

ModelStats model_stats(const Model& model) {
  ModelStats s;
  std::set<int32_t> counted;  // a weight shared by two ops counts once
  for (const Operator& op : model.operators) {
    s.macs += op_macs(model, op);
    if (!has_weights(op.type)) continue;
    for (size_t i = 1; i < op.inputs.size(); ++i) {
      const int32_t t = op.inputs[i];
      if (t == kNoTensor || !model.tensor(t).is_constant()) continue;
      if (counted.insert(t).second) s.parameters += model.tensor(t).num_elements();
    }
  }
  for (const Tensor& t : model.tensors)
    if (t.is_constant()) s.constant_bytes += static_cast<int64_t>(t.data.size());
  return s;
}

}  // namespace kiln::ir
