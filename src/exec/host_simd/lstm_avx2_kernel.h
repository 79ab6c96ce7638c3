// The AVX2 int8 UNIDIRECTIONAL_SEQUENCE_LSTM kernel's entry point and the plain-data view it runs
// on (built once per operator by lstm_int8.h). Like avx2_kernels.h this header holds no inline
// code, since lstm_avx2.cpp is compiled with -mavx2.
//
// Each row of a step (one batch) is computed 8 units at a time: the four gates' input and
// recurrent products of those units as vectors of 8 int32 lanes (vpmaddwd on int16 pairs), the
// requantizations with the vector output step of the other AVX2 kernels (bit for bit the
// portable multiply_by_quantized_multiplier), the sigmoid and tanh from the interpolation table
// by gathers, and the cell and hidden update, all in the lanes. The row runs in stages over all
// its blocks of 8 units (pre-activations, activations, cell and hidden), so that the
// independent blocks of a stage overlap in the core instead of one block's long dependency
// chain running after the other's.
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
  int32_t unit_blocks;  // ceil(state_size / 8)
  int32_t input_pairs;  // ceil(input_size / 2)
  int32_t state_pairs;  // ceil(state_size / 2)
  // Per gate (input, forget, cell, output) and block of 8 units: [pair][lane] words of two int16
  // weights (pack_gemm_filter's layout), zero past the real units and depth.
  const int32_t* input_filter;      // 4 * unit_blocks * input_pairs * 8 words
  const int32_t* recurrent_filter;  // 4 * unit_blocks * state_pairs * 8 words
  // Per gate and block: bias (the folded biases), multiplier and shift of the product.
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
  int16_t* widened_hidden;        // 2 * state_pairs values
  int32_t* gates;                 // 4 * unit_blocks * 8 values, 32-byte aligned
  int32_t* input_parts;           // batch * time_steps * 4 * unit_blocks * 8, 32-byte aligned
};

// The same bytes as rt::lstm_int8 with the planned arguments.
void lstm_int8_avx2(const LstmInt8Avx2View& view, const int8_t* input, int8_t* hidden_state,
                    int16_t* cell_state, int8_t* output);

}  // namespace kiln::exec::host_simd
