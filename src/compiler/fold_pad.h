// Folds a PAD into the convolution it feeds: Kiln's convolution kernels already treat positions
// outside their input as contributing nothing, so a zero-point PAD on H and W followed by a
// VALID convolution is the same computation as that convolution reading the unpadded input with
// explicit leading padding. The PAD's output buffer (and its copy) disappear from the plan.
#pragma once

#include <cstdint>
#include <map>

#include "ir/model.h"

namespace kiln::compiler {

// The padding a folded convolution applies itself. The IR's options only say SAME or VALID, so
// the emitter prepares the operator against `padded_input` (the removed PAD's output, still in
// the model's tensor list but produced by no operator) and then overrides the input shape and
// the window's leading padding.
struct ExplicitPadding {
  int32_t pad_h = 0;  // rows before the first input row
  int32_t pad_w = 0;  // columns before the first input column
  int32_t padded_input = -1;
};

struct FoldedModel {
  ir::Model model;
  std::map<int32_t, ExplicitPadding> explicit_padding;  // by operator index in `model`
};

// Removes every PAD whose folding into its single CONV_2D / DEPTHWISE_CONV_2D consumer is
// provably bit-exact (int8 or float32, 4-D, padding on H and W only, pad value equal to the zero
// point, VALID convolution, leading padding within the kernel's window reach); everything else
// is left unchanged.
FoldedModel fold_pad_into_conv(const ir::Model& model);

}  // namespace kiln::compiler
