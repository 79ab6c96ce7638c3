#include "exec/ops/lstm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <variant>

#include "core/error.h"
#include "exec/host_simd/constant_data.h"
#include "exec/host_simd/host_simd.h"
#include "exec/host_simd/lstm_int8.h"
#include "exec/prepare_util.h"

namespace kiln::exec {

namespace {

// Operand positions of the TFLite operator.
constexpr size_t kInputOperand = 0;
constexpr size_t kInputWeightsOperand = 1;      // + gate
constexpr size_t kRecurrentWeightsOperand = 5;  // + gate
constexpr size_t kPeepholeOperands[] = {9, 10, 11};
constexpr size_t kBiasOperand = 12;  // + gate
constexpr size_t kProjectionOperands[] = {16, 17};
constexpr size_t kHiddenStateOperand = 18;
constexpr size_t kCellStateOperand = 19;
constexpr size_t kLayerNormOperands[] = {20, 21, 22, 23};
constexpr size_t kOperandCount = 24;

// Scales TFLM's integer LSTM assumes around the gate activations, as the float literals its
// prepare uses (the second is a few ulps below 2^-15, which shows in the multipliers).
constexpr float kGatePreactivationScale = 0.00024414062f;  // Q3.12
constexpr float kGateOutputScale = 0.00003051757f;         // Q0.15

[[noreturn]] void fail(const std::string& what) {
  throw Error(fmt::format("UNIDIRECTIONAL_SEQUENCE_LSTM: {}", what));
}

void unsupported(const std::string& feature) {
  fail(fmt::format("{} is not supported", feature));
}

const char* gate_name(size_t gate) {
  static constexpr const char* kNames[] = {"input", "forget", "cell", "output"};
  return kNames[gate];
}

std::string shape_str(const std::vector<int32_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, "x"));
}

const ir::Tensor& required(const ir::Model& model, const ir::Operator& op, size_t i,
                           const char* what) {
  const ir::Tensor* t = model.optional_input(op, i);
  if (t == nullptr) fail(fmt::format("missing {} (operand {})", what, i));
  return *t;
}

void expect_type(const ir::Tensor& t, ir::DType type, const char* what) {
  if (t.dtype != type)
    fail(fmt::format("{} '{}' is {}, expected {}", what, t.name, ir::dtype_name(t.dtype),
                     ir::dtype_name(type)));
}

void expect_shape(const ir::Tensor& t, const std::vector<int32_t>& shape, const char* what) {
  if (t.shape != shape)
    fail(fmt::format("{} '{}' has shape {}, expected {}", what, t.name, shape_str(t.shape),
                     shape_str(shape)));
}

void expect_constant(const ir::Tensor& t, const char* what) {
  if (!t.is_constant()) fail(fmt::format("{} '{}' must be constant", what, t.name));
}

// Per-tensor quantization is all the reference kernel reads (it ignores per-channel scales).
void expect_per_tensor(const ir::Tensor& t, const char* what) {
  if (t.quant.empty()) fail(fmt::format("{} '{}' has no quantization parameters", what, t.name));
  if (t.quant.scale.size() != 1 || t.quant.zero_point.size() != 1)
    unsupported(fmt::format("per-channel quantization of the {} '{}'", what, t.name));
  if (!(t.quant.scale[0] > 0.0f) || !std::isfinite(t.quant.scale[0]))
    fail(fmt::format("{} '{}' has invalid scale {}", what, t.name, t.quant.scale[0]));
}

int32_t int8_zero_point(const ir::Tensor& t, const char* what) {
  const int64_t zp = t.quant.zero_point[0];
  if (zp < -128 || zp > 127)
    fail(fmt::format("{} '{}' has zero point {} outside the int8 range", what, t.name, zp));
  return static_cast<int32_t>(zp);
}

// The multiplier of TFLM's fully connected prepare: the scale product is formed in float.
rt::LstmInt8GateScales gate_scales(float input_scale, float input_weight_scale, float hidden_scale,
                                   float recurrent_weight_scale) {
  rt::LstmInt8GateScales s{};
  int shift = 0;
  quantize_multiplier(static_cast<double>(input_scale * input_weight_scale) /
                          static_cast<double>(kGatePreactivationScale),
                      &s.input_multiplier, &shift);
  s.input_shift = shift;
  quantize_multiplier(static_cast<double>(hidden_scale * recurrent_weight_scale) /
                          static_cast<double>(kGatePreactivationScale),
                      &s.recurrent_multiplier, &shift);
  s.recurrent_shift = shift;
  return s;
}

// Multiplier of an element-wise product a * b stored at `output_scale` (double arithmetic, as
// TFLM's inter-gate MUL parameters).
void mul_multiplier(float a_scale, float b_scale, float output_scale, int32_t* multiplier,
                    int32_t* shift) {
  int s = 0;
  quantize_multiplier(static_cast<double>(a_scale) * static_cast<double>(b_scale) /
                          static_cast<double>(output_scale),
                      multiplier, &s);
  *shift = s;
}

// log2 of the cell-state scale, computed like TFLM's CheckedLog2 (in float).
int cell_scale_power(const ir::Tensor& cell) {
  const float scale = cell.quant.scale[0];
  const float log2_scale = std::log(scale) * (1.0f / std::log(2.0f));
  const float rounded = std::round(log2_scale);
  if (std::abs(log2_scale - rounded) >= 1e-3f)
    unsupported(fmt::format("cell state scale {} (not a power of two)", scale));
  return static_cast<int>(rounded);
}

// row_sums[n] * factor + base[n], wrapping to int32 like the reference's int32 accumulator.
std::vector<int32_t> folded_bias(const ir::Tensor& weights, int32_t rows, int32_t depth,
                                 int32_t factor, const int32_t* base) {
  const auto* w = reinterpret_cast<const int8_t*>(weights.data.data());
  std::vector<int32_t> out(static_cast<size_t>(rows));
  for (int32_t n = 0; n < rows; ++n) {
    int64_t sum = 0;
    for (int32_t k = 0; k < depth; ++k) sum += w[static_cast<size_t>(n) * depth + k];
    const uint64_t value = static_cast<uint64_t>(sum) * static_cast<uint64_t>(int64_t{factor}) +
                           static_cast<uint64_t>(int64_t{base != nullptr ? base[n] : 0});
    out[static_cast<size_t>(n)] = static_cast<int32_t>(static_cast<uint32_t>(value));
  }
  return out;
}

void prepare_int8(const ir::Model& model, const ir::Operator& op, const ir::Tensor& input,
                  const ir::Tensor& hidden, const ir::Tensor& cell, LstmPrepared& p) {
  expect_type(hidden, ir::DType::kInt8, "output state");
  expect_type(cell, ir::DType::kInt16, "cell state");
  expect_per_tensor(input, "input");
  expect_per_tensor(hidden, "output state");
  expect_per_tensor(cell, "cell state");
  const int32_t input_zp = int8_zero_point(input, "input");
  const int32_t hidden_zp = int8_zero_point(hidden, "output state");
  if (cell.quant.zero_point[0] != 0)
    unsupported(fmt::format("cell state zero point {}", cell.quant.zero_point[0]));

  rt::LstmInt8Params& q = p.int8_params;
  rt::LstmInt8GateScales* const gate_scale_fields[4] = {&q.input_gate, &q.forget_gate, &q.cell_gate,
                                                        &q.output_gate};
  const int32_t state = q.dims.state_size;
  const int32_t depth = q.dims.input_size;
  for (size_t g = 0; g < 4; ++g) {
    const ir::Tensor& w_in = model.tensor(p.gates[g].input_weights);
    const ir::Tensor& w_rec = model.tensor(p.gates[g].recurrent_weights);
    const ir::Tensor& bias = model.tensor(p.gates[g].bias);
    expect_type(w_in, ir::DType::kInt8, "input weights");
    expect_type(w_rec, ir::DType::kInt8, "recurrent weights");
    expect_type(bias, ir::DType::kInt32, "gate bias");
    expect_per_tensor(w_in, "input weights");
    expect_per_tensor(w_rec, "recurrent weights");
    // TFLM requires symmetric weights; folding the zero points into the biases relies on it.
    if (w_in.quant.zero_point[0] != 0 || w_rec.quant.zero_point[0] != 0)
      unsupported(fmt::format("{} gate weights with a nonzero zero point", gate_name(g)));

    const rt::LstmInt8GateScales scales = gate_scales(input.quant.scale[0], w_in.quant.scale[0],
                                                      hidden.quant.scale[0], w_rec.quant.scale[0]);
    *gate_scale_fields[g] = scales;
    std::vector<int32_t> bias_values(static_cast<size_t>(state));
    std::memcpy(bias_values.data(), bias.data.data(), bias_values.size() * sizeof(int32_t));
    p.input_bias[g] = folded_bias(w_in, state, depth, -input_zp, bias_values.data());
    p.recurrent_bias[g] = folded_bias(w_rec, state, state, -hidden_zp, nullptr);
  }

  const float cell_scale = cell.quant.scale[0];
  mul_multiplier(kGateOutputScale, cell_scale, cell_scale, &q.forget_cell_multiplier,
                 &q.forget_cell_shift);
  mul_multiplier(kGateOutputScale, kGateOutputScale, cell_scale, &q.input_cell_multiplier,
                 &q.input_cell_shift);
  mul_multiplier(kGateOutputScale, kGateOutputScale, hidden.quant.scale[0], &q.hidden_multiplier,
                 &q.hidden_shift);
  q.hidden_zero_point = hidden_zp;

  // tanh of the cell state: the table axis wants real * 3 * 2^12; the cell holds
  // real * 2^-power. TFLM turns that into a shift of 12 + power (left when positive).
  const int power = cell_scale_power(cell);
  const int shift = 15 + power - 3;
  if (shift < 0)
    q.cell_tanh = {3, -shift};
  else if (shift < 16)
    q.cell_tanh = {3 << shift, 0};
  if (shift >= 16 || !rt::int16_activation_params_valid(q.cell_tanh))
    unsupported(fmt::format("cell state scale 2^{}", power));

  const auto& options = std::get<ir::LstmOptions>(op.options);
  q.use_cell_clip = options.cell_clip > 0.0f;
  if (q.use_cell_clip) {
    const double clip = static_cast<double>(options.cell_clip) / static_cast<double>(cell_scale);
    q.cell_clip = static_cast<int16_t>(std::clamp(clip, -32768.0, 32767.0));
  }
  p.scratch_bytes = rt::lstm_int8_scratch_bytes(q.dims);
}

void prepare_float(const ir::Model& model, const ir::Operator& op, const ir::Tensor& hidden,
                   const ir::Tensor& cell, LstmPrepared& p) {
  expect_type(hidden, ir::DType::kFloat32, "output state");
  expect_type(cell, ir::DType::kFloat32, "cell state");
  for (size_t g = 0; g < 4; ++g) {
    expect_type(model.tensor(p.gates[g].input_weights), ir::DType::kFloat32, "input weights");
    expect_type(model.tensor(p.gates[g].recurrent_weights), ir::DType::kFloat32,
                "recurrent weights");
    expect_type(model.tensor(p.gates[g].bias), ir::DType::kFloat32, "gate bias");
  }
  rt::LstmFloatParams& f = p.float_params;
  const auto& options = std::get<ir::LstmOptions>(op.options);
  f.use_cell_clip = options.cell_clip > 0.0f;
  f.cell_clip = options.cell_clip;
  p.scratch_bytes = rt::lstm_float_scratch_bytes(f.dims);
}

}  // namespace

LstmPrepared prepare_lstm(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kUnidirectionalSequenceLstm)
    throw Error(fmt::format("prepare_lstm called for {}", ir::op_name(op.type)));
  if (op.inputs.size() != kOperandCount || op.outputs.size() != 1)
    fail(fmt::format("expected {} inputs and 1 output, got {} and {}", kOperandCount,
                     op.inputs.size(), op.outputs.size()));
  const auto* options = std::get_if<ir::LstmOptions>(&op.options);
  if (options == nullptr) fail("missing LSTM options");

  // Variants the reference kernel does not implement either.
  for (size_t i : kPeepholeOperands)
    if (model.optional_input(op, i) != nullptr) unsupported("peephole (cell-to-gate weights)");
  for (size_t i : kProjectionOperands)
    if (model.optional_input(op, i) != nullptr) unsupported("projection");
  for (size_t i : kLayerNormOperands)
    if (model.optional_input(op, i) != nullptr) unsupported("layer normalization");
  if (model.optional_input(op, kInputWeightsOperand + kLstmInputGate) == nullptr ||
      model.optional_input(op, kRecurrentWeightsOperand + kLstmInputGate) == nullptr ||
      model.optional_input(op, kBiasOperand + kLstmInputGate) == nullptr)
    unsupported("CIFG (no input gate)");
  if (options->diagonal_recurrent_tensors) unsupported("diagonal recurrent weights");

  LstmPrepared p;
  const ir::Tensor& input = required(model, op, kInputOperand, "input");
  const ir::Tensor& hidden = required(model, op, kHiddenStateOperand, "output state");
  const ir::Tensor& cell = required(model, op, kCellStateOperand, "cell state");
  const ir::Tensor& output = model.tensor(op.outputs[0]);
  p.input = op.inputs[kInputOperand];
  p.hidden_state = op.inputs[kHiddenStateOperand];
  p.cell_state = op.inputs[kCellStateOperand];
  p.output = op.outputs[0];
  for (size_t g = 0; g < 4; ++g) {
    required(model, op, kInputWeightsOperand + g, "input weights");
    required(model, op, kRecurrentWeightsOperand + g, "recurrent weights");
    required(model, op, kBiasOperand + g, "gate bias");
    p.gates[g] = {op.inputs[kInputWeightsOperand + g], op.inputs[kRecurrentWeightsOperand + g],
                  op.inputs[kBiasOperand + g]};
  }
  if (!hidden.is_variable)
    fail(fmt::format("output state '{}' must be a variable tensor", hidden.name));
  if (!cell.is_variable) fail(fmt::format("cell state '{}' must be a variable tensor", cell.name));

  // Sizes, as TFLM derives them: batch and time from the input, state from the hidden state.
  if (input.shape.size() != 3)
    fail(fmt::format("input '{}' must have rank 3, has shape {}", input.name,
                     shape_str(input.shape)));
  if (hidden.shape.size() != 2)
    fail(fmt::format("output state '{}' must have rank 2, has shape {}", hidden.name,
                     shape_str(hidden.shape)));
  rt::LstmDims dims{};
  dims.time_major = options->time_major;
  dims.batch = options->time_major ? input.shape[1] : input.shape[0];
  dims.time_steps = options->time_major ? input.shape[0] : input.shape[1];
  dims.input_size = input.shape[2];
  dims.state_size = hidden.shape[1];
  for (size_t g = 0; g < 4; ++g) {
    const ir::Tensor& w_in = model.tensor(p.gates[g].input_weights);
    const ir::Tensor& w_rec = model.tensor(p.gates[g].recurrent_weights);
    const ir::Tensor& bias = model.tensor(p.gates[g].bias);
    expect_shape(w_in, {dims.state_size, dims.input_size}, "input weights");
    expect_shape(w_rec, {dims.state_size, dims.state_size}, "recurrent weights");
    expect_shape(bias, {dims.state_size}, "gate bias");
    expect_constant(w_in, "input weights");
    expect_constant(w_rec, "recurrent weights");
    expect_constant(bias, "gate bias");
  }
  const int64_t state_elements = int64_t{dims.batch} * dims.state_size;
  if (hidden.num_elements() != state_elements || cell.num_elements() != state_elements)
    fail(fmt::format("state tensors {} and {} must hold batch x state = {} elements",
                     shape_str(hidden.shape), shape_str(cell.shape), state_elements));
  if (output.shape.size() != 3 || output.shape[0] != input.shape[0] ||
      output.shape[1] != input.shape[1] || output.shape[2] != dims.state_size)
    fail(fmt::format("output shape {} does not match input {} with {} units",
                     shape_str(output.shape), shape_str(input.shape), dims.state_size));
  if (rt::lstm_int8_scratch_bytes(dims) == 0 && dims.state_size > 0 && dims.batch > 0)
    fail("tensor sizes are too large");

  if (options->activation != ir::Activation::kTanh)
    unsupported(fmt::format("cell activation {}", ir::activation_name(options->activation)));

  if (output.dtype != input.dtype)
    fail(fmt::format("output is {} but input is {}", ir::dtype_name(output.dtype),
                     ir::dtype_name(input.dtype)));
  p.dtype = input.dtype;
  switch (input.dtype) {
    case ir::DType::kInt8:
      p.int8_params.dims = dims;
      p.int8_params.cell_activation = rt::kLstmCellTanh;
      prepare_int8(model, op, input, hidden, cell, p);
      break;
    case ir::DType::kFloat32:
      if (model.tensor(p.gates[kLstmForgetGate].input_weights).dtype != ir::DType::kFloat32)
        unsupported("hybrid quantization (float activations with quantized weights)");
      p.float_params.dims = dims;
      p.float_params.cell_activation = rt::kLstmCellTanh;
      prepare_float(model, op, hidden, cell, p);
      break;
    default:
      unsupported(fmt::format("activation type {}", ir::dtype_name(input.dtype)));
  }
  return p;
}

rt::LstmInt8Weights lstm_int8_weights(const LstmPrepared& p, const TensorMemory& memory) {
  auto gate = [&](size_t g) {
    return rt::LstmInt8Gate{
        memory.get<const int8_t>(p.gates[g].input_weights), p.input_bias[g].data(),
        memory.get<const int8_t>(p.gates[g].recurrent_weights), p.recurrent_bias[g].data()};
  };
  return {gate(kLstmInputGate), gate(kLstmForgetGate), gate(kLstmCellGate), gate(kLstmOutputGate)};
}

rt::LstmFloatWeights lstm_float_weights(const LstmPrepared& p, const TensorMemory& memory) {
  auto gate = [&](size_t g) {
    return rt::LstmFloatGate{memory.get<const float>(p.gates[g].input_weights),
                             memory.get<const float>(p.gates[g].bias),
                             memory.get<const float>(p.gates[g].recurrent_weights)};
  };
  return {gate(kLstmInputGate), gate(kLstmForgetGate), gate(kLstmCellGate), gate(kLstmOutputGate)};
}

namespace {

class LstmKernel : public Kernel {
 public:
  LstmKernel(const ir::Operator& op, LstmPrepared prepared,
             std::unique_ptr<host_simd::LstmInt8> simd)
      : op_(op),
        prepared_(std::move(prepared)),
        simd_(std::move(simd)),
        // int32 elements keep the scratch aligned for both int16 and float use.
        scratch_((prepared_.scratch_bytes + sizeof(int32_t) - 1) / sizeof(int32_t) + 1) {}

  void run(const TensorMemory& memory) override {
    const LstmPrepared& p = prepared_;
    if (simd_) {
      simd_->run(memory.get<const int8_t>(p.input), memory.get<int8_t>(p.hidden_state),
                 memory.get<int16_t>(p.cell_state), memory.get<int8_t>(p.output));
    } else if (p.dtype == ir::DType::kInt8) {
      check_status(
          rt::lstm_int8(p.int8_params, lstm_int8_weights(p, memory),
                        memory.get<const int8_t>(p.input), memory.get<int8_t>(p.hidden_state),
                        memory.get<int16_t>(p.cell_state), memory.get<int8_t>(p.output),
                        scratch_.data()),
          op_);
    } else {
      check_status(
          rt::lstm_float(p.float_params, lstm_float_weights(p, memory),
                         memory.get<const float>(p.input), memory.get<float>(p.hidden_state),
                         memory.get<float>(p.cell_state), memory.get<float>(p.output),
                         scratch_.data()),
          op_);
    }
  }

 private:
  const ir::Operator& op_;
  LstmPrepared prepared_;
  std::unique_ptr<host_simd::LstmInt8> simd_;  // int8 on AVX2 hosts, else null
  std::vector<int32_t> scratch_;
};

// The AVX2 plan of an int8 LSTM whose weights are constants, or null (portable kernel).
std::unique_ptr<host_simd::LstmInt8> simd_plan(const ir::Model& model, const LstmPrepared& p) {
  if (p.dtype != ir::DType::kInt8 || !host_simd::enabled()) return nullptr;
  rt::LstmInt8Weights weights{};
  rt::LstmInt8Gate* gates[4] = {&weights.input_gate, &weights.forget_gate, &weights.cell_gate,
                                &weights.output_gate};
  for (size_t g = 0; g < 4; ++g) {
    const auto* input_weights = host_simd::constant_data<int8_t>(model, p.gates[g].input_weights);
    const auto* recurrent_weights =
        host_simd::constant_data<int8_t>(model, p.gates[g].recurrent_weights);
    if (!input_weights || !recurrent_weights) return nullptr;
    *gates[g] = {input_weights, p.input_bias[g].data(), recurrent_weights,
                 p.recurrent_bias[g].data()};
  }
  return host_simd::LstmInt8::create(p.int8_params, weights);
}

}  // namespace

KernelPtr make_lstm_kernel(const ir::Model& model, const ir::Operator& op) {
  if (op.type != ir::OpType::kUnidirectionalSequenceLstm) return nullptr;
  LstmPrepared prepared = prepare_lstm(model, op);
  std::unique_ptr<host_simd::LstmInt8> simd = simd_plan(model, prepared);
  return std::make_unique<LstmKernel>(op, std::move(prepared), std::move(simd));
}

}  // namespace kiln::exec
