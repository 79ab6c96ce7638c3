// Host side of STRIDED_SLICE: turns begin/end/strides and the five masks into, for every input
// axis, the first index, the step and the element count (runtime/strided_slice.h).
//
// Per-axis clamping follows TFLM's reference evaluation exactly: a negative index counts from
// the back, the result is clamped to [0, dim] (positive stride) or [-1, dim - 1] (negative
// stride), begin_mask/end_mask then select the whole axis, `offset` makes end relative to the
// resolved begin, and a shrunk axis takes the single element at begin.
//
// TFLM itself ignores ellipsis_mask and new_axis_mask (and fails on models that use them);
// Kiln expands them as TensorFlow defines them, which leaves every model TFLM runs unchanged.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/strided_slice.h"

namespace kiln::exec {

struct StridedSlicePrepared {
  rt::StridedSliceParams params;
  ir::DType dtype;                    // float32, int8, int16 or int32
  std::vector<int32_t> output_shape;  // implied by the op; equal to the IR output's
};

StridedSlicePrepared prepare_strided_slice(const ir::Model& model, const ir::Operator& op);

// Kernel for STRIDED_SLICE; nullptr for other operators.
KernelPtr make_strided_slice_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
