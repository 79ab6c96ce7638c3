// int16 LOGISTIC (sigmoid) by table lookup with linear interpolation, bit-exact with the TFLM
// reference kernel. The output is Q0.15 (scale 2^-15, zero point 0). The LSTM uses it for its
// gates, whose pre-activations are Q3.12.
#ifndef KILN_RUNTIME_LOGISTIC_INT16_H_
#define KILN_RUNTIME_LOGISTIC_INT16_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/sigmoid_table.h"

namespace kiln {
namespace rt {

// output[i] = sigmoid(input[i]) for `size` elements; input and output may alias.
Status logistic_int16(const Int16ActivationParams& params, const int16_t* input, int16_t* output,
                      int32_t size);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_LOGISTIC_INT16_H_
