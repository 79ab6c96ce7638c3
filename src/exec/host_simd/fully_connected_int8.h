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

  // Whether the plan can be a layer of a FullyConnectedChainInt8: the direct small path, one
  // row, at most 16 output channels.
  bool chainable() const;
  const FullyConnectedInt8View& view() const { return view_; }

 private:
  FullyConnectedInt8() = default;

  std::vector<int32_t> packed_filter_;
  std::vector<Int8RequantBlock> requant_;
  std::vector<int16_t> rows_buffer_;
  std::vector<const int16_t*> rows_;
  FullyConnectedInt8View view_{};
};

// Consecutive chainable layers run as one (fully_connected_chain_avx2), each layer's output
// kept in registers as the next one's input: the same bytes at the end as running them one by
// one, without storing and reloading the rows between them.
class FullyConnectedChainInt8 {
 public:
  // Null unless there are at least two layers, all chainable, each one's input depth equal to
  // the previous one's output depth.
  static std::unique_ptr<FullyConnectedChainInt8> create(
      std::vector<std::unique_ptr<FullyConnectedInt8>> layers);

  // input: the first layer's row; output: the last layer's.
  void run(const int8_t* input, int8_t* output);

 private:
  FullyConnectedChainInt8() = default;

  std::vector<std::unique_ptr<FullyConnectedInt8>> layers_;
  std::vector<const FullyConnectedInt8View*> views_;
  // When the first layer has one input value: its 256 possible output rows, 16 bytes each
  // (computed by the layer itself at planning), so that layer becomes one load.
  std::vector<int8_t> first_table_;
};

}  // namespace kiln::exec::host_simd
