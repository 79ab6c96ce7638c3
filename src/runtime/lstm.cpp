#include "runtime/lstm.h"
#include "runtime/float_math.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "runtime/fixed_point.h"
#include "runtime/logistic_int16.h"
#include "runtime/tanh_int16.h"

namespace kiln {
namespace rt {

namespace {

// Gate pre-activations are Q3.12; on the sigmoid table's axis that is a factor 3, no shift.
const Int16ActivationParams kGateActivation = {3, 0};

// Number of scratch rows of each buffer: one step processes all batches when time-major,
// a single batch otherwise.
int32_t rows_per_step(const LstmDims& d) {
  return d.time_major ? d.batch : 1;
}

// Non-negative sizes whose tensors and scratch fit comfortably in int32 element counts.
bool dims_valid(const LstmDims& d) {
  if (d.batch < 0 || d.time_steps < 0 || d.input_size < 0 || d.state_size < 0) return false;
  const int64_t widest = d.input_size > d.state_size ? d.input_size : d.state_size;
  const int64_t sequence = static_cast<int64_t>(d.batch) * d.time_steps * widest;
  const int64_t weights = static_cast<int64_t>(d.state_size) * widest;
  return sequence <= INT32_MAX && weights <= INT32_MAX &&
         static_cast<int64_t>(d.batch) * d.state_size * 4 <= INT32_MAX;
}

bool aligned(const void* p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

// Where one step reads and writes: `rows` rows starting at these pointers.
template <typename Act, typename Cell>
struct StepView {
  const Act* input;
  Act* hidden;
  Cell* cell;
  Act* output;
  int32_t rows;
};

// Calls step(view) for every step in the order of the reference: all batches together per step
// when time-major; otherwise batch by batch, each through all its steps.
template <typename Act, typename Cell, typename StepFn>
void for_each_step(const LstmDims& d, const Act* input, Act* hidden, Cell* cell, Act* output,
                   StepFn step) {
  if (d.time_major) {
    for (int32_t t = 0; t < d.time_steps; ++t) {
      const StepView<Act, Cell> view = {input + t * d.batch * d.input_size, hidden, cell,
                                        output + t * d.batch * d.state_size, d.batch};
      step(view);
    }
    return;
  }
  for (int32_t b = 0; b < d.batch; ++b) {
    for (int32_t t = 0; t < d.time_steps; ++t) {
      const int32_t row = b * d.time_steps + t;
      const StepView<Act, Cell> view = {input + row * d.input_size, hidden + b * d.state_size,
                                        cell + b * d.state_size, output + row * d.state_size, 1};
      step(view);
    }
  }
}

// ---- int8 ----

int16_t saturate_int16(int32_t v) {
  return static_cast<int16_t>(clamp_i32(v, -32768, 32767));
}

// out[r, n] = clamp_int16(requantize(bias[n] + sum_k weights[n, k] * x[r, k])).
// The accumulator wraps modulo 2^32 like the reference's int32 accumulator (which cannot
// overflow for realistic sizes); unsigned arithmetic keeps that well defined.
void fully_connected_to_q312(const int8_t* x, int32_t rows, int32_t depth, const int8_t* weights,
                             const int32_t* bias, int32_t units, int32_t multiplier, int32_t shift,
                             int16_t* out) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* x_row = x + r * depth;
    for (int32_t n = 0; n < units; ++n) {
      const int8_t* w_row = weights + n * depth;
      uint32_t acc = bias != NULL ? static_cast<uint32_t>(bias[n]) : 0u;
      for (int32_t k = 0; k < depth; ++k)
        acc += static_cast<uint32_t>(static_cast<int32_t>(w_row[k]) * x_row[k]);
      out[r * units + n] = saturate_int16(
          multiply_by_quantized_multiplier(static_cast<int32_t>(acc), multiplier, shift));
    }
  }
}

// Q3.12 pre-activation of one gate for the rows of a step: W x + b and R h, each requantized and
// clamped on its own, then added with saturation.
void gate_preactivation_int8(const LstmInt8Gate& gate, const LstmInt8GateScales& scales,
                             const StepView<int8_t, int16_t>& step, const LstmDims& d, int16_t* out,
                             int16_t* temp) {
  fully_connected_to_q312(step.input, step.rows, d.input_size, gate.input_weights, gate.input_bias,
                          d.state_size, scales.input_multiplier, scales.input_shift, out);
  fully_connected_to_q312(step.hidden, step.rows, d.state_size, gate.recurrent_weights,
                          gate.recurrent_bias, d.state_size, scales.recurrent_multiplier,
                          scales.recurrent_shift, temp);
  const int32_t count = step.rows * d.state_size;
  for (int32_t k = 0; k < count; ++k) out[k] = saturate_int16(out[k] + temp[k]);
}

// (a * b) requantized, as the reference's int16 element-wise MUL.
int32_t mul_requantize(int16_t a, int16_t b, int32_t multiplier, int32_t shift) {
  return multiply_by_quantized_multiplier(static_cast<int32_t>(a) * b, multiplier, shift);
}

bool gate_valid(const LstmInt8Gate& g) {
  return g.input_weights != NULL && g.input_bias != NULL && g.recurrent_weights != NULL;
}

// The four int16 scratch rows-of-state buffers of one step.
struct Int8StepBuffers {
  int16_t* gate_a;  // forget gate, later tanh(c)
  int16_t* gate_b;  // input gate, later the output gate
  int16_t* cell_gate;
  int16_t* temp;
};

void step_int8(const LstmInt8Params& params, const LstmInt8Weights& weights,
               const StepView<int8_t, int16_t>& step, const Int8StepBuffers& buffers) {
  const LstmDims& d = params.dims;
  const int32_t count = step.rows * d.state_size;
  int16_t* temp = buffers.temp;

  int16_t* forget_gate = buffers.gate_a;
  gate_preactivation_int8(weights.forget_gate, params.forget_gate, step, d, forget_gate, temp);
  logistic_int16(kGateActivation, forget_gate, forget_gate, count);
  int16_t* input_gate = buffers.gate_b;
  gate_preactivation_int8(weights.input_gate, params.input_gate, step, d, input_gate, temp);
  logistic_int16(kGateActivation, input_gate, input_gate, count);
  int16_t* cell_gate = buffers.cell_gate;
  gate_preactivation_int8(weights.cell_gate, params.cell_gate, step, d, cell_gate, temp);
  if (params.cell_activation == kLstmCellTanh)
    tanh_int16(kGateActivation, cell_gate, cell_gate, count);
  else
    logistic_int16(kGateActivation, cell_gate, cell_gate, count);

  // c = f * c + i * g: each product requantized to the cell scale and clamped, the sum
  // saturated, then the optional clip.
  for (int32_t k = 0; k < count; ++k) {
    const int16_t kept = saturate_int16(mul_requantize(
        forget_gate[k], step.cell[k], params.forget_cell_multiplier, params.forget_cell_shift));
    const int16_t added = saturate_int16(mul_requantize(
        input_gate[k], cell_gate[k], params.input_cell_multiplier, params.input_cell_shift));
    int32_t c = saturate_int16(kept + added);
    if (params.use_cell_clip) c = clamp_i32(c, -params.cell_clip, params.cell_clip);
    step.cell[k] = static_cast<int16_t>(c);
  }

  // h = o * tanh(c), requantized to the hidden state's int8 scale and zero point. The input
  // and forget gates are no longer needed, so their buffers are reused.
  int16_t* output_gate = buffers.gate_b;
  gate_preactivation_int8(weights.output_gate, params.output_gate, step, d, output_gate, temp);
  logistic_int16(kGateActivation, output_gate, output_gate, count);
  int16_t* cell_tanh = buffers.gate_a;
  tanh_int16(params.cell_tanh, step.cell, cell_tanh, count);
  for (int32_t k = 0; k < count; ++k) {
    const int32_t h = mul_requantize(cell_tanh[k], output_gate[k], params.hidden_multiplier,
                                     params.hidden_shift) +
                      params.hidden_zero_point;
    step.hidden[k] = static_cast<int8_t>(clamp_i32(h, -128, 127));
  }
  memcpy(step.output, step.hidden, static_cast<size_t>(count));
}

}  // namespace

size_t lstm_int8_scratch_bytes(const LstmDims& dims) {
  if (!dims_valid(dims)) return 0;
  // Forget/input/cell gate outputs and one temporary, each one step's rows of state.
  return 4 * static_cast<size_t>(rows_per_step(dims)) * static_cast<size_t>(dims.state_size) *
         sizeof(int16_t);
}

Status lstm_int8(const LstmInt8Params& params, const LstmInt8Weights& weights, const int8_t* input,
                 int8_t* hidden_state, int16_t* cell_state, int8_t* output, void* scratch) {
  const LstmDims& d = params.dims;
  if (!dims_valid(d)) return kBadArgument;
  if (!gate_valid(weights.input_gate) || !gate_valid(weights.forget_gate) ||
      !gate_valid(weights.cell_gate) || !gate_valid(weights.output_gate))
    return kBadArgument;
  if (input == NULL || hidden_state == NULL || cell_state == NULL || output == NULL ||
      scratch == NULL || !aligned(scratch, sizeof(int16_t)))
    return kBadArgument;
  if (!int16_activation_params_valid(params.cell_tanh)) return kBadArgument;
  if (params.cell_activation != kLstmCellTanh && params.cell_activation != kLstmCellSigmoid)
    return kBadArgument;

  const int32_t step_size = rows_per_step(d) * d.state_size;
  int16_t* base = static_cast<int16_t*>(scratch);
  const Int8StepBuffers buffers = {base, base + step_size, base + 2 * step_size,
                                   base + 3 * step_size};
  for_each_step(
      d, input, hidden_state, cell_state, output,
      [&](const StepView<int8_t, int16_t>& step) { step_int8(params, weights, step, buffers); });
  return kOk;
}

// ---- float32 ----

namespace {

// The reference clamps fully connected and MUL results to the finite float range (its "no
// activation" bounds); this only changes infinities.
float clamp_finite(float v) {
  return clamp_f32(v, -FLT_MAX, FLT_MAX);
}

// The reference float sigmoid: cut-offs where the result is 1 (to float precision) or where
// exp(x) alone is accurate.
float sigmoid_float(float v) {
  if (v > 16.619047164916992188f) return 1.0f;
  if (v < -9.0f) return exp_float(v);
  return 1.0f / (1.0f + exp_float(-v));
}

// Clamp to [-clip, clip] in the reference's order of comparisons, which maps NaN to +clip.
float clip_float(float v, float clip) {
  const float upper = v < clip ? v : clip;
  return upper < -clip ? -clip : upper;
}

// out[r, n] = sum_k weights[n, k] * x[r, k] + bias[n], summed in the reference's order.
void fully_connected_float(const float* x, int32_t rows, int32_t depth, const float* weights,
                           const float* bias, int32_t units, float* out) {
  for (int32_t r = 0; r < rows; ++r) {
    const float* x_row = x + r * depth;
    for (int32_t n = 0; n < units; ++n) {
      const float* w_row = weights + n * depth;
      float total = 0.0f;
      for (int32_t k = 0; k < depth; ++k) total += x_row[k] * w_row[k];
      out[r * units + n] = clamp_finite(total + (bias != NULL ? bias[n] : 0.0f));
    }
  }
}

void gate_float(const LstmFloatGate& gate, LstmCellActivation activation,
                const StepView<float, float>& step, const LstmDims& d, float* out, float* temp) {
  fully_connected_float(step.input, step.rows, d.input_size, gate.input_weights, gate.input_bias,
                        d.state_size, out);
  fully_connected_float(step.hidden, step.rows, d.state_size, gate.recurrent_weights, NULL,
                        d.state_size, temp);
  const int32_t count = step.rows * d.state_size;
  for (int32_t k = 0; k < count; ++k) {
    const float v = out[k] + temp[k];
    out[k] = activation == kLstmCellTanh ? tanh_float(v) : sigmoid_float(v);
  }
}

bool gate_valid(const LstmFloatGate& g) {
  return g.input_weights != NULL && g.input_bias != NULL && g.recurrent_weights != NULL;
}

struct FloatStepBuffers {
  float* forget_gate;
  float* input_gate;  // later the output gate
  float* cell_gate;
  float* temp;
};

void step_float(const LstmFloatParams& params, const LstmFloatWeights& weights,
                const StepView<float, float>& step, const FloatStepBuffers& buffers) {
  const LstmDims& d = params.dims;
  const int32_t count = step.rows * d.state_size;
  gate_float(weights.forget_gate, kLstmCellSigmoid, step, d, buffers.forget_gate, buffers.temp);
  gate_float(weights.input_gate, kLstmCellSigmoid, step, d, buffers.input_gate, buffers.temp);
  gate_float(weights.cell_gate, params.cell_activation, step, d, buffers.cell_gate, buffers.temp);
  for (int32_t k = 0; k < count; ++k) {
    float c = clamp_finite(buffers.forget_gate[k] * step.cell[k]) +
              clamp_finite(buffers.input_gate[k] * buffers.cell_gate[k]);
    if (params.use_cell_clip) c = clip_float(c, params.cell_clip);
    step.cell[k] = c;
  }
  float* output_gate = buffers.input_gate;
  gate_float(weights.output_gate, kLstmCellSigmoid, step, d, output_gate, buffers.temp);
  for (int32_t k = 0; k < count; ++k)
    step.hidden[k] = clamp_finite(tanh_float(step.cell[k]) * output_gate[k]);
  memcpy(step.output, step.hidden, static_cast<size_t>(count) * sizeof(float));
}

}  // namespace

size_t lstm_float_scratch_bytes(const LstmDims& dims) {
  if (!dims_valid(dims)) return 0;
  return 4 * static_cast<size_t>(rows_per_step(dims)) * static_cast<size_t>(dims.state_size) *
         sizeof(float);
}

Status lstm_float(const LstmFloatParams& params, const LstmFloatWeights& weights,
                  const float* input, float* hidden_state, float* cell_state, float* output,
                  void* scratch) {
  const LstmDims& d = params.dims;
  if (!dims_valid(d)) return kBadArgument;
  if (!gate_valid(weights.input_gate) || !gate_valid(weights.forget_gate) ||
      !gate_valid(weights.cell_gate) || !gate_valid(weights.output_gate))
    return kBadArgument;
  if (input == NULL || hidden_state == NULL || cell_state == NULL || output == NULL ||
      scratch == NULL || !aligned(scratch, sizeof(float)))
    return kBadArgument;
  if (params.cell_activation != kLstmCellTanh && params.cell_activation != kLstmCellSigmoid)
    return kBadArgument;

  const int32_t step_size = rows_per_step(d) * d.state_size;
  float* base = static_cast<float*>(scratch);
  const FloatStepBuffers buffers = {base, base + step_size, base + 2 * step_size,
                                    base + 3 * step_size};
  for_each_step(
      d, input, hidden_state, cell_state, output,
      [&](const StepView<float, float>& step) { step_float(params, weights, step, buffers); });
  return kOk;
}

}  // namespace rt
}  // namespace kiln
