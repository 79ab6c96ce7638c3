#include "compiler/fold_pad.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "exec/ops/conv2d.h"
#include "exec/ops/depthwise_conv2d.h"
#include "exec/ops/pad.h"
#include "runtime/pad.h"

namespace kiln::compiler {

namespace {

bool is_model_output(const ir::Model& model, int32_t tensor) {
  return std::find(model.outputs.begin(), model.outputs.end(), tensor) != model.outputs.end();
}

// How many operand slots of all operators read `tensor`.
int count_reads(const ir::Model& model, int32_t tensor) {
  int reads = 0;
  for (const ir::Operator& op : model.operators)
    reads += static_cast<int>(std::count(op.inputs.begin(), op.inputs.end(), tensor));
  return reads;
}

// The window shape of a convolution, for the kernels' limit on leading padding.
struct ConvWindow {
  int32_t filter_h, filter_w, dilation_h, dilation_w;
};

// False when `conv` is not a VALID convolution or its prepare step rejects it (folding must not
// turn one error into a different one).
bool valid_conv_window(const ir::Model& model, const ir::Operator& conv, ConvWindow* window) {
  try {
    if (conv.type == ir::OpType::kConv2D) {
      const auto& o = std::get<ir::Conv2DOptions>(conv.options);
      if (o.padding != ir::Padding::kValid) return false;
      const exec::Conv2DPrepared p = exec::prepare_conv2d(model, conv);
      *window = {p.filter_shape.h, p.filter_shape.w, o.dilation_h, o.dilation_w};
      return true;
    }
    if (conv.type == ir::OpType::kDepthwiseConv2D) {
      const auto& o = std::get<ir::DepthwiseConv2DOptions>(conv.options);
      if (o.padding != ir::Padding::kValid) return false;
      const exec::DepthwiseConv2DPrepared p = exec::prepare_depthwise_conv2d(model, conv);
      *window = {p.filter_shape.h, p.filter_shape.w, o.dilation_h, o.dilation_w};
      return true;
    }
  } catch (const std::exception&) {
  }
  return false;
}

// A float filter with an infinity or NaN would turn the PAD's zeros into NaN (0 * inf), which
// the kernel's skipped positions never produce.
bool finite_filter(const ir::Tensor& filter) {
  if (!filter.is_constant()) return false;
  const size_t n = filter.data.size() / sizeof(float);
  for (size_t i = 0; i < n; ++i) {
    float v;
    std::memcpy(&v, filter.data.data() + i * sizeof(float), sizeof(float));
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// The padding the convolution `conv` can take over from `pad`, or false if folding would not be
// exact.
bool foldable(const ir::Model& model, const ir::Operator& pad, const ir::Operator& conv,
              ExplicitPadding* folded) {
  if (pad.outputs.size() != 1 || pad.inputs.size() < 2) return false;
  const int32_t pad_in = pad.inputs[0], pad_out = pad.outputs[0];
  if (pad_in == ir::kNoTensor || conv.inputs.empty() || conv.inputs[0] != pad_out) return false;
  const ir::Tensor& in = model.tensor(pad_in);
  const ir::Tensor& out = model.tensor(pad_out);
  if (in.is_constant() || out.is_variable || is_model_output(model, pad_out)) return false;
  if (count_reads(model, pad_out) != 1) return false;
  if (in.shape.size() != 4 || out.shape.size() != 4 || in.dtype != out.dtype) return false;

  exec::PadPrepared p;
  try {
    p = exec::prepare_pad(model, pad);
  } catch (const std::exception&) {
    return false;
  }
  // 4-D NHWC: the kernel's last four axes are N, H, W, C.
  const size_t lead = rt::kPadMaxRank - 4;
  const int32_t* before = p.params.before + lead;
  const int32_t* after = p.params.after + lead;
  if (before[0] != 0 || after[0] != 0 || before[3] != 0 || after[3] != 0) return false;

  // The padded positions must be exactly what the kernel assumes for positions it skips.
  if (in.dtype == ir::DType::kInt8) {
    if (in.quant.per_channel() || in.quant.scale.size() != 1) return false;
    if (in.quant.scale != out.quant.scale || in.quant.zero_point != out.quant.zero_point)
      return false;  // the convolution's input offset and multipliers come from this tensor
    if (p.pad_value_int != out.quant.zero_point[0]) return false;
  } else if (in.dtype == ir::DType::kFloat32) {
    uint32_t bits;
    std::memcpy(&bits, &p.pad_value_float, sizeof(bits));
    if (bits != 0) return false;  // +0.0 only
    if (conv.inputs.size() < 2 || conv.inputs[1] == ir::kNoTensor ||
        !finite_filter(model.tensor(conv.inputs[1])))
      return false;
  } else {
    return false;
  }

  ConvWindow w{};
  if (!valid_conv_window(model, conv, &w)) return false;
  // The kernels accept leading padding up to the window's reach (rt::window2d_valid).
  if (static_cast<int64_t>(before[1]) > static_cast<int64_t>(w.filter_h - 1) * w.dilation_h ||
      static_cast<int64_t>(before[2]) > static_cast<int64_t>(w.filter_w - 1) * w.dilation_w)
    return false;
  *folded = {before[1], before[2], pad_out};
  return true;
}

}  // namespace

FoldedModel fold_pad_into_conv(const ir::Model& model) {
  // Which PAD folds into which consumer, by original operator index.
  std::vector<bool> removed(model.operators.size(), false);
  std::map<size_t, ExplicitPadding> by_original;
  for (size_t k = 0; k < model.operators.size(); ++k) {
    const ir::Operator& pad = model.operators[k];
    if (pad.type != ir::OpType::kPad || pad.outputs.size() != 1) continue;
    for (size_t j = k + 1; j < model.operators.size(); ++j) {
      const ir::Operator& conv = model.operators[j];
      if (std::find(conv.inputs.begin(), conv.inputs.end(), pad.outputs[0]) == conv.inputs.end())
        continue;
      ExplicitPadding e;
      if (foldable(model, pad, conv, &e)) {
        removed[k] = true;
        by_original[j] = e;
      }
      break;  // the first reader is the only one worth looking at
    }
  }

  FoldedModel folded;
  folded.model = model;
  folded.model.operators.clear();
  for (size_t k = 0; k < model.operators.size(); ++k) {
    if (removed[k]) continue;
    ir::Operator op = model.operators[k];
    auto it = by_original.find(k);
    if (it != by_original.end()) {
      // The convolution reads what the PAD read.
      for (const ir::Operator& pad : model.operators)
        if (pad.type == ir::OpType::kPad && pad.outputs.size() == 1 &&
            pad.outputs[0] == it->second.padded_input)
          op.inputs[0] = pad.inputs[0];
      folded.explicit_padding[static_cast<int32_t>(folded.model.operators.size())] = it->second;
    }
    folded.model.operators.push_back(std::move(op));
  }
  return folded;
}

}  // namespace kiln::compiler
