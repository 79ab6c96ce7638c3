// ADD: elementwise sum of two tensors with broadcasting and a fused activation clamp.
//
// int8 follows TFLM's reference scheme: both inputs are centred on their zero points, shifted
// left by `left_shift` (20) bits for headroom, each rescaled to the common scale 2 * max(s1, s2)
// with its own multiplier, summed, and the sum rescaled to the output scale. Every rescale is
// the double-rounding multiply_by_quantized_multiplier with a right shift.
#ifndef KILN_RUNTIME_ADD_H_
#define KILN_RUNTIME_ADD_H_

#include "runtime/broadcast.h"
#include "runtime/common.h"
#include "runtime/fixed_point.h"
#include "runtime/fixed_point_math.h"

namespace kiln {
namespace rt {

// Quantized parameters of ADD and SUB (the two share their arithmetic up to the sign).
struct AddSubInt8Params {
  int32_t input1_offset;  // minus input 1's zero point
  int32_t input2_offset;  // minus input 2's zero point
  int32_t output_offset;  // output zero point
  int32_t left_shift;     // headroom bits applied to both centred inputs
  int32_t input1_multiplier;
  int32_t input1_shift;  // <= 0 (right shift)
  int32_t input2_multiplier;
  int32_t input2_shift;  // <= 0
  int32_t output_multiplier;
  int32_t output_shift;  // <= 0
  int32_t activation_min;
  int32_t activation_max;
};

// Clamp bounds of a fused activation for float arithmetic kernels.
struct FloatActivationParams {
  float activation_min;
  float activation_max;
};

// Steps shared by ADD and SUB (see sub.h).
// One input centred, given headroom and brought to the common scale.
inline int32_t add_sub_scaled_input(int32_t value, int32_t offset, int32_t left_shift,
                                    int32_t multiplier, int32_t shift) {
  const int32_t centred = value + offset;
  // Wrapping multiply: valid parameters never overflow, invalid ones must not be UB.
  const int32_t shifted =
      static_cast<int32_t>(static_cast<uint32_t>(centred) << static_cast<uint32_t>(left_shift));
  return multiply_by_quantized_multiplier(shifted, multiplier, shift);
}
// The combined raw value rescaled to the output, offset and clamped.
inline int32_t add_sub_output(int32_t raw, const AddSubInt8Params& p) {
  const int32_t value = fxp::wrapping_add(
      multiply_by_quantized_multiplier(raw, p.output_multiplier, p.output_shift), p.output_offset);
  return clamp_i32(value, p.activation_min, p.activation_max);
}
// kOk if the parameters are in the ranges the arithmetic above supports.
Status add_sub_int8_check(const AddSubInt8Params& p);

Status add_int8(const AddSubInt8Params& params, const BroadcastShape& shape, const int8_t* input1,
                const int8_t* input2, int8_t* output);
Status add_float(const FloatActivationParams& params, const BroadcastShape& shape,
                 const float* input1, const float* input2, float* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_ADD_H_
