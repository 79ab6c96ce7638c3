#include "exec/host_simd/planning.h"

namespace kiln::exec::host_simd {

int32_t int16_pair(int32_t first, int32_t second) {
  const uint32_t low = static_cast<uint16_t>(static_cast<int16_t>(first));
  const uint32_t high = static_cast<uint16_t>(static_cast<int16_t>(second));
  return static_cast<int32_t>(low | (high << 16));
}

std::vector<int32_t> pack_gemm_filter(int32_t channels, int32_t depth, const int8_t* filter,
                                      int32_t filter_offset) {
  const int64_t blocks = (channels + 7) / 8;
  const int64_t pairs = (depth + 1) / 2;
  std::vector<int32_t> packed(static_cast<size_t>(blocks * pairs * 8), 0);
  for (int64_t o = 0; o < channels; ++o) {
    const int8_t* row = filter + o * depth;
    for (int64_t j = 0; j < pairs; ++j) {
      const int64_t d = 2 * j;
      const int32_t first = row[d] + filter_offset;
      const int32_t second = d + 1 < depth ? row[d + 1] + filter_offset : 0;
      packed[static_cast<size_t>(((o / 8) * pairs + j) * 8 + o % 8)] = int16_pair(first, second);
    }
  }
  return packed;
}

int64_t padded_extent(int32_t output, int32_t stride, int32_t filter, int32_t dilation) {
  const int64_t extent =
      static_cast<int64_t>(output - 1) * stride + static_cast<int64_t>(filter - 1) * dilation + 1;
  return extent > INT32_MAX ? -1 : extent;
}

}  // namespace kiln::exec::host_simd
