#include "runtime/add.h"

namespace kiln {
namespace rt {

namespace {

bool valid_shift(int32_t shift) {
  return shift >= -31 && shift <= 0;
}

}  // namespace

Status add_sub_int8_check(const AddSubInt8Params& p) {
  if (p.left_shift < 0 || p.left_shift > 30) return kBadArgument;
  if (!valid_shift(p.input1_shift) || !valid_shift(p.input2_shift) ||
      !valid_shift(p.output_shift)) {
    return kBadArgument;
  }
  // Offsets are negated int8 zero points; anything wider could overflow the shifted value.
  if (p.input1_offset < -255 || p.input1_offset > 255 || p.input2_offset < -255 ||
      p.input2_offset > 255) {
    return kBadArgument;
  }
  if (p.activation_min > p.activation_max) return kBadArgument;
  return kOk;
}

Status add_int8(const AddSubInt8Params& p, const BroadcastShape& shape, const int8_t* input1,
                const int8_t* input2, int8_t* output) {
  Status status = add_sub_int8_check(p);
  if (status == kOk) status = broadcast_check_operands(shape, input1, input2, output);
  if (status != kOk) return status;
  broadcast_for_each(shape, [&](int32_t i1, int32_t i2, int32_t o) {
    const int32_t a = add_sub_scaled_input(input1[i1], p.input1_offset, p.left_shift,
                                           p.input1_multiplier, p.input1_shift);
    const int32_t b = add_sub_scaled_input(input2[i2], p.input2_offset, p.left_shift,
                                           p.input2_multiplier, p.input2_shift);
    output[o] = static_cast<int8_t>(add_sub_output(fxp::wrapping_add(a, b), p));
  });
  return kOk;
}

Status add_float(const FloatActivationParams& p, const BroadcastShape& shape, const float* input1,
                 const float* input2, float* output) {
  // Written as !(min <= max) so that NaN bounds are rejected too.
  if (!(p.activation_min <= p.activation_max)) return kBadArgument;
  const Status status = broadcast_check_operands(shape, input1, input2, output);
  if (status != kOk) return status;
  broadcast_for_each(shape, [&](int32_t i1, int32_t i2, int32_t o) {
    output[o] = clamp_f32(input1[i1] + input2[i2], p.activation_min, p.activation_max);
  });
  return kOk;
}

}  // namespace rt
}  // namespace kiln
