#include "runtime/add_fast.h"

#include "runtime/simd32.h"

namespace kiln {
namespace rt {

namespace {

// One rescale in the DSP form: x * M / 2^31 rounded half up, then / 2^rs rounded half away from
// zero.
struct Rescale {
  int32_t multiplier2;  // 2 * M as a wrapped word
  int32_t rounding;     // 2^(rs - 1)
  int32_t shift;        // rs
};

// False when the DSP form is not exact for these parameters (see add_fast.h).
bool rescale_of(int32_t multiplier, int32_t shift, Rescale* r) {
  if (multiplier < (int32_t{1} << 30) || shift > -1 || shift < -31) return false;
  r->multiplier2 = static_cast<int32_t>(static_cast<uint32_t>(multiplier) << 1);
  r->rounding = int32_t{1} << (-shift - 1);
  r->shift = -shift;
  return true;
}

inline int32_t rescale(int32_t x, const Rescale& r) {
  const int32_t high = simd32::smmlar(x, r.multiplier2, x);
  return (high - static_cast<int32_t>(static_cast<uint32_t>(high) >> 31) + r.rounding) >> r.shift;
}

}  // namespace

Status add_int8_fast(const AddSubInt8Params& p, const BroadcastShape& shape, const int8_t* input1,
                     const int8_t* input2, int8_t* output) {
  Rescale first, second, out;
  if (add_sub_int8_check(p) != kOk || p.left_shift > 20 || p.output_offset < -128 ||
      p.output_offset > 127 || broadcast_check_operands(shape, input1, input2, output) != kOk ||
      !broadcast_is_elementwise(shape) ||
      !rescale_of(p.input1_multiplier, p.input1_shift, &first) ||
      !rescale_of(p.input2_multiplier, p.input2_shift, &second) ||
      !rescale_of(p.output_multiplier, p.output_shift, &out))
    return add_int8(p, shape, input1, input2, output);
  const int32_t count = broadcast_output_size(shape);
  const int32_t lo = p.activation_min, hi = p.activation_max;
  const int32_t scale = int32_t{1} << p.left_shift;  // a multiply: shifting negatives is UB
  for (int32_t i = 0; i < count; ++i) {
    const int32_t a = rescale((input1[i] + p.input1_offset) * scale, first);
    const int32_t b = rescale((input2[i] + p.input2_offset) * scale, second);
    const int32_t v = rescale(a + b, out) + p.output_offset;
    output[i] = static_cast<int8_t>(v < lo ? lo : (v > hi ? hi : v));
  }
  return kOk;
}

}  // namespace rt
}  // namespace kiln
