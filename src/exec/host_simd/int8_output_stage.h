// Planning of the AVX2 kernels' output stage (avx2_kernels.h): the per-channel requantization
// constants laid out in blocks of 8 lanes, and the checks that the vector step reproduces the
// portable one for these arguments.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/host_simd/avx2_kernels.h"

namespace kiln::exec::host_simd {

// Blocks for `channels` output channels: channel c takes multiplier[c * step] and
// shift[c * step] (step 0 = one entry for the whole tensor) and adds bias[c] (bias may be null).
// Returns false, leaving `blocks` unspecified, when a channel's shift lies outside [-31, 30] (the
// portable kernels refuse those) or its multiplier is INT32_MIN (the only one whose doubling
// multiply saturates).
bool build_requant_blocks(int32_t channels, const int32_t* multiplier, const int32_t* shift,
                          int32_t step, const int32_t* bias, std::vector<Int8RequantBlock>* blocks);

// Whether the clamp bounds suit the vector stores: act_min <= act_max, both within int8.
bool int8_clamp_supported(int32_t act_min, int32_t act_max);

}  // namespace kiln::exec::host_simd
