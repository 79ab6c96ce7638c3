#include "runtime/mul.h"

#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

Status mul_int8(const MulInt8Params& p, const BroadcastShape& shape, const int8_t* input1,
                const int8_t* input2, int8_t* output) {
  if (p.output_shift < -31 || p.output_shift > 31) return kBadArgument;
  // With offsets from int8 zero points the product stays below 2^17 in magnitude.
  if (p.input1_offset < -255 || p.input1_offset > 255 || p.input2_offset < -255 ||
      p.input2_offset > 255 || p.activation_min > p.activation_max) {
    return kBadArgument;
  }
  const Status status = broadcast_check_operands(shape, input1, input2, output);
  if (status != kOk) return status;
  broadcast_for_each(shape, [&](int32_t i1, int32_t i2, int32_t o) {
    const int32_t product = (input1[i1] + p.input1_offset) * (input2[i2] + p.input2_offset);
    const int32_t value = fxp::wrapping_add(
        multiply_by_quantized_multiplier(product, p.output_multiplier, p.output_shift),
        p.output_offset);
    output[o] = static_cast<int8_t>(clamp_i32(value, p.activation_min, p.activation_max));
  });
  return kOk;
}

Status mul_float(const FloatActivationParams& p, const BroadcastShape& shape, const float* input1,
                 const float* input2, float* output) {
  if (!(p.activation_min <= p.activation_max)) return kBadArgument;
  const Status status = broadcast_check_operands(shape, input1, input2, output);
  if (status != kOk) return status;
  broadcast_for_each(shape, [&](int32_t i1, int32_t i2, int32_t o) {
    output[o] = clamp_f32(input1[i1] * input2[i2], p.activation_min, p.activation_max);
  });
  return kOk;
}

}  // namespace rt
}  // namespace kiln
