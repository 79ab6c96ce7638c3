#include "compiler/output_sharing.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "exec/ops/conv2d.h"
#include "exec/ops/depthwise_conv2d.h"
#include "exec/ops/pool2d.h"
#include "runtime/conv2d_pointwise_in_place.h"
#include "runtime/depthwise_conv2d_fast.h"
#include "runtime/depthwise_conv2d_in_place.h"

namespace kiln::compiler {

namespace {

// The first tap index k >= 0 with origin + k * dilation >= 0, or `taps` if none.
int32_t first_tap_inside(int32_t origin, int32_t dilation, int32_t taps) {
  if (origin >= 0) return 0;
  const int32_t k = (-origin + dilation - 1) / dilation;
  return std::min(k, taps);
}

}  // namespace

int64_t shifted_output_max_delta(const WindowReads& r) {
  const int64_t input_bytes =
      static_cast<int64_t>(r.input.n) * r.input.h * r.input.w * r.input.c * r.input_element_bytes;
  constexpr int64_t kNothing = std::numeric_limits<int64_t>::max();
  int64_t best = input_bytes;    // beyond the input's end the two do not overlap at all
  int64_t later_min = kNothing;  // lowest input byte read by the outputs after the current one
  const rt::Window2D& w = r.window;
  int64_t o = static_cast<int64_t>(r.output.n) * r.output.h * r.output.w * r.output.c;
  for (int32_t n = r.output.n - 1; n >= 0; --n) {
    for (int32_t y = r.output.h - 1; y >= 0; --y) {
      const int32_t origin_y = y * w.stride_h - w.pad_h;
      const int32_t ky = first_tap_inside(origin_y, w.dilation_h, r.filter_h);
      const int32_t in_y = origin_y + ky * w.dilation_h;
      const bool rows = ky < r.filter_h && in_y < r.input.h;
      for (int32_t x = r.output.w - 1; x >= 0; --x) {
        const int32_t origin_x = x * w.stride_w - w.pad_w;
        const int32_t kx = first_tap_inside(origin_x, w.dilation_w, r.filter_w);
        const int32_t in_x = origin_x + kx * w.dilation_w;
        const bool reads = rows && kx < r.filter_w && in_x < r.input.w;
        const int64_t pixel =
            ((static_cast<int64_t>(n) * r.input.h + in_y) * r.input.w + in_x) * r.input.c;
        for (int32_t c = r.output.c - 1; c >= 0; --c) {
          --o;
          // Output element o occupies [delta + o*eo, delta + (o+1)*eo) and must end before any
          // byte a later element reads.
          if (later_min != kNothing)
            best = std::min(best, later_min - (o + 1) * r.output_element_bytes);
          if (reads) {
            const int64_t channel =
                static_cast<int64_t>(c / r.outputs_per_group) * r.inputs_per_group;
            later_min = std::min(later_min, (pixel + channel) * r.input_element_bytes);
          }
        }
      }
    }
  }
  return best;
}

OutputSharingOptions output_sharing_options(const ir::Model& model, int32_t op_index,
                                            bool fast_kernel) {
  const ir::Operator& op = model.operators.at(static_cast<size_t>(op_index));
  OutputSharingOptions options;
  if (op.inputs.empty() || op.outputs.size() != 1 || op.inputs[0] == ir::kNoTensor) return options;
  const int32_t input = op.inputs[0], output = op.outputs[0];
  if (model.tensor(input).is_constant() || model.tensor(input).is_variable) return options;
  for (size_t i = 1; i < op.inputs.size(); ++i)
    if (op.inputs[i] != ir::kNoTensor && !model.tensor(op.inputs[i]).is_constant()) return options;
  const int64_t in_size = static_cast<int64_t>(ir::dtype_size(model.tensor(input).dtype));
  const int64_t out_size = static_cast<int64_t>(ir::dtype_size(model.tensor(output).dtype));

  auto shifted = [&](const WindowReads& reads) {
    OutputSharing s;
    s.op = op_index;
    s.input = input;
    s.output = output;
    s.delta = shifted_output_max_delta(reads);
    s.at_most = true;
    return s;
  };
  // An operator the prepare step rejects gets no option; the emitter reports the problem.
  try {
    switch (op.type) {
      case ir::OpType::kConv2D: {
        const exec::Conv2DPrepared p = exec::prepare_conv2d(model, op);
        const rt::Window2D& win =
            p.dtype == ir::DType::kFloat32 ? p.float_params.window : p.params.window;
        const int32_t groups = p.input_shape.c / p.filter_shape.c;
        options.shifted =
            shifted({p.input_shape, p.output_shape, win, p.filter_shape.h, p.filter_shape.w,
                     p.output_shape.c / groups, p.filter_shape.c, in_size, out_size});
        const bool pointwise = p.filter_shape.h == 1 && p.filter_shape.w == 1 && groups == 1 &&
                               win.stride_h == 1 && win.stride_w == 1 && win.pad_h == 0 &&
                               win.pad_w == 0;
        if (p.dtype == ir::DType::kInt8 && pointwise) {
          OutputSharing s = *options.shifted;
          s.delta = -rt::conv2d_pointwise_in_place_lead(p.input_shape, p.output_shape);
          s.at_most = true;
          s.in_place_kernel = true;
          // The fast kernel that runs it needs only the operator's own scratch (op_scratch_bytes);
          // the portable one stages one output pixel.
          s.scratch_bytes =
              fast_kernel ? 0
                          : static_cast<int64_t>(
                                rt::conv2d_pointwise_int8_in_place_scratch_bytes(p.output_shape));
          options.in_place = s;
        }
        break;
      }
      case ir::OpType::kDepthwiseConv2D: {
        const exec::DepthwiseConv2DPrepared p = exec::prepare_depthwise_conv2d(model, op);
        const bool is_float = p.dtype == ir::DType::kFloat32;
        const rt::Window2D& win = is_float ? p.float_params.window : p.params.window;
        const int32_t multiplier =
            is_float ? p.float_params.depth_multiplier : p.params.depth_multiplier;
        options.shifted = shifted({p.input_shape, p.output_shape, win, p.filter_shape.h,
                                   p.filter_shape.w, multiplier, 1, in_size, out_size});
        const bool plane_fits = static_cast<int64_t>(p.output_shape.h) * p.output_shape.w <=
                                static_cast<int64_t>(p.input_shape.h) * p.input_shape.w;
        if (p.dtype == ir::DType::kInt8 && multiplier == 1 && plane_fits) {
          OutputSharing s = *options.shifted;
          s.delta = 0;
          s.at_most = false;
          s.in_place_kernel = true;
          // The fast in-place kernel's channel planes, beyond the table every int8 depthwise
          // operator has (op_scratch_bytes).
          s.scratch_bytes =
              fast_kernel
                  ? static_cast<int64_t>(
                        rt::depthwise_conv2d_int8_in_place_fast_scratch_bytes(p.output_shape) -
                        rt::depthwise_conv2d_int8_fast_scratch_bytes(p.output_shape))
                  : static_cast<int64_t>(
                        rt::depthwise_conv2d_int8_in_place_scratch_bytes(p.output_shape));
          options.in_place = s;
        }
        break;
      }
      case ir::OpType::kAveragePool2D:
      case ir::OpType::kMaxPool2D: {
        const exec::Pool2DPrepared p = exec::prepare_pool2d(model, op);
        const bool is_float = p.dtype == ir::DType::kFloat32;
        const rt::Window2D& win = is_float ? p.float_params.window : p.params.window;
        const int32_t fh = is_float ? p.float_params.filter_h : p.params.filter_h;
        const int32_t fw = is_float ? p.float_params.filter_w : p.params.filter_w;
        options.shifted =
            shifted({p.input_shape, p.output_shape, win, fh, fw, 1, 1, in_size, out_size});
        break;
      }
      default:
        break;
    }
  } catch (const Error&) {
    return {};
  }
  return options;
}

}  // namespace kiln::compiler
