#include "exec/host_simd/int8_output_stage.h"

namespace kiln::exec::host_simd {

bool build_requant_blocks(int32_t channels, const int32_t* multiplier, const int32_t* shift,
                          int32_t step, const int32_t* bias,
                          std::vector<Int8RequantBlock>* blocks) {
  if (channels < 1 || !multiplier || !shift) return false;
  // Value-initialized: padding lanes get multiplier 0 and shift 0, harmless and never stored.
  blocks->assign(static_cast<size_t>((channels + 7) / 8), Int8RequantBlock{});
  for (int32_t c = 0; c < channels; ++c) {
    const int32_t m = multiplier[c * step];
    const int32_t s = shift[c * step];
    if (s < -31 || s > 30 || m == INT32_MIN) return false;
    Int8RequantBlock& block = (*blocks)[static_cast<size_t>(c / 8)];
    const int lane = c % 8;
    const int32_t right = s > 0 ? 0 : -s;
    block.bias[lane] = bias ? bias[c] : 0;
    block.multiplier[lane] = m;
    block.left_shift[lane] = s > 0 ? s : 0;
    block.right_shift[lane] = right;
    block.remainder_mask[lane] = static_cast<int32_t>((int64_t{1} << right) - 1);
    block.half_mask[lane] = block.remainder_mask[lane] >> 1;
  }
  return true;
}

bool int8_clamp_supported(int32_t act_min, int32_t act_max) {
  return act_min <= act_max && act_min >= -128 && act_max <= 127;
}

}  // namespace kiln::exec::host_simd
