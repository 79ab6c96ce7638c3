// The AVX2 int8 UNIDIRECTIONAL_SEQUENCE_LSTM kernel's entry point and the plain-data view it runs
// on (built once per operator by lstm_int8.h). Like avx2_kernels.h this header holds no inline
// code, since lstm_avx2.cpp is compiled with -mavx2.
//
// The input products of all rows come first (they do not depend on the recurrence). Then each
// row of a step (one batch) is computed 8 units at a time: the four gates' recurrent products
// of those units as vectors of 8 int32 lanes (vpmaddwd on int16 pairs, or vpdpwssd where the
// CPU has AVX-VNNI), the requantizations with the vector output step of the other AVX2 kernels
// (bit for bit the portable multiply_by_quantized_multiplier), the sigmoid and tanh from the
// interpolation table by gathers, and the cell and hidden update. A step runs in two stages
// over its blocks (gates and cell state, then hidden values), so the independent blocks'
// dependency chains overlap in the core. During the call the hidden state lives as widened
// int16 rows and the cell state as int32 lanes, so a step reads what the previous one stored
// with loads that each lie within one store (no partial copies on the recurrence's dependency
// chain); the state tensors are read at the start and written at the end.
#pragma once

#include <cstdint>

#include "exec/host_simd/avx2_kernels.h"

namespace kiln::exec::host_simd {

struct LstmInt8Avx2View {
  int32_t batch;
  int32_t time_steps;
  int32_t input_size;
  int32_t state_size;
  bool time_major;
  bool use_vnni;        // the products with AVX-VNNI (vnni_enabled())
  bool left_shifts;     // some requantization block has a left shift
  int32_t unit_blocks;  // ceil(state_size / 8)
  int32_t input_pairs;  // ceil(input_size / 2)
  int32_t state_pairs;  // ceil(state_size / 2)
  // Per gate (input, forget, cell, output) and block of 8 units: [pair][lane] words of two int16
  // weights (pack_gemm_filter's layout), zero past the real units and depth.
  const int32_t* input_filter;      // 4 * unit_blocks * input_pairs * 8 words
  const int32_t* recurrent_filter;  // 4 * unit_blocks * state_pairs * 8 words
  // Per gate and block: bias (the folded biases), multiplier and shift of the product. Every
  // block (these and the three below) has one multiplier in all its real lanes, so the kernel
  // lets odd lanes take their even neighbour's (a padding lane may thus get a real lane's: its
  // values only meet zero weights and are never stored).
  const Int8RequantBlock* input_requant;      // 4 * unit_blocks
  const Int8RequantBlock* recurrent_requant;  // 4 * unit_blocks
  // One block each, the same constants in every lane, no bias.
  const Int8RequantBlock* forget_cell_requant;
  const Int8RequantBlock* input_cell_requant;
  const Int8RequantBlock* hidden_requant;
  int32_t hidden_zero_point;
  int32_t cell_tanh_multiplier;
  int32_t cell_tanh_shift;
  bool tanh_cell_gate;
  bool use_cell_clip;
  int32_t cell_clip;
  const uint32_t* sigmoid_pairs;  // rt::kLstmSigmoidPairs
  int16_t* widened_input;         // 2 * input_pairs values
  // Per batch, two rows of unit_blocks * 8 hidden values as int16 (the old and the new ones of
  // a step), 16-byte aligned, zero-initialized.
  int16_t* hidden_rows;
  int32_t* output_gates;  // unit_blocks * 8 values, 32-byte aligned
  int32_t* cell_lanes;    // per batch unit_blocks * 8 cell values, 32-byte aligned
  int32_t* input_parts;   // batch * time_steps * 4 * unit_blocks * 8, 32-byte aligned
};

// The same bytes as rt::lstm_int8 with the planned arguments.
void lstm_int8_avx2(const LstmInt8Avx2View& view, const int8_t* input, int8_t* hidden_state,
                    int16_t* cell_state, int8_t* output);

}  // namespace kiln::exec::host_simd
