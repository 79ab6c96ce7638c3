// int16 TANH by table lookup with linear interpolation, bit-exact with the TFLM reference
// kernel. It reuses the sigmoid table through tanh(x) = 2 * sigmoid(2x) - 1. The output is Q0.15
// (scale 2^-15, zero point 0). The LSTM uses it on its cell gate (Q3.12 input) and on the cell
// state (scale 2^cell_state_scale_power).
#ifndef KILN_RUNTIME_TANH_INT16_H_
#define KILN_RUNTIME_TANH_INT16_H_

#include <stdint.h>

#include "runtime/common.h"
#include "runtime/sigmoid_table.h"

namespace kiln {
namespace rt {

// output[i] = tanh(input[i]) for `size` elements; input and output may alias.
Status tanh_int16(const Int16ActivationParams& params, const int16_t* input, int16_t* output,
                  int32_t size);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_TANH_INT16_H_
