// How one operator becomes C++: each supported operator has an emitter that runs the same
// prepare step as the host executor and spells its results as constants plus one kernel call.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "compiler/fold_pad.h"
#include "ir/model.h"
#include "runtime/common.h"
#include "runtime/fully_connected.h"

namespace kiln::compiler {

// What an emitter may ask about the surrounding program.
struct EmitContext {
  const ir::Model& model;
  const ir::Operator& op;
  int32_t op_index;
  std::string prefix;  // unique identifier prefix for this operator's constants, e.g. "op3"

  // Pointer expressions for tensor data of C type `c_type`: arena slots or weight arrays.
  std::function<std::string(int32_t tensor, const std::string& c_type)> input;
  std::function<std::string(int32_t tensor, const std::string& c_type)> output;
  // True if both tensors occupy the same memory (aliased reshape, in-place operator).
  std::function<bool(int32_t a, int32_t b)> same_memory;
  // Pointer to this operator's scratch region (its size reported by the emitter).
  std::function<std::string(const std::string& c_type)> scratch;
  // The memory plan put this operator's output over its input for its in-place kernel
  // (compiler/output_sharing.h): the emitter must call that kernel, with `scratch`.
  bool in_place = false;
  // A convolution that took over a folded PAD (compiler/fold_pad.h), else null.
  const ExplicitPadding* explicit_padding = nullptr;
  // Which kernel variant the plan chose (op_scratch_bytes): the fast one (runtime/*_fast.h,
  // needs scratch) or the portable one (none). With pack_filters the fast convolution's filter
  // is widened to 16 bits ahead of time: quicker, but twice its flash.
  bool fast_kernel = true;
  bool pack_filters = true;
  // Inside a patch stage's band loop (patch_stage.h): shapes and window parameters become copies
  // adjusted to the current band (a `const BandStep& step` in scope), see geometry_constant.
  bool in_band = false;
};

struct EmittedOp {
  std::set<std::string> runtime_files;  // device sources the call needs, e.g. "runtime/conv2d.h"
  std::string constants;                // definitions placed before the invoke function
  std::string call;                     // statements assigning `status`
  std::string band_setup;               // in a band loop: the band's copies of the geometry
  int64_t constant_bytes = 0;           // bytes of the per-operator constant arrays emitted
};

// Scratch bytes operator `op` needs (0 for most) with its fast kernel variant, or with the
// portable one (`fast` false; none needs scratch). `packed_filters`: the compiler packs filters
// ahead of time (EmitContext::pack_filters), so convolutions run conv2d_int8_fast_packed.
// Throws kiln::Error if unsupported.
int64_t op_scratch_bytes(const ir::Model& model, const ir::Operator& op, bool fast = true,
                         bool packed_filters = false);

// True if the operator has a fast variant that differs from the portable kernel: int8
// convolutions and depthwise convolutions, fully connected layers (fully_connected_runs_fast), and
// int8 LSTMs (runtime/lstm_fast.h, always with packed weights).
bool has_fast_kernel(const ir::Model& model, const ir::Operator& op);

// An int8 depthwise convolution of a single input channel is an ordinary convolution with
// depth_multiplier filters of depth 1, and the compiler runs it as one (conv2d_int8_fast_packed,
// the filter transposed ahead of time): the same sums, bias and requantization per output
// channel, with the fast kernel's SMLAD loops instead of one multiply per tap.
bool depthwise_runs_as_conv(const ir::Model& model, const ir::Operator& op);

// An int8 FULLY_CONNECTED with a constant int8 filter has a fast kernel
// (runtime/fully_connected_fast.h), its filter reordered here, ahead of time.
bool fully_connected_runs_fast(const ir::Model& model, const ir::Operator& op);

// Speed mode runs a fast fully connected layer with one input value per row as a table of its
// 256 possible output rows (runtime/fully_connected_lookup.h), computed here by the reference
// kernel, when the table takes at most kMaxLookupTableBytes of flash and the bias is a constant.
constexpr int64_t kMaxLookupTableBytes = 16 * 1024;
bool fully_connected_runs_as_lookup(const ir::Model& model, const ir::Operator& op);

// Emits one operator. Throws kiln::Error naming the operator and types if unsupported.
EmittedOp emit_op(const EmitContext& ctx);

// Per-family emitters; each returns false when it does not handle ctx.op.
bool emit_conv_family(const EmitContext& ctx, EmittedOp& out);
bool emit_arithmetic_family(const EmitContext& ctx, EmittedOp& out);
bool emit_shape_family(const EmitContext& ctx, EmittedOp& out);
bool emit_lstm_family(const EmitContext& ctx, EmittedOp& out);

}  // namespace kiln::compiler
