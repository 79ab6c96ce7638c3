// Where an operator's output may be placed over an input it reads for the last time, so that
// the two need less memory than side by side. Two mechanisms:
//
// Shifted output, normal kernel. The window kernels (CONV_2D, DEPTHWISE_CONV_2D,
// AVERAGE_POOL_2D, MAX_POOL_2D in runtime/) compute one output element at a time, in memory
// order, reading its whole window before storing it, through pointers that may alias. Storing
// element o at input + delta + o (bytes scaled by the element sizes) is then harmless unless a
// later output element still reads that address. Walking the outputs backwards with the lowest
// input address any later output reads gives the largest safe delta; every smaller delta is safe
// as well. The window kernels must keep that loop order: the property test in
// tests/compiler/output_sharing_test.cpp runs them on overlapping memory to hold them to it.
//
// In-place kernel. The int8 depthwise kernel with one filter per channel and the int8 pointwise
// kernel have variants that work through a small scratch (runtime/depthwise_conv2d_in_place.h,
// runtime/conv2d_pointwise_in_place.h, where the safety argument is written down): the
// depthwise output starts exactly at its input, the pointwise output at most
// conv2d_pointwise_in_place_lead bytes before it.
#pragma once

#include <cstdint>
#include <optional>

#include "ir/model.h"
#include "runtime/common.h"
#include "runtime/conv_common.h"

namespace kiln::compiler {

struct OutputSharing {
  int32_t op = -1;               // operator index
  int32_t input = -1;            // tensor the operator reads for the last time (its input 0)
  int32_t output = -1;           // tensor it writes
  int64_t delta = 0;             // required start of the output minus start of the input, bytes
  bool at_most = true;           // any smaller delta is safe as well
  bool in_place_kernel = false;  // needs the operator's in-place kernel variant
  int64_t scratch_bytes = 0;     // scratch that kernel needs while the operator runs
};

struct OutputSharingOptions {
  std::optional<OutputSharing> shifted;   // with the normal kernel
  std::optional<OutputSharing> in_place;  // with the in-place kernel
};

// The options operator `op_index` has; none for operators not covered above. Only the
// activation input may be shared: the others must be constants. `fast_kernel` says which kernel
// variant the operator runs (op_emitter.h): the in-place variants' scratch differs.
OutputSharingOptions output_sharing_options(const ir::Model& model, int32_t op_index,
                                            bool fast_kernel = true);

// How a window kernel reads: output [N, OH, OW, C_out] element (n, y, x, c) reads input rows
// y * stride_h - pad_h + ky * dilation_h (ky < filter_h, inside the input), columns likewise,
// and input channels from (c / outputs_per_group) * inputs_per_group on.
struct WindowReads {
  rt::Shape4 input;
  rt::Shape4 output;
  rt::Window2D window;
  int32_t filter_h = 1;
  int32_t filter_w = 1;
  int32_t outputs_per_group = 1;  // conv: filters per group; depthwise: depth multiplier; pool: 1
  int32_t inputs_per_group = 1;   // conv: input channels per group; depthwise and pool: 1
  int64_t input_element_bytes = 1;
  int64_t output_element_bytes = 1;
};

// The largest delta (bytes, at most the input's size) at which a window kernel can write its
// output over its input, as described at the top.
int64_t shifted_output_max_delta(const WindowReads& reads);

}  // namespace kiln::compiler
