// The AVX2 int8 LSTM (src/exec/host_simd/lstm_int8.h) against the portable device kernel
// (rt::lstm_int8), byte for byte: random shapes around the 8-unit blocks, weights, states,
// folded biases, requantization parameters over the whole range the plan accepts (left and
// right shifts, small and large multipliers), both cell-gate activations, cell clip on and off,
// batch- and time-major. Skipped on CPUs without AVX2.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "exec/host_simd/host_simd.h"
#include "exec/host_simd/lstm_int8.h"
#include "runtime/lstm.h"

namespace kiln {
namespace {

namespace simd = exec::host_simd;

struct LstmCase {
  rt::LstmInt8Params params{};
  std::vector<int8_t> w[4], r[4];
  std::vector<int32_t> in_bias[4], rec_bias[4];
  bool null_recurrent_bias = false;
  std::vector<int8_t> input, hidden;
  std::vector<int16_t> cell;

  rt::LstmInt8Weights weights() const {
    auto gate = [&](int g) {
      return rt::LstmInt8Gate{w[g].data(), in_bias[g].data(), r[g].data(),
                              null_recurrent_bias ? nullptr : rec_bias[g].data()};
    };
    return {gate(0), gate(1), gate(2), gate(3)};
  }
};

LstmCase random_case(std::mt19937& rng, bool wide_requant) {
  auto uniform = [&](int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
  };
  LstmCase k;
  rt::LstmDims& d = k.params.dims;
  d.batch = uniform(1, 3);
  d.time_steps = uniform(1, 6);
  d.input_size = uniform(1, 41);
  d.state_size = uniform(1, 35);
  d.time_major = uniform(0, 1) == 1;
  auto scales = [&](int32_t* m, int32_t* s) {
    *m = uniform(1 << 30, INT32_MAX);
    *s = -uniform(1, 20);
    if (wide_requant && uniform(0, 2) == 0) {
      *m = uniform(0, INT32_MAX);
      *s = uniform(-31, 4);
    }
  };
  rt::LstmInt8GateScales* gates[4] = {&k.params.input_gate, &k.params.forget_gate,
                                      &k.params.cell_gate, &k.params.output_gate};
  for (rt::LstmInt8GateScales* g : gates) {
    scales(&g->input_multiplier, &g->input_shift);
    scales(&g->recurrent_multiplier, &g->recurrent_shift);
  }
  scales(&k.params.forget_cell_multiplier, &k.params.forget_cell_shift);
  scales(&k.params.input_cell_multiplier, &k.params.input_cell_shift);
  scales(&k.params.hidden_multiplier, &k.params.hidden_shift);
  k.params.hidden_zero_point = uniform(-128, 127);
  k.params.cell_activation = uniform(0, 3) == 0 ? rt::kLstmCellSigmoid : rt::kLstmCellTanh;
  if (uniform(0, 1) == 0)
    k.params.cell_tanh = {3 << uniform(0, 14), 0};
  else
    k.params.cell_tanh = {3, uniform(1, 6)};
  k.params.use_cell_clip = uniform(0, 1) == 1;
  k.params.cell_clip = static_cast<int16_t>(uniform(0, 32767));
  const int32_t bias_range = uniform(0, 1) == 0 ? (1 << 16) : INT32_MAX;
  for (int g = 0; g < 4; ++g) {
    for (int32_t i = 0; i < d.state_size * d.input_size; ++i)
      k.w[g].push_back(static_cast<int8_t>(uniform(-128, 127)));
    for (int32_t i = 0; i < d.state_size * d.state_size; ++i)
      k.r[g].push_back(static_cast<int8_t>(uniform(-128, 127)));
    for (int32_t n = 0; n < d.state_size; ++n) {
      k.in_bias[g].push_back(uniform(-bias_range, bias_range));
      k.rec_bias[g].push_back(uniform(-bias_range, bias_range));
    }
  }
  k.null_recurrent_bias = uniform(0, 4) == 0;
  for (int32_t i = 0; i < d.batch * d.time_steps * d.input_size; ++i)
    k.input.push_back(static_cast<int8_t>(uniform(-128, 127)));
  for (int32_t i = 0; i < d.batch * d.state_size; ++i) {
    k.hidden.push_back(static_cast<int8_t>(uniform(-128, 127)));
    k.cell.push_back(static_cast<int16_t>(uniform(-32768, 32767)));
  }
  return k;
}

void expect_same_as_portable(const LstmCase& k, const std::string& what) {
  const rt::LstmDims& d = k.params.dims;
  const size_t out_size = static_cast<size_t>(d.batch) * d.time_steps * d.state_size;
  std::vector<int8_t> ref_out(out_size), ref_hidden = k.hidden;
  std::vector<int16_t> ref_cell = k.cell;
  std::vector<int16_t> scratch(rt::lstm_int8_scratch_bytes(d) / 2 + 1);
  ASSERT_EQ(rt::lstm_int8(k.params, k.weights(), k.input.data(), ref_hidden.data(), ref_cell.data(),
                          ref_out.data(), scratch.data()),
            rt::kOk)
      << what;

  // A second call continues from the updated states (the kernel keeps them in its own layout
  // during a call only).
  std::vector<int8_t> ref_out2(out_size);
  ASSERT_EQ(rt::lstm_int8(k.params, k.weights(), k.input.data(), ref_hidden.data(), ref_cell.data(),
                          ref_out2.data(), scratch.data()),
            rt::kOk)
      << what;

  // With the AVX-VNNI products where the CPU has them, and with AVX2 only.
  for (const bool vnni : {true, false}) {
    const std::string variant = what + (vnni ? " (AVX-VNNI if available)" : " (AVX2 only)");
    const auto plan = simd::LstmInt8::create(k.params, k.weights(), vnni);
    ASSERT_NE(plan, nullptr) << variant;
    std::vector<int8_t> out(out_size), hidden = k.hidden;
    std::vector<int16_t> cell = k.cell;
    plan->run(k.input.data(), hidden.data(), cell.data(), out.data());
    plan->run(k.input.data(), hidden.data(), cell.data(), out.data());
    EXPECT_EQ(out, ref_out2) << variant;
    EXPECT_EQ(hidden, ref_hidden) << variant;
    EXPECT_EQ(cell, ref_cell) << variant;
  }
}

std::string describe(int i, const LstmCase& k) {
  const rt::LstmDims& d = k.params.dims;
  return "case " + std::to_string(i) + ": batch " + std::to_string(d.batch) + " time " +
         std::to_string(d.time_steps) + " in " + std::to_string(d.input_size) + " state " +
         std::to_string(d.state_size) + (d.time_major ? " time-major" : "");
}

TEST(HostSimdLstm, MatchesPortableOnRandomShapes) {
  if (!simd::avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU or build";
  std::mt19937 rng(21);
  for (int i = 0; i < 200; ++i) {
    const LstmCase k = random_case(rng, false);
    expect_same_as_portable(k, describe(i, k));
  }
}

TEST(HostSimdLstm, MatchesPortableOverTheWholeRequantizationRange) {
  if (!simd::avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU or build";
  std::mt19937 rng(22);
  for (int i = 0; i < 200; ++i) {
    const LstmCase k = random_case(rng, true);
    expect_same_as_portable(k, describe(i, k));
  }
}

TEST(HostSimdLstm, MatchesPortableOnLongSequences) {
  if (!simd::avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU or build";
  std::mt19937 rng(24);
  for (int i = 0; i < 40; ++i) {
    LstmCase k = random_case(rng, i % 2 == 1);
    // A long sequence (the states pass through many steps) and, every fourth case, the MNIST
    // LSTM's shape: 28 steps of 28 inputs, 20 units. The data is refilled for these dimensions.
    rt::LstmDims d = k.params.dims;
    d.time_steps = std::uniform_int_distribution<int32_t>(20, 40)(rng);
    if (i % 4 == 0) d = {1, 28, 28, 20, false};
    k.params.dims = d;
    auto fill8 = [&](std::vector<int8_t>* v, size_t n) {
      v->resize(n);
      for (int8_t& x : *v)
        x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    };
    for (int g = 0; g < 4; ++g) {
      fill8(&k.w[g], static_cast<size_t>(d.state_size) * d.input_size);
      fill8(&k.r[g], static_cast<size_t>(d.state_size) * d.state_size);
      k.in_bias[g].resize(static_cast<size_t>(d.state_size), 0);
      k.rec_bias[g].resize(static_cast<size_t>(d.state_size), 0);
    }
    fill8(&k.input, static_cast<size_t>(d.batch) * d.time_steps * d.input_size);
    fill8(&k.hidden, static_cast<size_t>(d.batch) * d.state_size);
    k.cell.resize(static_cast<size_t>(d.batch) * d.state_size);
    for (int16_t& x : k.cell)
      x = static_cast<int16_t>(std::uniform_int_distribution<int>(-32768, 32767)(rng));
    expect_same_as_portable(k, describe(i, k));
  }
}

TEST(HostSimdLstm, DeclinesWhatItDoesNotReproduce) {
  if (!simd::avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU or build";
  std::mt19937 rng(23);
  const LstmCase k = random_case(rng, false);
  EXPECT_NE(simd::LstmInt8::create(k.params, k.weights()), nullptr);
  rt::LstmInt8Params bad = k.params;
  bad.forget_gate.input_shift = 31;  // outside the shifts the portable output step takes
  EXPECT_EQ(simd::LstmInt8::create(bad, k.weights()), nullptr);
  bad = k.params;
  bad.cell_tanh = {-1, 0};
  EXPECT_EQ(simd::LstmInt8::create(bad, k.weights()), nullptr);
  rt::LstmInt8Weights missing = k.weights();
  missing.output_gate.input_weights = nullptr;
  EXPECT_EQ(simd::LstmInt8::create(k.params, missing), nullptr);
}

}  // namespace
}  // namespace kiln
