// Helpers shared by the planning classes of the AVX2 kernels (conv2d_int8.h,
// depthwise_conv2d_int8.h, fully_connected_int8.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::exec::host_simd {

// The filter of a row product (avx2_kernels.h, Int8GemmView): `filter` is [channels][depth]
// int8, packed as [block of 8 channels][pair of depth values][lane] words holding the two
// values plus `filter_offset` as int16 (lower address = even index). Zero past the channels and
// the depth.
std::vector<int32_t> pack_gemm_filter(int32_t channels, int32_t depth, const int8_t* filter,
                                      int32_t filter_offset);

// Two int16 values in one word, `first` in the low half (the lower address in memory).
int32_t int16_pair(int32_t first, int32_t second);

// The extent of a zero-bordered image along one axis that holds every window position:
// (output - 1) * stride + (filter - 1) * dilation + 1, or -1 if it exceeds int32.
int64_t padded_extent(int32_t output, int32_t stride, int32_t filter, int32_t dilation);

// Scratch buffers larger than this many elements are not planned; the portable kernel runs.
constexpr int64_t kMaxScratchValues = int64_t{1} << 28;

}  // namespace kiln::exec::host_simd
