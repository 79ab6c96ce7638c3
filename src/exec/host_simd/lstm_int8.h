// UNIDIRECTIONAL_SEQUENCE_LSTM int8 with AVX2 (lstm_avx2.cpp), planned once per operator: the
// weights packed per gate in blocks of 8 units, the requantizations in vector blocks (the
// folded biases included) and the widened rows.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "exec/host_simd/lstm_avx2_kernel.h"
#include "runtime/lstm.h"

namespace kiln::exec::host_simd {

class LstmInt8 {
 public:
  // The plan for these arguments (those of rt::lstm_int8), or null when AVX2 is unavailable or
  // the arguments are outside what the AVX2 kernel reproduces (anything the portable kernel
  // refuses, or shifts its vector output step does not take); the caller then runs the
  // portable kernel. The weights and biases are read now, so they must not change afterwards.
  // allow_vnni: use AVX-VNNI where vnni_enabled() (false: AVX2 only, for tests of both).
  static std::unique_ptr<LstmInt8> create(const rt::LstmInt8Params& params,
                                          const rt::LstmInt8Weights& weights,
                                          bool allow_vnni = true);

  LstmInt8(const LstmInt8&) = delete;
  LstmInt8& operator=(const LstmInt8&) = delete;

  // The same bytes as rt::lstm_int8 with the planned arguments; hidden and cell state updated.
  void run(const int8_t* input, int8_t* hidden_state, int16_t* cell_state, int8_t* output);

 private:
  LstmInt8() = default;

  std::vector<int32_t> input_filter_;
  std::vector<int32_t> recurrent_filter_;
  std::vector<Int8RequantBlock> input_requant_;
  std::vector<Int8RequantBlock> recurrent_requant_;
  std::vector<Int8RequantBlock> cell_requant_;  // forget * cell, input * cell gate, hidden
  std::vector<int16_t> widened_;
  struct alignas(32) Lanes {
    int32_t value[8];
  };
  struct alignas(32) Int16Lanes {
    int16_t value[16];
  };
  std::vector<Int16Lanes> hidden_rows_;  // per batch 2 * unit_blocks * 8 int16 values
  std::vector<Lanes> output_gates_;      // unit_blocks vectors: a step's output gates
  std::vector<Lanes> cell_lanes_;        // per batch unit_blocks vectors of cell values
  std::vector<Lanes> input_parts_;       // rows * 4 * unit_blocks vectors: W x + b per row
  LstmInt8Avx2View view_{};
};

}  // namespace kiln::exec::host_simd
