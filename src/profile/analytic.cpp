#include "profile/analytic.h"

#include <cmath>

#include "ir/op_stats.h"

namespace kiln::profile {

namespace {

// instructions = per_mac * MACs + per_output * output elements + per_input * input elements
//              + fixed;  cycles = instructions * cycles_per_instruction.
struct OpCost {
  double per_mac;
  double per_output;
  double per_input;
  double fixed;
  double cycles_per_instruction;
};

OpCost cost_of(ir::OpType type) {
  using ir::OpType;
  switch (type) {
    case OpType::kConv2D: return {12.0, 20.0, 0.0, 200.0, 1.35};
    case OpType::kDepthwiseConv2D: return {14.0, 20.0, 0.0, 200.0, 1.35};
    case OpType::kFullyConnected: return {14.0, 30.0, 0.0, 150.0, 1.35};
    case OpType::kUnidirectionalSequenceLstm: return {14.0, 120.0, 0.0, 2000.0, 1.35};
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: return {0.0, 20.0, 8.0, 100.0, 1.4};
    case OpType::kMean: return {0.0, 40.0, 8.0, 100.0, 1.4};
    case OpType::kSoftmax: return {0.0, 150.0, 0.0, 200.0, 1.3};
    case OpType::kReshape:
    case OpType::kSqueeze:
    case OpType::kExpandDims: return {0.0, 0.3, 0.0, 20.0, 1.5};
    case OpType::kLogistic:
    case OpType::kTanh: return {0.0, 60.0, 0.0, 80.0, 1.3};
    default: return {0.0, 25.0, 0.0, 80.0, 1.4};
  }
}

int64_t elements_of(const ir::Model& model, const std::vector<int32_t>& tensors) {
  if (tensors.empty() || tensors[0] == ir::kNoTensor) return 0;
  return model.tensor(tensors[0]).num_elements();
}

}  // namespace

AnalyticEstimate analytic_estimate(const ir::Model& model) {
  AnalyticEstimate e;
  for (const ir::Operator& op : model.operators) {
    const OpCost c = cost_of(op.type);
    OpEstimate o;
    o.op = ir::op_name(op.type);
    o.macs = ir::op_macs(model, op);
    o.elements = elements_of(model, op.outputs);
    const int64_t in = elements_of(model, op.inputs);
    const double instructions = c.per_mac * static_cast<double>(o.macs) +
                                c.per_output * static_cast<double>(o.elements) +
                                c.per_input * static_cast<double>(in) + c.fixed;
    o.instructions = static_cast<uint64_t>(std::llround(instructions));
    o.cycles = static_cast<uint64_t>(std::llround(instructions * c.cycles_per_instruction));
    e.instructions += o.instructions;
    e.cycles += o.cycles;
    e.ops.push_back(o);
  }
  return e;
}

}  // namespace kiln::profile
