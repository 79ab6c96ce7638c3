// FULLY_CONNECTED int8 with one input value per row (input_depth 1), as speed mode runs it: such a
// layer has only 256 possible output rows, one per input value, so they are computed ahead of
// time by the reference kernel itself (fully_connected_int8_lookup_table, called by the AOT
// compiler) and a call copies the row of each input value. The same bytes as
// fully_connected_int8, for 256 * output_depth bytes of flash instead of a requantization per
// output. Scalar-input regressors (a sensor reading into a small network, hello_world's sine)
// start with such a layer.
#ifndef KILN_RUNTIME_FULLY_CONNECTED_LOOKUP_H_
#define KILN_RUNTIME_FULLY_CONNECTED_LOOKUP_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/fully_connected.h"

namespace kiln {
namespace rt {

// Bytes of the table: 256 * output_depth when input_depth is 1 and the dimensions are valid,
// else 0 (the layer cannot be tabulated).
size_t fully_connected_int8_lookup_table_bytes(const FullyConnectedDims& dims);

// Fills `table` (fully_connected_int8_lookup_table_bytes bytes): the row for input value x at
// (x + 128) * output_depth, each computed by fully_connected_int8 with the same arguments.
// Returns its status if it fails for any value.
Status fully_connected_int8_lookup_table(const FullyConnectedParams& params,
                                         const FullyConnectedDims& dims,
                                         const int32_t* output_multiplier,
                                         const int32_t* output_shift, const int8_t* filter,
                                         const int32_t* bias, int8_t* table);

// output[b] = the table's row for input[b], for dims.batches rows (dims as the table was made
// with). Checks nothing: the compiler made the table for these dimensions.
void fully_connected_int8_lookup(const FullyConnectedDims& dims, const int8_t* table,
                                 const int8_t* input, int8_t* output);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_FULLY_CONNECTED_LOOKUP_H_
