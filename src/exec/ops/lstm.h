// Host side of UNIDIRECTIONAL_SEQUENCE_LSTM: validation and every constant the device kernel
// (runtime/lstm.h) needs, computed the way TFLM's prepare computes them so that results match
// bit for bit.
//
// Supported: the standard LSTM with an input gate, no peephole, no projection, no layer
// normalization (what TFLM's kernel supports), with int8 activations (int8 weights, int32
// biases, int16 cell state) or float32 throughout. Anything else is rejected with
// "UNIDIRECTIONAL_SEQUENCE_LSTM: <feature> is not supported".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "exec/kernel.h"
#include "ir/model.h"
#include "runtime/lstm.h"

namespace kiln::exec {

// Gates in the order of the device structs and of the TFLite operand list.
enum LstmGate : size_t { kLstmInputGate = 0, kLstmForgetGate, kLstmCellGate, kLstmOutputGate };

// Tensor indices of one gate's constant operands.
struct LstmGateTensors {
  int32_t input_weights;      // [state_size, input_size]
  int32_t recurrent_weights;  // [state_size, state_size]
  int32_t bias;               // [state_size]
};

struct LstmPrepared {
  ir::DType dtype = ir::DType::kInt8;  // activation type: kInt8 or kFloat32
  rt::LstmInt8Params int8_params{};    // when dtype == kInt8
  rt::LstmFloatParams float_params{};  // when dtype == kFloat32

  std::array<LstmGateTensors, 4> gates{};  // indexed by LstmGate
  // int8 only, per gate, [state_size] each: the gate bias plus -input_zero_point * row sums of
  // the input weights, and -hidden_zero_point * row sums of the recurrent weights. The device
  // kernel then multiplies raw int8 values (same int32 result as the reference).
  std::array<std::vector<int32_t>, 4> input_bias;
  std::array<std::vector<int32_t>, 4> recurrent_bias;

  int32_t input = -1;
  int32_t output = -1;
  int32_t hidden_state = -1;  // variable tensor, updated in place
  int32_t cell_state = -1;    // variable tensor, updated in place
  size_t scratch_bytes = 0;
};

// Throws kiln::Error for unsupported or inconsistent operators.
LstmPrepared prepare_lstm(const ir::Model& model, const ir::Operator& op);

// The device weight structs for a prepared operator, given each tensor's data.
rt::LstmInt8Weights lstm_int8_weights(const LstmPrepared& prepared, const TensorMemory& memory);
rt::LstmFloatWeights lstm_float_weights(const LstmPrepared& prepared, const TensorMemory& memory);

// Kernel for UNIDIRECTIONAL_SEQUENCE_LSTM; nullptr for other operators.
KernelPtr make_lstm_kernel(const ir::Model& model, const ir::Operator& op);

}  // namespace kiln::exec
