// UNIDIRECTIONAL_SEQUENCE_LSTM, bit-exact with the TFLM reference kernel: the standard LSTM
// (no peephole, no projection, no layer normalization, with an input gate), int8 and float32.
//
// Per time step, with h the hidden state, c the cell state and x the input:
//   i = sigmoid(W_i x + b_i + R_i h)       input gate
//   f = sigmoid(W_f x + b_f + R_f h)       forget gate
//   g = act(W_g x + b_g + R_g h)           cell gate (act = tanh, or sigmoid)
//   o = sigmoid(W_o x + b_o + R_o h)       output gate
//   c = clip(f * c + i * g)
//   h = o * tanh(c);  the output row of this step is h.
//
// int8 variant (TFLM's "8x8->16"): int8 input, hidden state and output; int8 weights; int32
// biases; int16 cell state with a power-of-two scale. Each of the two fully connected products
// of a gate is requantized to Q3.12 int16 and clamped, the two are added with int16 saturation,
// and the activation gives Q0.15. The element-wise products are requantized with the
// multipliers the host prepares. Zero points of the input and hidden state are folded into the
// biases by the host, so the kernel only multiplies raw int8 values.
//
// Layout: input [batch, time, input_size] (or [time, batch, input_size] when time_major),
// output likewise with state_size; weights row-major [state_size, input_size] and
// [state_size, state_size]; hidden and cell state [batch, state_size], updated in place.
// With time_major the batches of one step are computed together; otherwise each batch runs
// through all its steps before the next (same results, as in the reference).
#ifndef KILN_RUNTIME_LSTM_H_
#define KILN_RUNTIME_LSTM_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/common.h"
#include "runtime/sigmoid_table.h"

namespace kiln {
namespace rt {

struct LstmDims {
  int32_t batch;
  int32_t time_steps;
  int32_t input_size;
  int32_t state_size;
  bool time_major;
};

enum LstmCellActivation {
  kLstmCellTanh = 0,
  kLstmCellSigmoid = 1,
};

// ---- int8 ----

// Requantization of one gate's two products to Q3.12.
struct LstmInt8GateScales {
  int32_t input_multiplier;  // W x  -> Q3.12
  int32_t input_shift;
  int32_t recurrent_multiplier;  // R h -> Q3.12
  int32_t recurrent_shift;
};

// Everything except the tensors: all of it is computed once on the host.
struct LstmInt8Params {
  LstmDims dims;
  LstmInt8GateScales input_gate;
  LstmInt8GateScales forget_gate;
  LstmInt8GateScales cell_gate;
  LstmInt8GateScales output_gate;
  LstmCellActivation cell_activation;
  int32_t forget_cell_multiplier;  // f (Q0.15) * c -> c
  int32_t forget_cell_shift;
  int32_t input_cell_multiplier;  // i (Q0.15) * g (Q0.15) -> c
  int32_t input_cell_shift;
  int32_t hidden_multiplier;  // o (Q0.15) * tanh(c) (Q0.15) -> h
  int32_t hidden_shift;
  int32_t hidden_zero_point;
  Int16ActivationParams cell_tanh;  // brings the cell state onto the tanh table's axis
  bool use_cell_clip;
  int16_t cell_clip;  // c is clamped to [-cell_clip, cell_clip] when use_cell_clip
};

struct LstmInt8Gate {
  const int8_t* input_weights;      // [state_size, input_size]
  const int32_t* input_bias;        // [state_size]: gate bias + input zero-point term
  const int8_t* recurrent_weights;  // [state_size, state_size]
  const int32_t* recurrent_bias;    // [state_size]: hidden zero-point term; may be NULL
};

struct LstmInt8Weights {
  LstmInt8Gate input_gate;
  LstmInt8Gate forget_gate;
  LstmInt8Gate cell_gate;
  LstmInt8Gate output_gate;
};

// Scratch bytes lstm_int8 needs (int16 aligned); 0 for invalid dimensions.
size_t lstm_int8_scratch_bytes(const LstmDims& dims);

// Runs the whole sequence. hidden_state/cell_state hold the state on entry and are updated.
Status lstm_int8(const LstmInt8Params& params, const LstmInt8Weights& weights, const int8_t* input,
                 int8_t* hidden_state, int16_t* cell_state, int8_t* output, void* scratch);

// ---- float32 ----

struct LstmFloatParams {
  LstmDims dims;
  LstmCellActivation cell_activation;
  bool use_cell_clip;
  float cell_clip;
};

struct LstmFloatGate {
  const float* input_weights;      // [state_size, input_size]
  const float* input_bias;         // [state_size]
  const float* recurrent_weights;  // [state_size, state_size]
};

struct LstmFloatWeights {
  LstmFloatGate input_gate;
  LstmFloatGate forget_gate;
  LstmFloatGate cell_gate;
  LstmFloatGate output_gate;
};

size_t lstm_float_scratch_bytes(const LstmDims& dims);

Status lstm_float(const LstmFloatParams& params, const LstmFloatWeights& weights,
                  const float* input, float* hidden_state, float* cell_state, float* output,
                  void* scratch);

}  // namespace rt
}  // namespace kiln

#endif  // KILN_RUNTIME_LSTM_H_
