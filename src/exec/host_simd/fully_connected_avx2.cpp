// FULLY_CONNECTED with AVX2: input rows widened to int16 with their offset, multiplied by the
// filter packed with its offset (int8_gemm_avx2).
#include "exec/host_simd/avx2_util.h"

namespace kiln::exec::host_simd {

void fully_connected_int8_avx2(const FullyConnectedInt8View& v, const int8_t* input,
                               int8_t* output) {
  const ptrdiff_t row_values = 2 * static_cast<ptrdiff_t>(v.gemm.k_pairs);
  for (int32_t first = 0; first < v.batches; first += v.tile_rows) {
    const int32_t count = v.batches - first < v.tile_rows ? v.batches - first : v.tile_rows;
    for (int32_t i = 0; i < count; ++i) {
      int16_t* row = v.rows_buffer + i * row_values;
      // The pad value of an odd depth is rewritten as 0; any further ones stay 0 from planning.
      widen_row_with_offset(input + static_cast<ptrdiff_t>(first + i) * v.input_depth, row,
                            v.input_depth, v.input_offset);
      v.rows[i] = row;
    }
    int8_gemm_avx2(v.gemm, v.rows, count, output + static_cast<ptrdiff_t>(first) * v.gemm.channels,
                   v.gemm.channels);
  }
}

}  // namespace kiln::exec::host_simd
