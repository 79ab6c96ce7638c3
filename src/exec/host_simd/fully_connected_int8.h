// FULLY_CONNECTED int8 with AVX2 (fully_connected_avx2.cpp), planned once per operator: the
// filter packed for the row product with its offset added, the output stage in vector blocks
// and the widened input rows.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "exec/host_simd/avx2_kernels.h"
#include "runtime/fully_connected.h"

namespace kiln::exec::host_simd {

class FullyConnectedInt8 {
 public:
  // The plan for these arguments (those of rt::fully_connected_int8), or null when AVX2 is
  // unavailable or the arguments are outside what the AVX2 kernel reproduces (clamp bounds
  // beyond int8, anything the portable kernel refuses); the caller then runs the portable
  // kernel. The filter and bias are read now, so they must not change afterwards.
  static std::unique_ptr<FullyConnectedInt8> create(const rt::FullyConnectedParams& params,
                                                    const rt::FullyConnectedDims& dims,
                                                    const int32_t* output_multiplier,
                                                    const int32_t* output_shift,
                                                    const int8_t* filter, const int32_t* bias);

  FullyConnectedInt8(const FullyConnectedInt8&) = delete;
  FullyConnectedInt8& operator=(const FullyConnectedInt8&) = delete;

  // The same bytes as rt::fully_connected_int8 with the planned arguments.
  void run(const int8_t* input, int8_t* output);

 private:
  FullyConnectedInt8() = default;

  std::vector<int32_t> packed_filter_;
  std::vector<Int8RequantBlock> requant_;
  std::vector<int16_t> rows_buffer_;
  std::vector<const int16_t*> rows_;
  FullyConnectedInt8View view_{};
};

}  // namespace kiln::exec::host_simd
