// CONV_2D int8 with AVX2 (conv2d_avx2.cpp), planned once per operator: the filter packed for the
// row product, the output stage in vector blocks, and the scratch images the kernel fills.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "exec/host_simd/avx2_kernels.h"
#include "runtime/conv2d.h"

namespace kiln::exec::host_simd {

class Conv2DInt8 {
 public:
  // The plan for these arguments (those of rt::conv2d_int8), or null when AVX2 is unavailable or
  // the arguments are outside what the AVX2 kernel reproduces (grouped convolutions, clamp
  // bounds beyond int8, anything the portable kernel refuses); the caller then runs the portable
  // kernel. The filter and bias are read now, so they must not change afterwards.
  static std::unique_ptr<Conv2DInt8> create(const rt::Conv2DParams& params,
                                            const int32_t* output_multiplier,
                                            const int32_t* output_shift,
                                            const rt::Shape4& input_shape,
                                            const rt::Shape4& filter_shape, const int8_t* filter,
                                            const int32_t* bias, const rt::Shape4& output_shape);

  Conv2DInt8(const Conv2DInt8&) = delete;
  Conv2DInt8& operator=(const Conv2DInt8&) = delete;

  // The same bytes as rt::conv2d_int8 with the planned arguments.
  void run(const int8_t* input, int8_t* output);

 private:
  Conv2DInt8() = default;

  std::vector<int32_t> packed_filter_;
  std::vector<Int8RequantBlock> requant_;
  std::vector<int16_t> padded_;
  std::vector<int16_t> im2col_;
  std::vector<const int16_t*> rows_;
  Conv2DInt8View view_{};
};

}  // namespace kiln::exec::host_simd
