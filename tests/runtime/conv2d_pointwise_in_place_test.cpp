// The in-place pointwise kernel must give exactly what conv2d_int8 gives on separate buffers,
// wherever the output is legally placed: over the input at the documented lead or further
// below, or apart from it.
#include "runtime/conv2d_pointwise_in_place.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "runtime/conv2d.h"
#include "runtime/conv_test_util.h"

namespace kiln {
namespace {

using rt::Shape4;
using testing::elements;

struct RandomLayer {
  rt::Conv2DParams params;
  Shape4 input, filter, output;
  std::vector<int8_t> input_data, filter_data;
  std::vector<int32_t> bias, multiplier, shift;
};

RandomLayer make_layer(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomLayer l;
  const int n = pick(1, 2), h = pick(1, 6), w = pick(1, 6), c_in = pick(1, 12), c_out = pick(1, 12);
  l.input = {n, h, w, c_in};
  l.filter = {c_out, 1, 1, c_in};
  l.output = {n, h, w, c_out};
  const int32_t input_zp = pick(-128, 127), output_zp = pick(-128, 127);
  l.params = {{1, 1, 1, 1, 0, 0}, -input_zp, output_zp, pick(-128, -20), pick(20, 127)};
  const uint32_t seed = static_cast<uint32_t>(rng());
  l.input_data = testing::random_int8(elements(l.input), seed);
  l.filter_data = testing::random_int8(elements(l.filter), seed + 1);
  l.bias = testing::random_int32(static_cast<size_t>(c_out), seed + 2, -5000, 5000);
  l.multiplier = testing::random_int32(static_cast<size_t>(c_out), seed + 3, 1 << 30, INT32_MAX);
  l.shift = testing::random_int32(static_cast<size_t>(c_out), seed + 4, -12, 0);
  return l;
}

TEST(Conv2DPointwiseInPlace, LeadIsTheGrowthOfAllPixels) {
  EXPECT_EQ(rt::conv2d_pointwise_in_place_lead({1, 2, 3, 4}, {1, 2, 3, 4}), 0);
  EXPECT_EQ(rt::conv2d_pointwise_in_place_lead({1, 2, 3, 8}, {1, 2, 3, 4}), 0);
  EXPECT_EQ(rt::conv2d_pointwise_in_place_lead({2, 2, 3, 4}, {2, 2, 3, 7}), 2 * 2 * 3 * 3);
}

TEST(Conv2DPointwiseInPlace, MatchesSeparateBuffersOnRandomLayers) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 300; ++trial) {
    const RandomLayer l = make_layer(rng);
    const int32_t* bias = trial % 4 ? l.bias.data() : nullptr;
    std::vector<int8_t> expected(elements(l.output));
    ASSERT_EQ(
        rt::conv2d_int8(l.params, l.multiplier.data(), l.shift.data(), l.input, l.input_data.data(),
                        l.filter, l.filter_data.data(), bias, l.output, expected.data()),
        rt::kOk);
    const int64_t in_bytes = static_cast<int64_t>(elements(l.input));
    const int64_t out_bytes = static_cast<int64_t>(elements(l.output));
    const int64_t lead = rt::conv2d_pointwise_in_place_lead(l.input, l.output);
    // Where the output starts relative to the input: at the lead (tightest), a little further
    // below, and entirely apart (before and after).
    for (const int64_t gap : {lead, lead + 1, lead + 5, out_bytes, -in_bytes}) {
      const int64_t base = gap > 0 ? gap : 0;  // input position inside one shared buffer
      std::vector<int8_t> memory(static_cast<size_t>(base + in_bytes + out_bytes + in_bytes));
      std::copy(l.input_data.begin(), l.input_data.end(), memory.begin() + base);
      int8_t* input = memory.data() + base;
      int8_t* output = input - gap;
      std::vector<int8_t> scratch(rt::conv2d_pointwise_int8_in_place_scratch_bytes(l.output));
      ASSERT_EQ(scratch.size(), static_cast<size_t>(l.output.c));
      ASSERT_EQ(rt::conv2d_pointwise_int8_in_place(l.params, l.multiplier.data(), l.shift.data(),
                                                   l.input, input, l.filter, l.filter_data.data(),
                                                   bias, l.output, output, scratch.data()),
                rt::kOk)
          << "gap " << gap;
      ASSERT_EQ(std::vector<int8_t>(output, output + out_bytes), expected)
          << "trial " << trial << " c_in " << l.input.c << " c_out " << l.output.c << " gap "
          << gap;
    }
  }
}

TEST(Conv2DPointwiseInPlace, RejectsUnsafePlacementsAndOtherWindows) {
  std::mt19937 rng(5);
  RandomLayer l = make_layer(rng);
  while (l.output.c <= l.input.c || l.input.h * l.input.w < 2) l = make_layer(rng);
  const int64_t lead = rt::conv2d_pointwise_in_place_lead(l.input, l.output);
  ASSERT_GT(lead, 0);
  std::vector<int8_t> memory(elements(l.input) + elements(l.output) + 64);
  int8_t* input = memory.data() + lead;
  std::vector<int8_t> scratch(static_cast<size_t>(l.output.c));
  auto run = [&](const rt::Conv2DParams& p, int8_t* output, int8_t* scratch_ptr) {
    return rt::conv2d_pointwise_int8_in_place(p, l.multiplier.data(), l.shift.data(), l.input,
                                              input, l.filter, l.filter_data.data(), nullptr,
                                              l.output, output, scratch_ptr);
  };
  EXPECT_EQ(run(l.params, input - lead, scratch.data()), rt::kOk);
  EXPECT_EQ(run(l.params, input - lead + 1, scratch.data()), rt::kBadArgument);  // too late
  EXPECT_EQ(run(l.params, input, scratch.data()), rt::kBadArgument);
  EXPECT_EQ(run(l.params, input + 1, scratch.data()), rt::kBadArgument);  // above the input
  EXPECT_EQ(run(l.params, input - lead, input), rt::kBadArgument);        // scratch in the input
  rt::Conv2DParams strided = l.params;
  strided.window.stride_h = 2;
  EXPECT_EQ(run(strided, input - lead, scratch.data()), rt::kBadArgument);
  rt::Conv2DParams padded = l.params;
  padded.window.pad_w = 1;
  EXPECT_EQ(run(padded, input - lead, scratch.data()), rt::kBadArgument);
}

}  // namespace
}  // namespace kiln
