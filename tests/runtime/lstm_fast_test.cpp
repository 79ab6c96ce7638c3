// The fast int8 LSTM (lstm_fast.h) against the reference kernel (lstm.h): random shapes,
// weights, states and requantization parameters (in the DSP sequence's range, with the
// pre-shift, and outside it), all compared bit for bit; on the host the DSP instructions are
// emulated, so this checks the algorithm the device runs.
#include "runtime/lstm_fast.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/lstm.h"

namespace kiln::rt {
namespace {

// Which requantization parameters a case draws.
enum class Shifts {
  kSmall,      // right shifts 1..15: the DSP sequence without the pre-shift
  kLarge,      // some right shifts 16..31: with the pre-shift
  kReference,  // some left shifts or small multipliers: the reference arithmetic
};

struct Case {
  LstmInt8Params params{};
  std::vector<int8_t> w[4], r[4];
  std::vector<int32_t> in_bias[4], rec_bias[4];
  bool null_recurrent_bias = false;
  std::vector<int8_t> input, hidden;
  std::vector<int16_t> cell;

  LstmInt8Weights weights() const {
    auto gate = [&](int g) {
      return LstmInt8Gate{w[g].data(), in_bias[g].data(), r[g].data(),
                          null_recurrent_bias ? nullptr : rec_bias[g].data()};
    };
    return {gate(0), gate(1), gate(2), gate(3)};
  }
};

Case random_case(std::mt19937& rng, Shifts shifts, int32_t bias_range) {
  auto uniform = [&](int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
  };
  Case k;
  LstmDims& d = k.params.dims;
  d.batch = uniform(1, 3);
  d.time_steps = uniform(1, 5);
  d.input_size = uniform(1, 37);
  d.state_size = uniform(1, 29);
  d.time_major = uniform(0, 1) == 1;

  auto multiplier = [&]() { return uniform(1 << 30, INT32_MAX); };
  auto right_shift = [&]() {
    if (shifts == Shifts::kLarge && uniform(0, 2) == 0) return -uniform(16, 31);
    return -uniform(1, 15);
  };
  auto scales = [&](int32_t* m, int32_t* s) {
    *m = multiplier();
    *s = right_shift();
    if (shifts == Shifts::kReference && uniform(0, 3) == 0) {
      if (uniform(0, 1) == 0)
        *s = uniform(0, 3);  // a left shift (or none)
      else
        *m = uniform(1, (1 << 30) - 1);  // below the DSP range
    }
  };
  LstmInt8GateScales* gates[4] = {&k.params.input_gate, &k.params.forget_gate, &k.params.cell_gate,
                                  &k.params.output_gate};
  for (LstmInt8GateScales* g : gates) {
    scales(&g->input_multiplier, &g->input_shift);
    scales(&g->recurrent_multiplier, &g->recurrent_shift);
  }
  scales(&k.params.forget_cell_multiplier, &k.params.forget_cell_shift);
  scales(&k.params.input_cell_multiplier, &k.params.input_cell_shift);
  scales(&k.params.hidden_multiplier, &k.params.hidden_shift);
  k.params.hidden_zero_point = uniform(-128, 127);
  k.params.cell_activation = uniform(0, 3) == 0 ? kLstmCellSigmoid : kLstmCellTanh;
  // The cell-state tanh rescaling: a left factor 3 * 2^k or a right shift, as prepare makes.
  if (uniform(0, 1) == 0)
    k.params.cell_tanh = {3 << uniform(0, 14), 0};
  else
    k.params.cell_tanh = {3, uniform(1, 6)};
  k.params.use_cell_clip = uniform(0, 1) == 1;
  k.params.cell_clip = static_cast<int16_t>(uniform(0, 32767));

  const size_t in_weights = static_cast<size_t>(d.state_size) * d.input_size;
  const size_t rec_weights = static_cast<size_t>(d.state_size) * d.state_size;
  for (int g = 0; g < 4; ++g) {
    for (size_t i = 0; i < in_weights; ++i)
      k.w[g].push_back(static_cast<int8_t>(uniform(-128, 127)));
    for (size_t i = 0; i < rec_weights; ++i)
      k.r[g].push_back(static_cast<int8_t>(uniform(-128, 127)));
    for (int32_t n = 0; n < d.state_size; ++n) {
      k.in_bias[g].push_back(uniform(-bias_range, bias_range));
      k.rec_bias[g].push_back(uniform(-bias_range, bias_range));
    }
  }
  k.null_recurrent_bias = uniform(0, 4) == 0;
  const size_t rows = static_cast<size_t>(d.batch) * d.time_steps;
  for (size_t i = 0; i < rows * d.input_size; ++i)
    k.input.push_back(static_cast<int8_t>(uniform(-128, 127)));
  for (int32_t i = 0; i < d.batch * d.state_size; ++i) {
    k.hidden.push_back(static_cast<int8_t>(uniform(-128, 127)));
    k.cell.push_back(static_cast<int16_t>(uniform(-32768, 32767)));
  }
  return k;
}

// Runs both kernels on copies of the case's state and compares output, hidden and cell state.
void expect_same_as_reference(const Case& k, const std::string& what) {
  const LstmDims& d = k.params.dims;
  const size_t out_size = static_cast<size_t>(d.batch) * d.time_steps * d.state_size;

  std::vector<int8_t> ref_out(out_size), ref_hidden = k.hidden;
  std::vector<int16_t> ref_cell = k.cell;
  std::vector<int16_t> ref_scratch(lstm_int8_scratch_bytes(d) / 2 + 1);
  ASSERT_EQ(lstm_int8(k.params, k.weights(), k.input.data(), ref_hidden.data(), ref_cell.data(),
                      ref_out.data(), ref_scratch.data()),
            kOk)
      << what;

  std::vector<int32_t> packed(lstm_int8_fast_packed_words(d));
  ASSERT_FALSE(packed.empty()) << what;
  ASSERT_EQ(lstm_int8_fast_pack(d, k.weights(), packed.data()), kOk) << what;
  std::vector<int8_t> out(out_size), hidden = k.hidden;
  std::vector<int16_t> cell = k.cell;
  std::vector<int32_t> scratch(lstm_int8_fast_scratch_bytes(d) / 4);
  ASSERT_EQ(lstm_int8_fast(k.params, packed.data(), k.input.data(), hidden.data(), cell.data(),
                           out.data(), scratch.data()),
            kOk)
      << what;
  EXPECT_EQ(out, ref_out) << what;
  EXPECT_EQ(hidden, ref_hidden) << what;
  EXPECT_EQ(cell, ref_cell) << what;
}

std::string describe(int i, const Case& k) {
  const LstmDims& d = k.params.dims;
  return "case " + std::to_string(i) + ": batch " + std::to_string(d.batch) + " time " +
         std::to_string(d.time_steps) + " in " + std::to_string(d.input_size) + " state " +
         std::to_string(d.state_size) + (d.time_major ? " time-major" : "");
}

TEST(LstmInt8Fast, MatchesReferenceWithSmallShifts) {
  std::mt19937 rng(11);
  for (int i = 0; i < 150; ++i) {
    const Case k = random_case(rng, Shifts::kSmall, 1 << 16);
    expect_same_as_reference(k, describe(i, k));
  }
}

TEST(LstmInt8Fast, MatchesReferenceWithLargeShifts) {
  std::mt19937 rng(12);
  for (int i = 0; i < 150; ++i) {
    const Case k = random_case(rng, Shifts::kLarge, 1 << 20);
    expect_same_as_reference(k, describe(i, k));
  }
}

TEST(LstmInt8Fast, MatchesReferenceOutsideTheDspRange) {
  std::mt19937 rng(13);
  for (int i = 0; i < 100; ++i) {
    const Case k = random_case(rng, Shifts::kReference, 1 << 16);
    expect_same_as_reference(k, describe(i, k));
  }
}

// Accumulators near the int32 limits, where the DSP sequence's saturating add could differ from
// the exact rounding if its pre-shift were chosen wrongly: every right shift from 1 to 31 with
// multipliers near 2^31 and biases at the extremes (zero weights, so the sum is the bias).
TEST(LstmInt8Fast, MatchesReferenceAtAccumulatorExtremes) {
  std::mt19937 rng(14);
  const int32_t extremes[] = {INT32_MAX, INT32_MAX - 70000, INT32_MIN, INT32_MIN + 70000,
                              1 << 30,   -(1 << 30),        65535,     -65536};
  for (int32_t rs = 1; rs <= 31; ++rs) {
    Case k = random_case(rng, Shifts::kSmall, 0);
    k.params.dims = {1, 2, 3, 4, false};
    for (int g = 0; g < 4; ++g) {
      k.w[g].assign(12, 0);
      k.r[g].assign(16, 0);
      k.in_bias[g].resize(4);
      k.rec_bias[g].resize(4);
      for (int n = 0; n < 4; ++n) {
        k.in_bias[g][n] = extremes[(g * 4 + n + rs) % 8];
        k.rec_bias[g][n] = extremes[(g * 4 + n + rs + 3) % 8];
      }
    }
    LstmInt8GateScales* gates[4] = {&k.params.input_gate, &k.params.forget_gate,
                                    &k.params.cell_gate, &k.params.output_gate};
    for (LstmInt8GateScales* g : gates) *g = {INT32_MAX - rs, -rs, INT32_MAX, -rs};
    k.null_recurrent_bias = false;
    k.input.assign(6, 0);
    k.hidden.assign(4, 0);
    k.cell.assign(4, 0);
    expect_same_as_reference(k, "right shift " + std::to_string(rs));
  }
}

TEST(LstmInt8Fast, SigmoidPairsHoldEachEntryAndItsStep) {
  for (int i = 0; i < kSigmoidTableSize; ++i) {
    const uint32_t word = kLstmSigmoidPairs[i];
    EXPECT_EQ(static_cast<int32_t>(word >> 16), kSigmoidTable[i] - 32768) << "entry " << i;
    const int32_t step = i + 1 < kSigmoidTableSize ? kSigmoidTable[i + 1] - kSigmoidTable[i] : 0;
    EXPECT_EQ(static_cast<int32_t>(word & 0xFFFFu), step) << "entry " << i;
  }
}

TEST(LstmInt8Fast, PackedLayoutOfOneUnit) {
  // One unit, input size 5 (two groups, the second zero-padded), state 1 (one group).
  Case k;
  k.params.dims = {1, 1, 5, 1, false};
  for (int g = 0; g < 4; ++g) {
    for (int i = 0; i < 5; ++i) k.w[g].push_back(static_cast<int8_t>(10 * g + i));
    k.r[g] = {static_cast<int8_t>(-g - 1)};
    k.in_bias[g] = {100 + g};
    k.rec_bias[g] = {200 + g};
  }
  const LstmDims& d = k.params.dims;
  ASSERT_EQ(lstm_int8_fast_packed_words(d), 8u + 8u * 3u);
  std::vector<int32_t> packed(lstm_int8_fast_packed_words(d));
  ASSERT_EQ(lstm_int8_fast_pack(d, k.weights(), packed.data()), kOk);
  auto pair = [](int32_t lo, int32_t hi) {
    return static_cast<int32_t>((static_cast<uint32_t>(lo) & 0xFFFFu) |
                                (static_cast<uint32_t>(hi) << 16));
  };
  const std::vector<int32_t> want = {100, 101, 102, 103,
                                     // input group 0: gate g's values 10g .. 10g + 3 as
                                     // (v0, v2), (v1, v3)
                                     pair(0, 2), pair(1, 3), pair(10, 12), pair(11, 13),
                                     pair(20, 22), pair(21, 23), pair(30, 32), pair(31, 33),
                                     // input group 1: value 10g + 4 and zeros
                                     pair(4, 0), 0, pair(14, 0), 0, pair(24, 0), 0, pair(34, 0), 0,
                                     // recurrent biases and group 0
                                     200, 201, 202, 203, pair(-1, 0), 0, pair(-2, 0), 0,
                                     pair(-3, 0), 0, pair(-4, 0), 0};
  EXPECT_EQ(packed, want);
  EXPECT_EQ(lstm_int8_fast_scratch_bytes(d), 2u * (8u + 4u));
}

TEST(LstmInt8Fast, RejectsBadArguments) {
  std::mt19937 rng(15);
  Case k = random_case(rng, Shifts::kSmall, 100);
  const LstmDims& d = k.params.dims;
  std::vector<int32_t> packed(lstm_int8_fast_packed_words(d));
  ASSERT_EQ(lstm_int8_fast_pack(d, k.weights(), packed.data()), kOk);
  std::vector<int8_t> out(static_cast<size_t>(d.batch) * d.time_steps * d.state_size);
  std::vector<int32_t> scratch(lstm_int8_fast_scratch_bytes(d) / 4 + 1);
  EXPECT_EQ(lstm_int8_fast(k.params, packed.data(), k.input.data(), k.hidden.data(), k.cell.data(),
                           out.data(), nullptr),
            kBadArgument);
  EXPECT_EQ(lstm_int8_fast(k.params, packed.data(), k.input.data(), k.hidden.data(), k.cell.data(),
                           out.data(), reinterpret_cast<char*>(scratch.data()) + 2),
            kBadArgument);
  EXPECT_EQ(lstm_int8_fast(k.params, nullptr, k.input.data(), k.hidden.data(), k.cell.data(),
                           out.data(), scratch.data()),
            kBadArgument);
  LstmInt8Params bad = k.params;
  bad.cell_tanh = {-1, 0};
  EXPECT_EQ(lstm_int8_fast(bad, packed.data(), k.input.data(), k.hidden.data(), k.cell.data(),
                           out.data(), scratch.data()),
            kBadArgument);
  bad = k.params;
  bad.dims.state_size = -1;
  EXPECT_EQ(lstm_int8_fast_packed_words(bad.dims), 0u);
  EXPECT_EQ(lstm_int8_fast_scratch_bytes(bad.dims), 0u);
  EXPECT_EQ(lstm_int8_fast_pack(bad.dims, k.weights(), packed.data()), kBadArgument);
  LstmInt8Weights missing = k.weights();
  missing.cell_gate.recurrent_weights = nullptr;
  EXPECT_EQ(lstm_int8_fast_pack(d, missing, packed.data()), kBadArgument);
}

}  // namespace
}  // namespace kiln::rt
