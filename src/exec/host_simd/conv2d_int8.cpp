#include "exec/host_simd/conv2d_int8.h"

#include <algorithm>

#include "exec/host_simd/host_simd.h"
#include "exec/host_simd/int8_output_stage.h"
#include "exec/host_simd/planning.h"

namespace kiln::exec::host_simd {

namespace {

// Bytes of im2col rows gathered per product: enough rows to amortize the calls, few enough for
// the rows to stay in the L1 data cache until the product reads them.
constexpr int64_t kIm2colBytes = 32 * 1024;

}  // namespace

std::unique_ptr<Conv2DInt8> Conv2DInt8::create(
    const rt::Conv2DParams& params, const int32_t* output_multiplier, const int32_t* output_shift,
    const rt::Shape4& input_shape, const rt::Shape4& filter_shape, const int8_t* filter,
    const int32_t* bias, const rt::Shape4& output_shape) {
  if (!avx2_available() || !output_multiplier || !output_shift || !filter) return nullptr;
  // The portable kernel's own argument checks, then what this kernel adds.
  if (!rt::shape4_valid(input_shape) || !rt::shape4_valid(filter_shape) ||
      !rt::shape4_valid(output_shape))
    return nullptr;
  if (input_shape.n != output_shape.n || filter_shape.n != output_shape.c) return nullptr;
  if (filter_shape.c != input_shape.c) return nullptr;  // grouped: portable kernel
  const rt::Window2D& w = params.window;
  if (!rt::window2d_valid(w, input_shape, filter_shape.h, filter_shape.w, output_shape))
    return nullptr;
  if (!rt::int8_offset_valid(params.input_offset)) return nullptr;
  if (!int8_clamp_supported(params.act_min, params.act_max)) return nullptr;

  const int64_t padded_h = padded_extent(output_shape.h, w.stride_h, filter_shape.h, w.dilation_h);
  const int64_t padded_w = padded_extent(output_shape.w, w.stride_w, filter_shape.w, w.dilation_w);
  const int64_t depth = static_cast<int64_t>(filter_shape.h) * filter_shape.w * filter_shape.c;
  const int64_t positions = static_cast<int64_t>(output_shape.h) * output_shape.w;
  if (padded_h < 1 || padded_w < 1 || padded_h * padded_w * input_shape.c > kMaxScratchValues ||
      positions > kMaxScratchValues || depth > INT32_MAX / 2)
    return nullptr;

  std::unique_ptr<Conv2DInt8> plan(new Conv2DInt8());
  if (!build_requant_blocks(output_shape.c, output_multiplier, output_shift, 1, bias,
                            &plan->requant_))
    return nullptr;
  plan->packed_filter_ =
      pack_gemm_filter(output_shape.c, static_cast<int32_t>(depth), filter, /*filter_offset=*/0);

  Conv2DInt8View& v = plan->view_;
  v.batches = input_shape.n;
  v.input_h = input_shape.h;
  v.input_w = input_shape.w;
  v.input_c = input_shape.c;
  v.output_h = output_shape.h;
  v.output_w = output_shape.w;
  v.filter_h = filter_shape.h;
  v.filter_w = filter_shape.w;
  v.stride_h = w.stride_h;
  v.stride_w = w.stride_w;
  v.dilation_h = w.dilation_h;
  v.dilation_w = w.dilation_w;
  v.pad_h = w.pad_h;
  v.pad_w = w.pad_w;
  v.padded_h = static_cast<int32_t>(padded_h);
  v.padded_w = static_cast<int32_t>(padded_w);
  v.input_offset = params.input_offset;
  v.gemm.k_pairs = static_cast<int32_t>((depth + 1) / 2);
  // Windows whose rows are contiguous runs of whole pairs are read in place, one segment per
  // filter row; others are gathered into im2col rows (one segment).
  const int64_t window_row = static_cast<int64_t>(filter_shape.w) * filter_shape.c;
  v.rows_in_place = w.dilation_w == 1 && window_row % 2 == 0;
  v.gemm.segments = v.rows_in_place ? filter_shape.h : 1;
  v.gemm.segment_pairs = v.rows_in_place ? static_cast<int32_t>(window_row / 2) : v.gemm.k_pairs;
  v.gemm.segment_stride =
      v.rows_in_place ? static_cast<ptrdiff_t>(w.dilation_h) * padded_w * input_shape.c : 0;
  v.gemm.channels = output_shape.c;
  v.gemm.channel_blocks = (output_shape.c + 7) / 8;
  v.gemm.packed_filter = plan->packed_filter_.data();
  v.gemm.output = {plan->requant_.data(), params.output_offset, params.act_min, params.act_max};

  const int64_t row_values = 2 * static_cast<int64_t>(v.gemm.k_pairs);
  int64_t tile = std::clamp<int64_t>(kIm2colBytes / (row_values * 2), 4, 1024) / 4 * 4;
  tile = std::min(tile, positions);
  v.tile_rows = static_cast<int32_t>(tile);
  // Zero-initialized: the border of the padded image and the odd padding value of each im2col
  // row are never written again.
  plan->padded_.assign(static_cast<size_t>(padded_h * padded_w * input_shape.c), 0);
  if (!v.rows_in_place) plan->im2col_.assign(static_cast<size_t>(tile * row_values), 0);
  plan->rows_.assign(static_cast<size_t>(v.rows_in_place ? positions : tile), nullptr);
  v.padded = plan->padded_.data();
  v.im2col = plan->im2col_.data();
  v.rows = plan->rows_.data();
  if (v.rows_in_place) {
    // Position (y, x) reads the window whose first value is at padded row y * stride_h, column
    // x * stride_w; the same for every batch, as each batch refills the same image.
    for (int64_t p = 0; p < positions; ++p) {
      const int64_t y = p / output_shape.w, x = p % output_shape.w;
      plan->rows_[static_cast<size_t>(p)] =
          v.padded + (y * w.stride_h * padded_w + x * w.stride_w) * input_shape.c;
    }
  }
  return plan;
}

void Conv2DInt8::run(const int8_t* input, int8_t* output) {
  conv2d_int8_avx2(view_, input, output);
}

}  // namespace kiln::exec::host_simd
