#include "runtime/fully_connected_lookup.h"

#include <string.h>

namespace kiln {
namespace rt {

size_t fully_connected_int8_lookup_table_bytes(const FullyConnectedDims& dims) {
  if (dims.batches < 1 || dims.input_depth != 1 || dims.output_depth < 1) return 0;
  return 256u * static_cast<size_t>(dims.output_depth);
}

Status fully_connected_int8_lookup_table(const FullyConnectedParams& params,
                                         const FullyConnectedDims& dims,
                                         const int32_t* output_multiplier,
                                         const int32_t* output_shift, const int8_t* filter,
                                         const int32_t* bias, int8_t* table) {
  if (fully_connected_int8_lookup_table_bytes(dims) == 0 || !table) return kBadArgument;
  const FullyConnectedDims one_row = {1, 1, dims.output_depth};
  for (int32_t x = -128; x <= 127; ++x) {
    const int8_t value = static_cast<int8_t>(x);
    const Status status =
        fully_connected_int8(params, one_row, output_multiplier, output_shift, &value, filter, bias,
                             table + (x + 128) * dims.output_depth);
    if (status != kOk) return status;
  }
  return kOk;
}

void fully_connected_int8_lookup(const FullyConnectedDims& dims, const int8_t* table,
                                 const int8_t* input, int8_t* output) {
  const int32_t depth = dims.output_depth;
  for (int32_t b = 0; b < dims.batches; ++b, output += depth) {
    const int8_t* row = table + (static_cast<int32_t>(input[b]) + 128) * depth;
    // Four bytes per step (single unaligned-capable word moves on the Cortex-M4), then the rest.
    int32_t i = 0;
    for (; i + 4 <= depth; i += 4) memcpy(output + i, row + i, 4);
    for (; i < depth; ++i) output[i] = row[i];
  }
}

}  // namespace rt
}  // namespace kiln
