// The analytic cost model: Cortex-M4 instructions and cycles of one inference predicted from
// per-operator formulas (multiply-accumulates and elements touched), for when the firmware
// cannot be built or emulated. The coefficients describe Kiln's portable kernels compiled at -O2
// and were fitted to exact emulator counts of the golden models (see analytic.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/model.h"

namespace kiln::profile {

// What an operator's cost is predicted from.
struct OpFeatures {
  int64_t macs = 0;     // multiply-accumulates (a convolution's all-zero filter rows left out)
  int64_t taps = 0;     // filter positions visited: output elements x filter height x width
  int64_t outputs = 0;  // output elements
  int64_t inputs = 0;   // elements of the first input
};

struct OpEstimate {
  std::string op;  // TFLite operator name
  OpFeatures features;
  uint64_t instructions = 0;
  uint64_t cycles = 0;
};

struct AnalyticEstimate {
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  std::vector<OpEstimate> ops;
};

// `fast_kernel[k]`: operator k runs its fast kernel variant, as the compiler chose
// (CompiledModel::fast_kernel); empty means all fast, the --opt-speed choice. `speed_tables`:
// what --opt-speed adds beyond the fast kernels is in the code (16-bit fully connected filters,
// the softmax exp table, the DSP pooling variants), as it is unless --opt-memory or
// --portable-kernels.
AnalyticEstimate analytic_estimate(const ir::Model& model,
                                   const std::vector<bool>& fast_kernel = {},
                                   bool speed_tables = true);

OpFeatures op_features(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::profile
