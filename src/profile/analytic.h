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

struct OpEstimate {
  std::string op;        // TFLite operator name
  int64_t macs = 0;      // multiply-accumulates
  int64_t elements = 0;  // output elements (inputs for reductions)
  uint64_t instructions = 0;
  uint64_t cycles = 0;
};

struct AnalyticEstimate {
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  std::vector<OpEstimate> ops;
};

AnalyticEstimate analytic_estimate(const ir::Model& model);

}  // namespace kiln::profile
