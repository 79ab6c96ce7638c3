// The table of a one-input fully connected layer against the reference kernel, row by row.
#include "runtime/fully_connected_lookup.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "runtime/fully_connected.h"

namespace kiln {
namespace {

TEST(FullyConnectedLookup, EqualsTheReferenceKernelOnRandomLayers) {
  std::mt19937 rng(91);
  auto pick = [&](int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 200; ++trial) {
    const rt::FullyConnectedDims dims = {pick(1, 9), 1, pick(1, 40)};
    rt::FullyConnectedParams params{};
    params.per_channel = pick(0, 1) == 1;
    params.input_offset = pick(-127, 128);
    params.filter_offset = params.per_channel ? 0 : pick(-127, 128);
    params.output_offset = pick(-128, 127);
    params.act_min = pick(-128, 0);
    params.act_max = pick(params.act_min, 127);
    const size_t entries = params.per_channel ? static_cast<size_t>(dims.output_depth) : 1;
    std::vector<int32_t> multiplier(entries), shift(entries);
    for (size_t i = 0; i < entries; ++i) {
      multiplier[i] = pick(1 << 30, INT32_MAX);
      shift[i] = pick(-12, 2);
    }
    std::vector<int8_t> filter(static_cast<size_t>(dims.output_depth));
    for (auto& w : filter) w = static_cast<int8_t>(pick(-127, 127));
    std::vector<int32_t> bias(static_cast<size_t>(dims.output_depth));
    for (auto& v : bias) v = pick(-5000, 5000);
    const bool with_bias = pick(0, 3) > 0;

    ASSERT_EQ(rt::fully_connected_int8_lookup_table_bytes(dims),
              256u * static_cast<size_t>(dims.output_depth));
    std::vector<int8_t> table(rt::fully_connected_int8_lookup_table_bytes(dims));
    ASSERT_EQ(rt::fully_connected_int8_lookup_table(
                  params, dims, multiplier.data(), shift.data(), filter.data(),
                  with_bias ? bias.data() : nullptr, table.data()),
              rt::kOk);
    std::vector<int8_t> input(static_cast<size_t>(dims.batches));
    for (auto& v : input) v = static_cast<int8_t>(pick(-128, 127));
    std::vector<int8_t> expected(static_cast<size_t>(dims.batches * dims.output_depth));
    ASSERT_EQ(
        rt::fully_connected_int8(params, dims, multiplier.data(), shift.data(), input.data(),
                                 filter.data(), with_bias ? bias.data() : nullptr, expected.data()),
        rt::kOk);
    std::vector<int8_t> actual(expected.size() + 4, 0x5A);
    rt::fully_connected_int8_lookup(dims, table.data(), input.data(), actual.data());
    EXPECT_EQ(std::vector<int8_t>(actual.begin(), actual.begin() + expected.size()), expected)
        << "trial " << trial;
    for (size_t i = expected.size(); i < actual.size(); ++i) EXPECT_EQ(actual[i], 0x5A);
  }
}

TEST(FullyConnectedLookup, OnlyOneInputLayersHaveATable) {
  EXPECT_EQ(rt::fully_connected_int8_lookup_table_bytes({1, 2, 16}), 0u);
  EXPECT_EQ(rt::fully_connected_int8_lookup_table_bytes({0, 1, 16}), 0u);
  EXPECT_EQ(rt::fully_connected_int8_lookup_table_bytes({1, 1, 0}), 0u);
  EXPECT_EQ(rt::fully_connected_int8_lookup_table_bytes({4, 1, 3}), 768u);
  // The reference kernel's refusal (a shift it does not take) comes back as the table's status.
  rt::FullyConnectedParams params{};
  params.act_min = -128;
  params.act_max = 127;
  const int32_t multiplier = 1 << 30, shift = 40;
  const int8_t filter = 3;
  std::vector<int8_t> table(256 * 1);
  EXPECT_NE(rt::fully_connected_int8_lookup_table(params, {1, 1, 1}, &multiplier, &shift, &filter,
                                                  nullptr, table.data()),
            rt::kOk);
}

}  // namespace
}  // namespace kiln
