// prepare_lstm: validation, and the constants it hands the device kernel, worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "exec/executor.h"
#include "exec/kernel.h"
#include "exec/ops/lstm.h"
#include "ir/model.h"

namespace kiln::exec {
namespace {

using ir::DType;

template <typename T>
std::vector<uint8_t> bytes(const std::vector<T>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// An int8 LSTM with batch 1, 2 steps, 3 inputs, 2 units. Input-to-gate weights of gate g are
// all g + 1; recurrent weights all -(g + 1); biases [10 g, 10 g + 1].
struct LstmModel {
  ir::Model model;
  std::vector<int32_t> inputs = std::vector<int32_t>(24, ir::kNoTensor);
  ir::LstmOptions options;

  int32_t add(ir::Tensor t) {
    model.tensors.push_back(std::move(t));
    return static_cast<int32_t>(model.tensors.size() - 1);
  }

  LstmModel() {
    inputs[0] = add({"x", {1, 2, 3}, DType::kInt8, {{1.0f / 256}, {-128}, 0}, {}, false});
    for (int g = 0; g < 4; ++g) {
      inputs[1 + g] = add({"w",
                           {2, 3},
                           DType::kInt8,
                           {{1.0f / 128}, {0}, 0},
                           bytes(std::vector<int8_t>(6, static_cast<int8_t>(g + 1))),
                           false});
      inputs[5 + g] = add({"r",
                           {2, 2},
                           DType::kInt8,
                           {{1.0f / 64}, {0}, 0},
                           bytes(std::vector<int8_t>(4, static_cast<int8_t>(-(g + 1)))),
                           false});
      inputs[12 + g] = add({"b",
                            {2},
                            DType::kInt32,
                            {{1.0f / 32768}, {0}, 0},
                            bytes(std::vector<int32_t>{10 * g, 10 * g + 1}),
                            false});
    }
    inputs[18] = add({"h", {1, 2}, DType::kInt8, {{1.0f / 128}, {4}, 0}, {}, true});
    inputs[19] = add({"c", {1, 2}, DType::kInt16, {{1.0f / 4096}, {0}, 0}, {}, true});
    add({"y", {1, 2, 2}, DType::kInt8, {{1.0f / 128}, {4}, 0}, {}, false});
    options.cell_clip = 10.0f;
  }

  ir::Tensor& tensor(size_t operand) { return model.tensors[static_cast<size_t>(inputs[operand])]; }

  // The operator as currently configured (output is the last tensor added in the constructor).
  const ir::Operator& op() {
    model.operators = {
        {ir::OpType::kUnidirectionalSequenceLstm, 1, inputs, {inputs[19] + 1}, {}, options}};
    return model.operators[0];
  }
  LstmPrepared prepare() { return prepare_lstm(model, op()); }
};

TEST(LstmPrepare, Int8Constants) {
  LstmModel m;
  const LstmPrepared p = m.prepare();
  ASSERT_EQ(p.dtype, DType::kInt8);
  const rt::LstmInt8Params& q = p.int8_params;
  EXPECT_EQ(q.dims.batch, 1);
  EXPECT_EQ(q.dims.time_steps, 2);
  EXPECT_EQ(q.dims.input_size, 3);
  EXPECT_EQ(q.dims.state_size, 2);
  EXPECT_FALSE(q.dims.time_major);

  // W x: 2^-8 * 2^-7 / 2^-12 = 2^-3 = 0.5 * 2^-2 -> mantissa 2^30, shift -2.
  // R h: 2^-7 * 2^-6 / 2^-12 = 2^-1 = 0.5 * 2^0 -> mantissa 2^30, shift 0.
  for (const rt::LstmInt8GateScales* s :
       {&q.input_gate, &q.forget_gate, &q.cell_gate, &q.output_gate}) {
    EXPECT_EQ(s->input_multiplier, 1 << 30);
    EXPECT_EQ(s->input_shift, -2);
    EXPECT_EQ(s->recurrent_multiplier, 1 << 30);
    EXPECT_EQ(s->recurrent_shift, 0);
  }
  // The gate output scale TFLM uses is the float literal 0.00003051757f = 2^-15 (1 - 2^-22)
  // (4 ulps below 2^-15), so f * c -> c has mantissa (1 - 2^-22) 2^31 = 2^31 - 2^9 and 2^-15.
  EXPECT_EQ(q.forget_cell_multiplier, 2147483136);
  EXPECT_EQ(q.forget_cell_shift, -15);
  // i * g -> c: 2^-30 (1 - 2^-22)^2 / 2^-12 = (1 - 2^-21 + 2^-44) 2^-18: the mantissa rounds
  // to 2^31 - 2^10, shift -18.
  EXPECT_EQ(q.input_cell_multiplier, 2147482624);
  EXPECT_EQ(q.input_cell_shift, -18);
  // o * tanh(c) -> h at 2^-7: (1 - 2^-21 + 2^-44) 2^-23.
  EXPECT_EQ(q.hidden_multiplier, 2147482624);
  EXPECT_EQ(q.hidden_shift, -23);
  EXPECT_EQ(q.hidden_zero_point, 4);
  // Cell scale 2^-12: the tanh axis (3 * 2^12 per unit) is 3x.
  EXPECT_EQ(q.cell_tanh.input_multiplier, 3);
  EXPECT_EQ(q.cell_tanh.input_right_shift, 0);
  // 10 / 2^-12 = 40960, saturated to int16.
  EXPECT_TRUE(q.use_cell_clip);
  EXPECT_EQ(q.cell_clip, 32767);
  EXPECT_EQ(q.cell_activation, rt::kLstmCellTanh);

  // Folded biases: input zero point -128 -> +128 * row sum (3 (g + 1)); hidden zero point 4
  // -> -4 * row sum (-2 (g + 1)).
  for (size_t g = 0; g < 4; ++g) {
    const int32_t row_sum = 3 * static_cast<int32_t>(g + 1);
    const int32_t base = 10 * static_cast<int32_t>(g);
    EXPECT_EQ(p.input_bias[g],
              (std::vector<int32_t>{base + 128 * row_sum, base + 1 + 128 * row_sum}));
    const int32_t recurrent = -4 * (-2 * static_cast<int32_t>(g + 1));
    EXPECT_EQ(p.recurrent_bias[g], (std::vector<int32_t>{recurrent, recurrent}));
  }
  EXPECT_EQ(p.gates[kLstmCellGate].input_weights, m.inputs[3]);
  EXPECT_EQ(p.gates[kLstmOutputGate].recurrent_weights, m.inputs[8]);
  EXPECT_EQ(p.gates[kLstmForgetGate].bias, m.inputs[13]);
  EXPECT_EQ(p.hidden_state, m.inputs[18]);
  EXPECT_EQ(p.cell_state, m.inputs[19]);
  EXPECT_EQ(p.scratch_bytes, 4u * 1 * 2 * sizeof(int16_t));
}

TEST(LstmPrepare, GateMultiplierUsesTheFloatScaleProduct) {
  // As TFLM's fully connected prepare: input_scale * weight_scale is rounded to float before
  // the division by 2^-12. With the scales of the mnist_lstm model's input and forget-gate
  // weights that gives mantissa 1625049984 (0.75672 * 2^31) and shift -2; the product in double
  // would give 1625050027 (both worked out separately in Python).
  LstmModel m;
  m.tensor(0).quant.scale = {0.003921568859368563f};
  m.tensor(2).quant.scale = {0.011777607724070549f};
  const rt::LstmInt8GateScales s = m.prepare().int8_params.forget_gate;
  EXPECT_EQ(s.input_multiplier, 1625049984);
  EXPECT_EQ(s.input_shift, -2);
}

TEST(LstmPrepare, CellScaleSetsTheTanhRescaling) {
  LstmModel m;
  m.tensor(19).quant.scale = {1.0f / 2048};  // 2^-11: axis = 6x
  EXPECT_EQ(m.prepare().int8_params.cell_tanh.input_multiplier, 6);
  EXPECT_EQ(m.prepare().int8_params.cell_tanh.input_right_shift, 0);
  m.tensor(19).quant.scale = {1.0f / 32768};  // 2^-15: axis = 3x / 8
  EXPECT_EQ(m.prepare().int8_params.cell_tanh.input_multiplier, 3);
  EXPECT_EQ(m.prepare().int8_params.cell_tanh.input_right_shift, 3);
  // Cell clip 10 at 2^-15 saturates too; at 2^-11 it is 20480.
  m.tensor(19).quant.scale = {1.0f / 2048};
  EXPECT_EQ(m.prepare().int8_params.cell_clip, 20480);
  m.options.cell_clip = 0.0f;
  EXPECT_FALSE(m.prepare().int8_params.use_cell_clip);
}

TEST(LstmPrepare, TimeMajorSwapsBatchAndTime) {
  LstmModel m;
  m.options.time_major = true;
  m.tensor(18).shape = {2, 2};
  m.tensor(19).shape = {2, 2};
  const LstmPrepared p = m.prepare();  // input [1, 2, 3] is now 1 step of 2 batches
  EXPECT_EQ(p.int8_params.dims.batch, 2);
  EXPECT_EQ(p.int8_params.dims.time_steps, 1);
  EXPECT_TRUE(p.int8_params.dims.time_major);
  EXPECT_EQ(p.scratch_bytes, 4u * 2 * 2 * sizeof(int16_t));
}

TEST(LstmPrepare, FloatModel) {
  LstmModel m;
  for (ir::Tensor& t : m.model.tensors) {
    const size_t n = static_cast<size_t>(t.num_elements());
    t.quant = {};
    if (t.is_constant()) t.data = bytes(std::vector<float>(n, 0.5f));
    t.dtype = DType::kFloat32;
  }
  m.options.cell_clip = 3.0f;
  const LstmPrepared p = m.prepare();
  EXPECT_EQ(p.dtype, DType::kFloat32);
  EXPECT_TRUE(p.float_params.use_cell_clip);
  EXPECT_EQ(p.float_params.cell_clip, 3.0f);
  EXPECT_EQ(p.float_params.dims.state_size, 2);
  EXPECT_EQ(p.scratch_bytes, 4u * 1 * 2 * sizeof(float));
}

TEST(LstmPrepare, FloatModelRunsInTheExecutor) {
  // Every weight and bias 0.5, so both units and all four gates share one pre-activation:
  // p = 0.5 * sum(x_t) + 0.5 + 0.5 * (h_0 + h_1).
  LstmModel m;
  for (ir::Tensor& t : m.model.tensors) {
    const size_t n = static_cast<size_t>(t.num_elements());
    t.quant = {};
    if (t.is_constant()) t.data = bytes(std::vector<float>(n, 0.5f));
    t.dtype = DType::kFloat32;
  }
  m.op();
  m.model.inputs = {m.inputs[0]};
  m.model.outputs = {m.inputs[19] + 1};
  exec::Executor executor(m.model);
  const std::vector<float> x = {0.2f, -0.4f, 0.1f, 1.0f, 0.5f, -0.5f};
  executor.set_input(0, bytes(x));

  double h = 0, c = 0;
  std::vector<double> expected;
  for (int t = 0; t < 2; ++t) {
    const double sum_x = x[3 * t] + x[3 * t + 1] + x[3 * t + 2];
    const double pre = 0.5 * sum_x + 0.5 + 0.5 * (2 * h);
    const double gate = 1.0 / (1.0 + std::exp(-pre));
    c = gate * c + gate * std::tanh(pre);
    h = gate * std::tanh(c);
    expected.insert(expected.end(), {h, h});
  }
  for (int run = 0; run < 2; ++run) {  // reset() restores the zero state
    executor.reset();
    executor.invoke();
    const auto out = executor.output(0);
    ASSERT_EQ(out.size(), 4 * sizeof(float));
    for (size_t i = 0; i < 4; ++i) {
      float v = 0;
      std::memcpy(&v, out.data() + i * sizeof(float), sizeof(float));
      EXPECT_NEAR(v, expected[i], 1e-6) << "element " << i;
    }
  }
}

std::string prepare_error(LstmModel& m) {
  try {
    m.prepare();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_unsupported(LstmModel& m, const std::string& feature) {
  EXPECT_EQ(prepare_error(m), "UNIDIRECTIONAL_SEQUENCE_LSTM: " + feature + " is not supported");
}

TEST(LstmPrepare, RejectsVariantsTheReferenceDoesNotImplement) {
  {
    LstmModel m;
    m.inputs[10] = m.add({"peephole",
                          {2},
                          DType::kInt16,
                          {{1.0f}, {0}, 0},
                          bytes(std::vector<int16_t>(2, 1)),
                          false});
    expect_unsupported(m, "peephole (cell-to-gate weights)");
  }
  {
    LstmModel m;
    m.inputs[16] = m.add(
        {"proj", {2, 2}, DType::kInt8, {{1.0f}, {0}, 0}, bytes(std::vector<int8_t>(4, 1)), false});
    expect_unsupported(m, "projection");
  }
  {
    LstmModel m;
    m.inputs[21] = m.add(
        {"ln", {2}, DType::kInt16, {{1.0f}, {0}, 0}, bytes(std::vector<int16_t>(2, 1)), false});
    expect_unsupported(m, "layer normalization");
  }
  {
    LstmModel m;
    m.inputs[1] = m.inputs[5] = m.inputs[12] = ir::kNoTensor;
    expect_unsupported(m, "CIFG (no input gate)");
  }
  {
    LstmModel m;
    m.options.activation = ir::Activation::kRelu;
    expect_unsupported(m, "cell activation RELU");
  }
  {
    LstmModel m;
    m.tensor(2).quant = {{0.01f, 0.02f}, {0, 0}, 0};
    expect_unsupported(m, "per-channel quantization of the input weights 'w'");
  }
  {
    LstmModel m;
    m.tensor(19).quant.scale = {0.0003f};
    expect_unsupported(m, "cell state scale 0.0003 (not a power of two)");
  }
  {
    LstmModel m;
    m.tensor(0).dtype = DType::kInt16;
    m.model.tensors.back().dtype = DType::kInt16;
    expect_unsupported(m, "activation type int16");
  }
}

TEST(LstmPrepare, RejectsInconsistentTensors) {
  {
    LstmModel m;
    m.tensor(19).is_variable = false;
    EXPECT_EQ(prepare_error(m),
              "UNIDIRECTIONAL_SEQUENCE_LSTM: cell state 'c' must be a variable tensor");
  }
  {
    LstmModel m;
    m.tensor(7).shape = {2, 3};
    m.tensor(7).data = bytes(std::vector<int8_t>(6));
    EXPECT_EQ(prepare_error(m),
              "UNIDIRECTIONAL_SEQUENCE_LSTM: recurrent weights 'r' has shape [2x3], expected "
              "[2x2]");
  }
  {
    LstmModel m;
    m.tensor(14).dtype = DType::kInt8;
    m.tensor(14).data.resize(2);
    EXPECT_EQ(prepare_error(m),
              "UNIDIRECTIONAL_SEQUENCE_LSTM: gate bias 'b' is int8, expected int32");
  }
  {
    LstmModel m;
    m.model.tensors.back().shape = {1, 2, 3};
    EXPECT_EQ(prepare_error(m),
              "UNIDIRECTIONAL_SEQUENCE_LSTM: output shape [1x2x3] does not match input [1x2x3] "
              "with 2 units");
  }
  {
    LstmModel m;
    m.inputs.pop_back();
    EXPECT_EQ(prepare_error(m),
              "UNIDIRECTIONAL_SEQUENCE_LSTM: expected 24 inputs and 1 output, got 23 and 1");
  }
}

TEST(LstmFamily, DispatchesOnlyTheLstm) {
  LstmModel m;
  EXPECT_NE(make_lstm_family_kernel(m.model, m.op()), nullptr);
  ir::Operator other = m.op();
  other.type = ir::OpType::kAdd;
  EXPECT_EQ(make_lstm_family_kernel(m.model, other), nullptr);
}

}  // namespace
}  // namespace kiln::exec
