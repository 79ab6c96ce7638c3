// UNIDIRECTIONAL_SEQUENCE_LSTM device kernels and the int16 sigmoid/tanh they use. Expected
// values come from double-precision formulas written here (or worked out by hand in comments),
// never from the code under test.
#include "runtime/lstm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "exec/ops/lstm.h"
#include "ir/model.h"
#include "runtime/logistic_int16.h"
#include "runtime/sigmoid_table.h"
#include "runtime/tanh_int16.h"

namespace kiln::rt {
namespace {

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// ---- the table and the int16 activations ----

TEST(SigmoidTable, MatchesMidpointCorrectedFormula) {
  const double h = 1.0 / 24.0;
  auto v = [](double x) { return 65536.0 * sigmoid(x); };
  for (int i = 0; i < 255; ++i) {
    const double x = i * h;
    const double midpoint_error = (v(x) + v(x + h)) / 2.0 - v(x + h / 2.0);
    const double expected = std::round(v(x) - midpoint_error / 2.0);
    EXPECT_EQ(kSigmoidTable[i], expected) << "entry " << i;
  }
  EXPECT_EQ(kSigmoidTable[255], 65535);
  // Spot values: sigmoid(0) = 1/2 exactly; sigmoid(1) * 65536 = 47910.66, lowered by the
  // midpoint correction (~0.7 LSB here) it still rounds to 47911.
  EXPECT_EQ(kSigmoidTable[0], 32768);
  EXPECT_EQ(kSigmoidTable[24], 47911);
}

constexpr Int16ActivationParams kQ312 = {3, 0};  // Q3.12 input

int16_t logistic_one(int16_t x, Int16ActivationParams p = kQ312) {
  int16_t y = 0;
  EXPECT_EQ(logistic_int16(p, &x, &y, 1), kOk);
  return y;
}

int16_t tanh_one(int16_t x, Int16ActivationParams p = kQ312) {
  int16_t y = 0;
  EXPECT_EQ(tanh_int16(p, &x, &y, 1), kOk);
  return y;
}

TEST(LogisticInt16, ExactAtKnownPoints) {
  // x = 0: table entry 0 = 32768 (0.5 in Q0.16) -> 16384 in Q0.15.
  EXPECT_EQ(logistic_one(0), 16384);
  // x = 1.0 (4096): axis value 3 * 4096 = 12288 = entry 24 exactly; 47911 / 2 rounded up
  // -> 23956 (true value 32768 * sigmoid(1) = 23955.9).
  EXPECT_EQ(logistic_one(4096), 23956);
  // x = -1.0: mirrored, 32768 - 23955.5 rounded down -> 8812 (true 8812.1).
  EXPECT_EQ(logistic_one(-4096), 8812);
}

TEST(LogisticInt16, WithinTwoLsbOfSigmoidOverTheWholeQ312Range) {
  for (int x = -32768; x <= 32767; ++x) {
    const double expected = 32768.0 * sigmoid(x / 4096.0);
    ASSERT_LE(std::abs(logistic_one(static_cast<int16_t>(x)) - expected), 2.0) << "x = " << x;
  }
}

TEST(LogisticInt16, SaturatesBeyondTheTable) {
  // Axis value 32767 * 8 >> 0 = 262136: entry 511, past the table.
  const Int16ActivationParams wide = {8, 0};
  EXPECT_EQ(logistic_one(32767, wide), 32767);
  EXPECT_EQ(logistic_one(-32767, wide), 1);  // the reference's floor for large negatives
}

TEST(LogisticInt16, InPlaceAndRejectsOverflowingParameters) {
  int16_t data[3] = {0, 4096, -4096};
  ASSERT_EQ(logistic_int16(kQ312, data, data, 3), kOk);
  EXPECT_EQ(data[0], 16384);
  EXPECT_EQ(data[1], 23956);
  EXPECT_EQ(data[2], 8812);
  int16_t x = 0, y = 0;
  EXPECT_EQ(logistic_int16({65536, 0}, &x, &y, 1), kBadArgument);  // 32768 * m overflows
  EXPECT_EQ(logistic_int16({3, 32}, &x, &y, 1), kBadArgument);
  EXPECT_EQ(logistic_int16({-3, 0}, &x, &y, 1), kBadArgument);
  EXPECT_EQ(logistic_int16(kQ312, nullptr, &y, 1), kBadArgument);
  EXPECT_EQ(logistic_int16(kQ312, &x, &y, -1), kBadArgument);
}

TEST(TanhInt16, ExactAtKnownPoints) {
  EXPECT_EQ(tanh_one(0), 0);
  // x = 0.5 (2048): axis 6144 read with 8 fractional bits = entry 24 exactly, i.e.
  // sigmoid(1): (47911 * 256 - 2^23 + 128) >> 8 = 15143 (true 32768 * tanh(0.5) = 15142.6).
  EXPECT_EQ(tanh_one(2048), 15143);
  EXPECT_EQ(tanh_one(-2048), -15143);
}

TEST(TanhInt16, WithinTwoLsbOfTanhOverTheWholeQ312Range) {
  for (int x = -32768; x <= 32767; ++x) {
    const double expected = 32768.0 * std::tanh(x / 4096.0);
    ASSERT_LE(std::abs(tanh_one(static_cast<int16_t>(x)) - expected), 2.0) << "x = " << x;
  }
}

TEST(TanhInt16, CellStateScalesUseTheRescaling) {
  // Cell scale 2^-11: real = x / 2048, axis = real * 12288 = 6x -> multiplier 6.
  // Cell scale 2^-15: axis = 3x / 8 -> multiplier 3, right shift 3 (rounded). Rounding the axis
  // value costs up to half an axis step, 32768 / 12288 / 2 = 1.3 output LSB where tanh is
  // steepest, hence the wider tolerance.
  struct Case {
    Int16ActivationParams params;
    double scale;
    double tolerance;
  };
  for (const Case& c : {Case{{6, 0}, 1.0 / 2048, 2.0}, Case{{3, 3}, 1.0 / 32768, 3.0}}) {
    for (int x = -32768; x <= 32767; ++x) {
      const double expected = 32768.0 * std::tanh(x * c.scale);
      ASSERT_LE(std::abs(tanh_one(static_cast<int16_t>(x), c.params) - expected), c.tolerance)
          << "x = " << x << " multiplier " << c.params.input_multiplier;
    }
  }
  EXPECT_EQ(tanh_one(32767, {6, 0}), 32767);
  EXPECT_EQ(tanh_one(-32768, {6, 0}), -32767);
}

// ---- float LSTM ----

// Plain double LSTM over [batch][time] (batch-major), the formulas of lstm.h.
struct NaiveLstm {
  int batch, time, in, state;
  // [gate][state][in], [gate][state][state], [gate][state]; gates in order i, f, g, o.
  std::vector<double> w, r, b;
  double clip = 0.0;

  std::vector<double> run(const std::vector<double>& x, std::vector<double>& h,
                          std::vector<double>& c) const {
    std::vector<double> out(static_cast<size_t>(batch * time * state));
    for (int bb = 0; bb < batch; ++bb) {
      for (int t = 0; t < time; ++t) {
        const double* xt = &x[static_cast<size_t>((bb * time + t) * in)];
        double* hb = &h[static_cast<size_t>(bb * state)];
        double* cb = &c[static_cast<size_t>(bb * state)];
        std::vector<double> pre(static_cast<size_t>(4 * state));
        for (int g = 0; g < 4; ++g)
          for (int n = 0; n < state; ++n) {
            double s = b[static_cast<size_t>(g * state + n)];
            for (int k = 0; k < in; ++k)
              s += w[static_cast<size_t>((g * state + n) * in + k)] * xt[k];
            for (int k = 0; k < state; ++k)
              s += r[static_cast<size_t>((g * state + n) * state + k)] * hb[k];
            pre[static_cast<size_t>(g * state + n)] = s;
          }
        for (int n = 0; n < state; ++n) {
          const double i = sigmoid(pre[static_cast<size_t>(n)]);
          const double f = sigmoid(pre[static_cast<size_t>(state + n)]);
          const double g = std::tanh(pre[static_cast<size_t>(2 * state + n)]);
          const double o = sigmoid(pre[static_cast<size_t>(3 * state + n)]);
          double cn = f * cb[n] + i * g;
          if (clip > 0) cn = std::clamp(cn, -clip, clip);
          cb[n] = cn;
          hb[n] = o * std::tanh(cn);
          out[static_cast<size_t>((bb * time + t) * state + n)] = hb[n];
        }
      }
    }
    return out;
  }
};

// The float kernel's inputs for a NaiveLstm's weights.
struct FloatLstm {
  std::vector<float> w, r, b;
  LstmFloatParams params{};

  explicit FloatLstm(const NaiveLstm& m, bool time_major) {
    w.assign(m.w.begin(), m.w.end());
    r.assign(m.r.begin(), m.r.end());
    b.assign(m.b.begin(), m.b.end());
    params.dims = {m.batch, m.time, m.in, m.state, time_major};
    params.cell_activation = kLstmCellTanh;
    params.use_cell_clip = m.clip > 0;
    params.cell_clip = static_cast<float>(m.clip);
  }
  LstmFloatWeights weights() const {
    auto gate = [&](int g) {
      return LstmFloatGate{
          &w[static_cast<size_t>(g * params.dims.state_size * params.dims.input_size)],
          &b[static_cast<size_t>(g * params.dims.state_size)],
          &r[static_cast<size_t>(g * params.dims.state_size * params.dims.state_size)]};
    };
    return {gate(0), gate(1), gate(2), gate(3)};
  }
  std::vector<float> run(const std::vector<float>& x, std::vector<float>& h,
                         std::vector<float>& c) const {
    const LstmDims& d = params.dims;
    std::vector<float> out(static_cast<size_t>(d.batch * d.time_steps * d.state_size));
    std::vector<float> scratch(lstm_float_scratch_bytes(d) / sizeof(float));
    EXPECT_EQ(
        lstm_float(params, weights(), x.data(), h.data(), c.data(), out.data(), scratch.data()),
        kOk);
    return out;
  }
};

TEST(LstmFloat, OneUnitTwoStepsByHand) {
  // One input, one unit. Gate pre-activations: i: 0.5x + 0.1 + 0.2h, f: -0.3x + 0.4 + 0.1h,
  // g: 1.0x - 0.2 + 0.5h, o: 0.8x + 0 - 0.6h. Inputs x = 1, then x = -2.
  NaiveLstm m{1, 2, 1, 1, {0.5, -0.3, 1.0, 0.8}, {0.2, 0.1, 0.5, -0.6}, {0.1, 0.4, -0.2, 0.0}};
  // Step 1 (h = c = 0): i = s(0.6), f = s(0.1), g = tanh(0.8), o = s(0.8);
  // c1 = s(0.6) tanh(0.8) = 0.645656 * 0.664037 = 0.428740; h1 = s(0.8) tanh(c1)
  // = 0.689974 * 0.404267 = 0.278934.
  const double c1 = sigmoid(0.6) * std::tanh(0.8);
  const double h1 = sigmoid(0.8) * std::tanh(c1);
  EXPECT_NEAR(c1, 0.428740, 1e-6);
  EXPECT_NEAR(h1, 0.278934, 1e-6);
  // Step 2 (x = -2).
  const double i2 = sigmoid(-1.0 + 0.1 + 0.2 * h1), f2 = sigmoid(0.6 + 0.4 + 0.1 * h1);
  const double g2 = std::tanh(-2.0 - 0.2 + 0.5 * h1), o2 = sigmoid(-1.6 - 0.6 * h1);
  const double c2 = f2 * c1 + i2 * g2;
  const double h2 = o2 * std::tanh(c2);

  FloatLstm k(m, false);
  std::vector<float> h(1, 0.0f), c(1, 0.0f);
  const std::vector<float> out = k.run({1.0f, -2.0f}, h, c);
  EXPECT_NEAR(out[0], h1, 1e-6);
  EXPECT_NEAR(out[1], h2, 1e-6);
  EXPECT_NEAR(h[0], h2, 1e-6);
  EXPECT_NEAR(c[0], c2, 1e-6);
}

NaiveLstm random_lstm(int batch, int time, int in, int state, unsigned seed, double scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  NaiveLstm m{batch, time, in, state, {}, {}, {}};
  for (int k = 0; k < 4 * state * in; ++k) m.w.push_back(u(rng));
  for (int k = 0; k < 4 * state * state; ++k) m.r.push_back(u(rng));
  for (int k = 0; k < 4 * state; ++k) m.b.push_back(u(rng));
  return m;
}

std::vector<double> random_values(size_t n, unsigned seed, double scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  std::vector<double> v(n);
  for (double& x : v) x = u(rng);
  return v;
}

// [batch][time][k] -> [time][batch][k].
template <typename T>
std::vector<T> to_time_major(const std::vector<T>& v, int batch, int time, int k) {
  std::vector<T> out(v.size());
  for (int b = 0; b < batch; ++b)
    for (int t = 0; t < time; ++t)
      for (int i = 0; i < k; ++i)
        out[static_cast<size_t>((t * batch + b) * k + i)] =
            v[static_cast<size_t>((b * time + t) * k + i)];
  return out;
}

TEST(LstmFloat, MatchesDoubleLstmBatchMajorAndTimeMajorWithClip) {
  NaiveLstm m = random_lstm(3, 5, 4, 6, 11, 1.2);
  m.clip = 0.9;  // reached: the random weights drive |c| past it
  const auto x = random_values(3 * 5 * 4, 12, 2.0);
  const auto h0 = random_values(3 * 6, 13, 0.5);
  const auto c0 = random_values(3 * 6, 14, 0.5);
  std::vector<double> h = h0, c = c0;
  const std::vector<double> expected = m.run(x, h, c);

  const std::vector<float> xf(x.begin(), x.end());
  for (bool time_major : {false, true}) {
    FloatLstm k(m, time_major);
    std::vector<float> hf(h0.begin(), h0.end()), cf(c0.begin(), c0.end());
    std::vector<float> out = k.run(time_major ? to_time_major(xf, 3, 5, 4) : xf, hf, cf);
    const std::vector<double> want = time_major ? to_time_major(expected, 3, 5, 6) : expected;
    for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], want[i], 2e-5) << i;
    for (size_t i = 0; i < hf.size(); ++i) {
      EXPECT_NEAR(hf[i], h[i], 2e-5);
      EXPECT_NEAR(cf[i], c[i], 2e-5);
      EXPECT_LE(std::abs(cf[i]), 0.9f);
    }
  }
  EXPECT_GT(*std::max_element(c.begin(), c.end()), 0.899);  // the clip was exercised
}

TEST(LstmFloat, RejectsBadArguments) {
  NaiveLstm m = random_lstm(1, 1, 1, 1, 1, 1.0);
  FloatLstm k(m, false);
  float x = 0, h = 0, c = 0, out = 0, scratch[4];
  LstmFloatWeights w = k.weights();
  EXPECT_EQ(lstm_float(k.params, w, &x, &h, &c, &out, nullptr), kBadArgument);
  w.cell_gate.recurrent_weights = nullptr;
  EXPECT_EQ(lstm_float(k.params, w, &x, &h, &c, &out, scratch), kBadArgument);
  LstmFloatParams bad = k.params;
  bad.dims.state_size = -1;
  EXPECT_EQ(lstm_float(bad, k.weights(), &x, &h, &c, &out, scratch), kBadArgument);
  EXPECT_EQ(lstm_float_scratch_bytes(bad.dims), 0u);
}

// ---- int8 LSTM ----

// An int8 LSTM operator in the IR (what the TFLite reader produces), with its constants.
struct Int8LstmModel {
  ir::Model model;
  int batch, time, in, state;
  float input_scale, weight_scale, hidden_scale, cell_scale;
  int input_zp, hidden_zp;
  std::vector<int8_t> w, r;  // [gate][state][in], [gate][state][state]
  std::vector<int32_t> b;    // [gate][state], scale input_scale * weight_scale

  template <typename T>
  static std::vector<uint8_t> bytes(const T* p, size_t n) {
    std::vector<uint8_t> out(n * sizeof(T));
    std::memcpy(out.data(), p, out.size());
    return out;
  }

  void build(bool time_major, float cell_clip) {
    using ir::DType;
    model = {};
    auto add = [&](ir::Tensor t) {
      model.tensors.push_back(std::move(t));
      return static_cast<int32_t>(model.tensors.size() - 1);
    };
    const std::vector<int32_t> in_shape =
        time_major ? std::vector<int32_t>{time, batch, in} : std::vector<int32_t>{batch, time, in};
    const std::vector<int32_t> out_shape = time_major ? std::vector<int32_t>{time, batch, state}
                                                      : std::vector<int32_t>{batch, time, state};
    std::vector<int32_t> inputs(24, ir::kNoTensor);
    inputs[0] = add({"x", in_shape, DType::kInt8, {{input_scale}, {input_zp}, 0}, {}, false});
    for (int g = 0; g < 4; ++g) {
      const int8_t* wg = &w[static_cast<size_t>(g * state * in)];
      const int8_t* rg = &r[static_cast<size_t>(g * state * state)];
      const int32_t* bg = &b[static_cast<size_t>(g * state)];
      inputs[1 + g] = add({"w",
                           {state, in},
                           DType::kInt8,
                           {{weight_scale}, {0}, 0},
                           bytes(wg, static_cast<size_t>(state * in)),
                           false});
      inputs[5 + g] = add({"r",
                           {state, state},
                           DType::kInt8,
                           {{weight_scale}, {0}, 0},
                           bytes(rg, static_cast<size_t>(state * state)),
                           false});
      inputs[12 + g] = add({"b",
                            {state},
                            DType::kInt32,
                            {{input_scale * weight_scale}, {0}, 0},
                            bytes(bg, static_cast<size_t>(state)),
                            false});
    }
    inputs[18] =
        add({"h", {batch, state}, DType::kInt8, {{hidden_scale}, {hidden_zp}, 0}, {}, true});
    inputs[19] = add({"c", {batch, state}, DType::kInt16, {{cell_scale}, {0}, 0}, {}, true});
    const int32_t out =
        add({"y", out_shape, DType::kInt8, {{hidden_scale}, {hidden_zp}, 0}, {}, false});
    ir::LstmOptions options;
    options.cell_clip = cell_clip;
    options.time_major = time_major;
    model.operators.push_back(
        {ir::OpType::kUnidirectionalSequenceLstm, 1, inputs, {out}, {}, options});
    model.inputs = {inputs[0]};
    model.outputs = {out};
  }

  // Runs the prepared kernel on int8 input; h and c are updated.
  std::vector<int8_t> run(const std::vector<int8_t>& x, std::vector<int8_t>& h,
                          std::vector<int16_t>& c) const {
    const ir::Operator& op = model.operators[0];
    const exec::LstmPrepared p = exec::prepare_lstm(model, op);
    exec::TensorMemory memory;
    memory.data.assign(model.tensors.size(), nullptr);
    for (size_t i = 0; i < model.tensors.size(); ++i)
      if (model.tensors[i].is_constant())
        memory.data[i] = const_cast<uint8_t*>(model.tensors[i].data.data());
    std::vector<int8_t> out(static_cast<size_t>(batch * time * state));
    std::vector<int16_t> scratch(p.scratch_bytes / sizeof(int16_t));
    EXPECT_EQ(lstm_int8(p.int8_params, exec::lstm_int8_weights(p, memory), x.data(), h.data(),
                        c.data(), out.data(), scratch.data()),
              kOk);
    return out;
  }
};

TEST(LstmInt8, ZeroWeightsByHand) {
  // All weights and biases zero: every sigmoid gate is 0.5 (16384) and the cell gate 0.
  Int8LstmModel m{{},
                  1,
                  1,
                  2,
                  2,
                  1.0f / 64,
                  0.01f,
                  1.0f / 128,
                  1.0f / 4096,
                  5,
                  -3,
                  std::vector<int8_t>(16),
                  std::vector<int8_t>(16),
                  std::vector<int32_t>(8)};
  m.build(false, 0.0f);
  std::vector<int8_t> h = {-3, 40};    // the zero point and 43 * (1/128)
  std::vector<int16_t> c = {0, 4096};  // 0 and 1.0
  const std::vector<int8_t> out = m.run({17, -100}, h, c);
  // c = 0.5 * c: 4096 * 16384 * M, M = (2^-15 - 4 ulp) * 2^-12 / 2^-12 -> 2048.
  EXPECT_EQ(c[0], 0);
  EXPECT_EQ(c[1], 2048);
  // h = 0.5 * tanh(c) / (1/128) + zp: tanh(0.5) = 15143 in Q0.15 (see TanhInt16), so
  // 16384 * 15143 * 2^-30 * 128 = 29.58 -> 30, plus the zero point -3.
  EXPECT_EQ(h[0], -3);
  EXPECT_EQ(h[1], 27);
  EXPECT_EQ(out, h);
}

TEST(LstmInt8, CellClipIsApplied) {
  // Input-gate and cell-gate biases drive i*g towards +1 each step; clip at 0.25 (1024).
  Int8LstmModel m{{},
                  1,
                  3,
                  1,
                  1,
                  1.0f / 64,
                  0.01f,
                  1.0f / 128,
                  1.0f / 4096,
                  0,
                  0,
                  std::vector<int8_t>(4),
                  std::vector<int8_t>(4),
                  {0, 0, 0, 0}};
  const int32_t big = static_cast<int32_t>(8.0 / (m.input_scale * m.weight_scale));
  m.b = {big, big, big, 0};  // i, f -> ~1, g -> ~1
  m.build(false, 0.25f);
  std::vector<int8_t> h = {0};
  std::vector<int16_t> c = {0};
  m.run({0, 0, 0}, h, c);
  EXPECT_EQ(c[0], 1024);
}

// Dequantized double LSTM with the kernel's state types: the hidden state is rounded to int8
// and the cell state to int16 after every step, as the kernel stores them.
std::vector<int8_t> dequantized_reference(const Int8LstmModel& m, const std::vector<int8_t>& x,
                                          std::vector<int8_t>& h, std::vector<int16_t>& c,
                                          double clip) {
  NaiveLstm d{m.batch, 1, m.in, m.state, {}, {}, {}};
  for (int8_t v : m.w) d.w.push_back(v * static_cast<double>(m.weight_scale));
  for (int8_t v : m.r) d.r.push_back(v * static_cast<double>(m.weight_scale));
  for (int32_t v : m.b) d.b.push_back(v * static_cast<double>(m.input_scale) * m.weight_scale);
  d.clip = clip;
  std::vector<int8_t> out(static_cast<size_t>(m.batch * m.time * m.state));
  for (int b = 0; b < m.batch; ++b) {
    for (int t = 0; t < m.time; ++t) {
      std::vector<double> xr(static_cast<size_t>(m.in)), hr(static_cast<size_t>(m.state)),
          cr(static_cast<size_t>(m.state));
      for (int k = 0; k < m.in; ++k)
        xr[k] = (x[static_cast<size_t>((b * m.time + t) * m.in + k)] - m.input_zp) *
                static_cast<double>(m.input_scale);
      for (int k = 0; k < m.state; ++k) {
        hr[k] = (h[static_cast<size_t>(b * m.state + k)] - m.hidden_zp) *
                static_cast<double>(m.hidden_scale);
        cr[k] = c[static_cast<size_t>(b * m.state + k)] * static_cast<double>(m.cell_scale);
      }
      NaiveLstm one = d;
      one.batch = 1;
      const std::vector<double> y = one.run(xr, hr, cr);
      for (int k = 0; k < m.state; ++k) {
        const auto hq = static_cast<int8_t>(
            std::clamp<long>(std::lround(y[k] / m.hidden_scale) + m.hidden_zp, -128, 127));
        h[static_cast<size_t>(b * m.state + k)] = hq;
        c[static_cast<size_t>(b * m.state + k)] = static_cast<int16_t>(
            std::clamp<long>(std::lround(cr[k] / m.cell_scale), -32768, 32767));
        out[static_cast<size_t>((b * m.time + t) * m.state + k)] = hq;
      }
    }
  }
  return out;
}

TEST(LstmInt8, WithinTwoLsbOfDequantizedDoubleLstm) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> i8(-127, 127);
  Int8LstmModel m{{}, 2, 6, 5, 7, 1.0f / 50, 0.015f, 1.0f / 120, 1.0f / 2048, 9, -5, {}, {}, {}};
  for (int k = 0; k < 4 * m.state * m.in; ++k) m.w.push_back(static_cast<int8_t>(i8(rng)));
  for (int k = 0; k < 4 * m.state * m.state; ++k) m.r.push_back(static_cast<int8_t>(i8(rng)));
  std::uniform_int_distribution<int32_t> bias(-3000, 3000);  // |real| < 1
  for (int k = 0; k < 4 * m.state; ++k) m.b.push_back(bias(rng));
  std::vector<int8_t> x(static_cast<size_t>(m.batch * m.time * m.in));
  for (int8_t& v : x) v = static_cast<int8_t>(i8(rng));

  for (bool time_major : {false, true}) {
    m.build(time_major, 1.5f);
    std::vector<int8_t> h(static_cast<size_t>(m.batch * m.state), static_cast<int8_t>(m.hidden_zp));
    std::vector<int16_t> c(h.size(), 0);
    std::vector<int8_t> h_ref = h;
    std::vector<int16_t> c_ref = c;
    const std::vector<int8_t> want = dequantized_reference(m, x, h_ref, c_ref, 1.5);
    std::vector<int8_t> got = m.run(time_major ? to_time_major(x, m.batch, m.time, m.in) : x, h, c);
    if (time_major) {
      // Back to batch-major for the comparison.
      std::vector<int8_t> back(got.size());
      for (int b = 0; b < m.batch; ++b)
        for (int t = 0; t < m.time; ++t)
          for (int k = 0; k < m.state; ++k)
            back[static_cast<size_t>((b * m.time + t) * m.state + k)] =
                got[static_cast<size_t>((t * m.batch + b) * m.state + k)];
      got = back;
    }
    int spread = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_LE(std::abs(got[i] - want[i]), 2) << "element " << i << " time_major " << time_major;
      spread = std::max(spread, std::abs(got[i] - m.hidden_zp));
    }
    EXPECT_GT(spread, 20);  // outputs are not trivially at the zero point
    for (size_t i = 0; i < c.size(); ++i)
      EXPECT_LE(std::abs(c[i] - c_ref[i]), 24) << "cell " << i;  // 24 LSB of 2^-11 = 0.012
  }
}

TEST(LstmInt8, RejectsBadArguments) {
  Int8LstmModel m{{},
                  1,
                  1,
                  2,
                  2,
                  1.0f / 64,
                  0.01f,
                  1.0f / 128,
                  1.0f / 4096,
                  0,
                  0,
                  std::vector<int8_t>(16),
                  std::vector<int8_t>(16),
                  std::vector<int32_t>(8)};
  m.build(false, 0.0f);
  const exec::LstmPrepared p = exec::prepare_lstm(m.model, m.model.operators[0]);
  exec::TensorMemory memory;
  memory.data.assign(m.model.tensors.size(), nullptr);
  for (size_t i = 0; i < m.model.tensors.size(); ++i)
    if (m.model.tensors[i].is_constant())
      memory.data[i] = const_cast<uint8_t*>(m.model.tensors[i].data.data());
  const LstmInt8Weights w = exec::lstm_int8_weights(p, memory);
  int8_t x[2] = {}, h[2] = {}, out[2] = {};
  int16_t c[2] = {};
  int16_t scratch[16];
  EXPECT_EQ(lstm_int8(p.int8_params, w, x, h, c, out, scratch), kOk);
  EXPECT_EQ(lstm_int8(p.int8_params, w, x, h, c, out, reinterpret_cast<uint8_t*>(scratch) + 1),
            kBadArgument);
  LstmInt8Weights missing = w;
  missing.output_gate.input_bias = nullptr;
  EXPECT_EQ(lstm_int8(p.int8_params, missing, x, h, c, out, scratch), kBadArgument);
  LstmInt8Params bad = p.int8_params;
  bad.cell_tanh.input_multiplier = 1 << 20;
  EXPECT_EQ(lstm_int8(bad, w, x, h, c, out, scratch), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
