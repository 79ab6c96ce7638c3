// DEPTHWISE_CONV_2D int8 with AVX2 (depthwise_conv2d_avx2.cpp), planned once per operator: the
// filter packed in tap pairs, the taps' offsets, the output stage in vector blocks and the
// expanded input image the kernel fills.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "exec/host_simd/avx2_kernels.h"
#include "exec/host_simd/conv2d_int8.h"
#include "runtime/depthwise_conv2d.h"

namespace kiln::exec::host_simd {

class DepthwiseConv2DInt8 {
 public:
  // The plan for these arguments (those of rt::depthwise_conv2d_int8), or null when AVX2 is
  // unavailable or the arguments are outside what the AVX2 kernel reproduces (clamp bounds
  // beyond int8, anything the portable kernel refuses); the caller then runs the portable
  // kernel. The filter and bias are read now, so they must not change afterwards.
  static std::unique_ptr<DepthwiseConv2DInt8> create(
      const rt::DepthwiseConv2DParams& params, const int32_t* output_multiplier,
      const int32_t* output_shift, const rt::Shape4& input_shape, const rt::Shape4& filter_shape,
      const int8_t* filter, const int32_t* bias, const rt::Shape4& output_shape);

  DepthwiseConv2DInt8(const DepthwiseConv2DInt8&) = delete;
  DepthwiseConv2DInt8& operator=(const DepthwiseConv2DInt8&) = delete;

  // The same bytes as rt::depthwise_conv2d_int8 with the planned arguments.
  void run(const int8_t* input, int8_t* output);

 private:
  DepthwiseConv2DInt8() = default;

  // With one input channel the operator is an ordinary convolution with depth_multiplier
  // filters, which the row product computes several positions at a time; then only this is set.
  std::unique_ptr<Conv2DInt8> single_channel_;
  std::vector<int32_t> packed_filter_;
  std::vector<int32_t> tap_offsets_;
  std::vector<Int8RequantBlock> requant_;
  std::vector<int16_t> padded_;
  DepthwiseConv2DInt8View view_{};
};

}  // namespace kiln::exec::host_simd
