#include "runtime/fully_connected_fast.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "conv_test_util.h"
#include "runtime/fully_connected.h"

namespace kiln::rt {
namespace {

using testing::random_int32;
using testing::random_int8;

// One random int8 fully connected layer: dimensions and quantization parameters.
struct RandomFc {
  FullyConnectedParams params{};
  FullyConnectedDims dims{};
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias, multiplier, shift;
  bool has_bias = true;

  explicit RandomFc(uint32_t seed) {
    std::mt19937 gen(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
    dims = {pick(1, 3), pick(1, 37), pick(1, 19)};
    params.input_offset = pick(-127, 128);
    params.filter_offset = pick(0, 3) == 0 ? pick(-127, 128) : 0;
    params.output_offset = pick(-128, 127);
    params.act_min = pick(0, 2) == 0 ? pick(-128, 0) : -128;
    params.act_max = pick(0, 2) == 0 ? pick(params.act_min, 127) : 127;
    params.per_channel = pick(0, 1) == 1;
    input = random_int8(static_cast<size_t>(dims.batches) * dims.input_depth, seed + 1);
    filter = random_int8(static_cast<size_t>(dims.output_depth) * dims.input_depth, seed + 2);
    const size_t entries = params.per_channel ? static_cast<size_t>(dims.output_depth) : 1;
    bias = random_int32(static_cast<size_t>(dims.output_depth), seed + 3, -40000, 40000);
    has_bias = pick(0, 4) != 0;
    // Mostly inside the table's exact range (right shifts), sometimes outside (shift >= 0).
    multiplier = random_int32(entries, seed + 4, 1 << 30, INT32_MAX);
    shift = random_int32(entries, seed + 5, -31, pick(0, 3) == 0 ? 2 : -1);
  }

  std::vector<int8_t> reference() const {
    std::vector<int8_t> out(static_cast<size_t>(dims.batches) * dims.output_depth);
    EXPECT_EQ(fully_connected_int8(params, dims, multiplier.data(), shift.data(), input.data(),
                                   filter.data(), has_bias ? bias.data() : nullptr, out.data()),
              kOk);
    return out;
  }

  std::vector<int32_t> packed() const {
    std::vector<int32_t> words(fully_connected_int8_fast_packed_filter_words(dims));
    EXPECT_FALSE(words.empty());
    EXPECT_EQ(fully_connected_int8_fast_pack_filter(dims, filter.data(), words.data()), kOk);
    return words;
  }

  // The fast kernel with the table when `use_table` and it can be built, else without. The
  // scratch is filled with garbage first: the kernel must not depend on its contents.
  std::vector<int8_t> fast(bool use_table, bool* table_built = nullptr) const {
    std::vector<RequantChannel> table(
        static_cast<size_t>(fully_connected_int8_fast_requant_entries(params, dims)));
    const bool built = fully_connected_int8_fast_requant_table(params, dims, multiplier.data(),
                                                               shift.data(), table.data());
    if (table_built) *table_built = built;
    const bool with_table = use_table && built;
    std::vector<int32_t> scratch(fully_connected_int8_fast_scratch_bytes(dims) / 4, -0x5a5a5a5b);
    std::vector<int8_t> out(static_cast<size_t>(dims.batches) * dims.output_depth, 99);
    const std::vector<int32_t> words = packed();
    EXPECT_EQ(
        fully_connected_int8_fast(params, dims, with_table ? nullptr : multiplier.data(),
                                  with_table ? nullptr : shift.data(),
                                  with_table ? table.data() : nullptr, input.data(), words.data(),
                                  has_bias ? bias.data() : nullptr, out.data(), scratch.data()),
        kOk);
    return out;
  }

  // The speed-mode kernel (16-bit filter with the bias in it); needs the table, so returns
  // false without running when the table cannot be built.
  bool wide(std::vector<int8_t>* out) const {
    std::vector<RequantChannel> table(
        static_cast<size_t>(fully_connected_int8_fast_requant_entries(params, dims)));
    if (!fully_connected_int8_fast_requant_table(params, dims, multiplier.data(), shift.data(),
                                                 table.data()))
      return false;
    std::vector<int32_t> words(fully_connected_int8_fast_wide_filter_words(dims));
    EXPECT_FALSE(words.empty());
    EXPECT_EQ(fully_connected_int8_fast_pack_wide_filter(
                  dims, filter.data(), has_bias ? bias.data() : nullptr, words.data()),
              kOk);
    std::vector<int32_t> scratch(fully_connected_int8_fast_scratch_bytes(dims) / 4, 0x3c3c3c3c);
    out->assign(static_cast<size_t>(dims.batches) * dims.output_depth, 99);
    FullyConnectedWidePlan plan;
    EXPECT_EQ(fully_connected_int8_fast_wide_plan(params, dims, table.data(), &plan), kOk);
    fully_connected_int8_fast_wide(plan, table.data(), input.data(), words.data(), out->data(),
                                   scratch.data());
    return true;
  }
};

TEST(FullyConnectedInt8FastWide, LayoutHasBiasesThenSixteenBitPairs) {
  // 5 rows of depth 5: block of rows 0-3 (biases, then per group each row's two words), then
  // row 4 (bias, its words); zeros pad the depth to 8.
  const FullyConnectedDims dims = {1, 5, 5};
  std::vector<int8_t> filter(25);
  for (int r = 0; r < 5; ++r)
    for (int d = 0; d < 5; ++d) filter[r * 5 + d] = static_cast<int8_t>(10 * r + d - 20);
  const int32_t bias[5] = {100, 101, 102, 103, 104};
  ASSERT_EQ(fully_connected_int8_fast_wide_filter_words(dims), 25u);
  std::vector<int32_t> packed(25);
  ASSERT_EQ(fully_connected_int8_fast_pack_wide_filter(dims, filter.data(), bias, packed.data()),
            kOk);
  auto pair = [](int lo, int hi) {
    return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(lo)) |
                                static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16);
  };
  const std::vector<int32_t> expected = {100,
                                         101,
                                         102,
                                         103,  // block biases
                                         pair(-20, -18),
                                         pair(-19, -17),
                                         pair(-10, -8),
                                         pair(-9, -7),  // group 0, rows 0, 1
                                         pair(0, 2),
                                         pair(1, 3),
                                         pair(10, 12),
                                         pair(11, 13),  // group 0, rows 2, 3
                                         pair(-16, 0),
                                         pair(0, 0),
                                         pair(-6, 0),
                                         pair(0, 0),  // group 1, rows 0, 1
                                         pair(4, 0),
                                         pair(0, 0),
                                         pair(14, 0),
                                         pair(0, 0),  // group 1, rows 2, 3
                                         104,
                                         pair(20, 22),
                                         pair(21, 23),
                                         pair(24, 0),
                                         pair(0, 0)};  // row 4
  EXPECT_EQ(packed, expected);
}

TEST(FullyConnectedInt8FastWide, LayoutOfARowPair) {
  // 2 rows of depth 3: a pair block (both biases, then per group row 0's words and row 1's).
  const FullyConnectedDims dims = {1, 3, 2};
  const int8_t filter[6] = {1, -2, 3, -4, 5, -6};
  const int32_t bias[2] = {-7, 8};
  ASSERT_EQ(fully_connected_int8_fast_wide_filter_words(dims), 6u);
  std::vector<int32_t> packed(6);
  ASSERT_EQ(fully_connected_int8_fast_pack_wide_filter(dims, filter, bias, packed.data()), kOk);
  auto pair = [](int lo, int hi) {
    return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(lo)) |
                                static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16);
  };
  const std::vector<int32_t> expected = {-7, 8, pair(1, 3), pair(-2, 0), pair(-4, -6), pair(5, 0)};
  EXPECT_EQ(packed, expected);
}

TEST(FullyConnectedInt8FastWide, MatchesPortableKernelOnRandomLayers) {
  int ran = 0;
  for (uint32_t seed = 1; seed <= 600; ++seed) {
    const RandomFc fc(seed * 104729);
    std::vector<int8_t> got;
    if (!fc.wide(&got)) continue;
    ++ran;
    ASSERT_EQ(got, fc.reference())
        << "seed " << seed << " batches " << fc.dims.batches << " depth " << fc.dims.input_depth
        << " outputs " << fc.dims.output_depth << " per_channel " << fc.params.per_channel;
  }
  EXPECT_GT(ran, 300);
}

TEST(FullyConnectedInt8FastWide, ModelSizedLayersAndWrapAround) {
  const int32_t shapes[][3] = {{1, 560, 10}, {1, 16, 16}, {1, 1, 16}, {1, 16, 1}, {3, 250, 7}};
  uint32_t seed = 77;
  for (const auto& s : shapes) {
    RandomFc fc(seed++);
    fc.dims = {s[0], s[1], s[2]};
    fc.input = random_int8(static_cast<size_t>(s[0]) * s[1], seed++);
    fc.filter = random_int8(static_cast<size_t>(s[2]) * s[1], seed++);
    fc.bias = random_int32(static_cast<size_t>(s[2]), seed++, -100000, 100000);
    const size_t entries = fc.params.per_channel ? static_cast<size_t>(s[2]) : 1;
    fc.multiplier = random_int32(entries, seed++, 1 << 30, INT32_MAX);
    fc.shift = random_int32(entries, seed++, -12, -6);
    std::vector<int8_t> got;
    ASSERT_TRUE(fc.wide(&got));
    EXPECT_EQ(got, fc.reference()) << s[0] << "x" << s[1] << "->" << s[2];
  }
  RandomFc fc(5);
  fc.dims = {2, 1001, 6};
  fc.params.input_offset = 128;
  fc.params.filter_offset = -127;
  fc.input.assign(static_cast<size_t>(2 * 1001), 127);
  fc.filter.assign(static_cast<size_t>(6 * 1001), -128);
  fc.bias.assign(6, INT32_MAX - 5);
  fc.has_bias = true;
  fc.shift.assign(fc.shift.size(), -20);
  std::vector<int8_t> got;
  ASSERT_TRUE(fc.wide(&got));
  EXPECT_EQ(got, fc.reference());
}

TEST(FullyConnectedInt8FastWide, PlanRejectsBadArguments) {
  const FullyConnectedParams params = {0, 0, 0, -128, 127, false};
  const FullyConnectedDims dims = {1, 4, 1};
  const int32_t multiplier[1] = {1 << 30}, shift[1] = {-1};
  RequantChannel table[1];
  ASSERT_TRUE(fully_connected_int8_fast_requant_table(params, dims, multiplier, shift, table));
  FullyConnectedWidePlan plan;
  EXPECT_EQ(fully_connected_int8_fast_wide_plan(params, dims, table, &plan), kOk);
  EXPECT_EQ(fully_connected_int8_fast_wide_plan(params, dims, nullptr, &plan), kBadArgument);
  EXPECT_EQ(fully_connected_int8_fast_wide_plan(params, dims, table, nullptr), kBadArgument);
  FullyConnectedParams wide_clamp = params;
  wide_clamp.act_max = 200;
  EXPECT_EQ(fully_connected_int8_fast_wide_plan(wide_clamp, dims, table, &plan), kBadArgument);
  FullyConnectedParams bad_offset = params;
  bad_offset.input_offset = 300;
  EXPECT_EQ(fully_connected_int8_fast_wide_plan(bad_offset, dims, table, &plan), kBadArgument);
  EXPECT_EQ(fully_connected_int8_fast_wide_plan(params, {0, 4, 1}, table, &plan), kBadArgument);
  int32_t words[3];
  EXPECT_EQ(fully_connected_int8_fast_pack_wide_filter(dims, nullptr, nullptr, words),
            kBadArgument);
}

TEST(FullyConnectedInt8Fast, PackedLayoutInterleavesFourRowsThenWholeRows) {
  // 5 rows of depth 5: rows 0-3 interleaved per word, row 4 whole; zeros pad the depth to 8.
  const FullyConnectedDims dims = {1, 5, 5};
  std::vector<int8_t> filter(25);
  for (int r = 0; r < 5; ++r)
    for (int d = 0; d < 5; ++d) filter[r * 5 + d] = static_cast<int8_t>(10 * r + d - 20);
  ASSERT_EQ(fully_connected_int8_fast_packed_filter_words(dims), 10u);
  std::vector<int32_t> packed(10);
  ASSERT_EQ(fully_connected_int8_fast_pack_filter(dims, filter.data(), packed.data()), kOk);
  auto word = [](int b0, int b1, int b2, int b3) {
    return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint8_t>(b0)) |
                                static_cast<uint32_t>(static_cast<uint8_t>(b1)) << 8 |
                                static_cast<uint32_t>(static_cast<uint8_t>(b2)) << 16 |
                                static_cast<uint32_t>(static_cast<uint8_t>(b3)) << 24);
  };
  const std::vector<int32_t> expected = {
      word(-20, -19, -18, -17), word(-10, -9, -8, -7), word(0, 1, 2, 3), word(10, 11, 12, 13),
      word(-16, 0, 0, 0),       word(-6, 0, 0, 0),     word(4, 0, 0, 0), word(14, 0, 0, 0),
      word(20, 21, 22, 23),     word(24, 0, 0, 0)};
  EXPECT_EQ(packed, expected);
}

TEST(FullyConnectedInt8Fast, HandCheckedSmallLayer) {
  // Two outputs of depth 3, per-tensor; multiplier 2^30 with shift -1 scales by 1/4.
  const FullyConnectedParams params = {1, 0, 3, -128, 127, false};
  const FullyConnectedDims dims = {1, 3, 2};
  const int8_t input[3] = {1, -2, 5};  // +1: 2, -1, 6
  const int8_t filter[6] = {1, 2, 3, -4, 0, 7};
  const int32_t bias[2] = {2, -1};
  const int32_t multiplier[1] = {1 << 30};
  const int32_t shift[1] = {-1};
  // Row 0: 2 - 2 + 18 + 2 = 20 -> 20 / 2 = 10 -> 10 / 2 = 5 -> 8. Row 1: -8 + 0 + 42 - 1 = 33:
  // TFLite rounds twice, 33 / 2 = 16.5 up to 17, then 17 / 2 = 8.5 away from zero to 9 -> 12.
  std::vector<int32_t> packed(fully_connected_int8_fast_packed_filter_words(dims));
  ASSERT_EQ(fully_connected_int8_fast_pack_filter(dims, filter, packed.data()), kOk);
  RequantChannel table[1];
  ASSERT_TRUE(fully_connected_int8_fast_requant_table(params, dims, multiplier, shift, table));
  int32_t scratch[2];
  ASSERT_EQ(fully_connected_int8_fast_scratch_bytes(dims), sizeof(scratch));
  int8_t out[2] = {0, 0};
  ASSERT_EQ(fully_connected_int8_fast(params, dims, nullptr, nullptr, table, input, packed.data(),
                                      bias, out, scratch),
            kOk);
  EXPECT_EQ(out[0], 8);
  EXPECT_EQ(out[1], 12);
  // The reference step (no table) gives the same.
  out[0] = out[1] = 0;
  ASSERT_EQ(fully_connected_int8_fast(params, dims, multiplier, shift, nullptr, input,
                                      packed.data(), bias, out, scratch),
            kOk);
  EXPECT_EQ(out[0], 8);
  EXPECT_EQ(out[1], 12);
}

TEST(FullyConnectedInt8Fast, MatchesPortableKernelOnRandomLayers) {
  int with_table = 0, without_table = 0;
  for (uint32_t seed = 1; seed <= 600; ++seed) {
    const RandomFc fc(seed * 7919);
    bool built = false;
    const std::vector<int8_t> expected = fc.reference();
    ASSERT_EQ(fc.fast(true, &built), expected)
        << "seed " << seed << " batches " << fc.dims.batches << " depth " << fc.dims.input_depth
        << " outputs " << fc.dims.output_depth << " per_channel " << fc.params.per_channel
        << " table " << built;
    (built ? with_table : without_table)++;
    ASSERT_EQ(fc.fast(false), expected) << "seed " << seed << " (reference step)";
  }
  // Both requantization paths were exercised.
  EXPECT_GT(with_table, 100);
  EXPECT_GT(without_table, 50);
}

TEST(FullyConnectedInt8Fast, MatchesPortableKernelOnModelSizedLayers) {
  // Depths and output counts like the golden models' layers (640 -> 128, 64 -> 12, 16 -> 1).
  const int32_t shapes[][3] = {{1, 640, 128}, {1, 64, 12}, {1, 16, 1}, {2, 250, 7}, {1, 1, 16}};
  uint32_t seed = 11;
  for (const auto& s : shapes) {
    RandomFc fc(seed++);
    fc.dims = {s[0], s[1], s[2]};
    fc.input = random_int8(static_cast<size_t>(s[0]) * s[1], seed++);
    fc.filter = random_int8(static_cast<size_t>(s[2]) * s[1], seed++);
    fc.bias = random_int32(static_cast<size_t>(s[2]), seed++, -100000, 100000);
    const size_t entries = fc.params.per_channel ? static_cast<size_t>(s[2]) : 1;
    fc.multiplier = random_int32(entries, seed++, 1 << 30, INT32_MAX);
    fc.shift = random_int32(entries, seed++, -12, -6);
    bool built = false;
    EXPECT_EQ(fc.fast(true, &built), fc.reference()) << s[0] << "x" << s[1] << "->" << s[2];
    EXPECT_TRUE(built);
  }
}

TEST(FullyConnectedInt8Fast, ExtremeValuesWrapLikeTheReference) {
  // All weights -128 with inputs +128 (offset 128 on input 0), a filter offset and a large bias:
  // the int32 sums wrap, and must wrap the same way.
  RandomFc fc(5);
  fc.dims = {2, 1001, 6};
  fc.params.input_offset = 128;
  fc.params.filter_offset = -127;
  fc.input.assign(static_cast<size_t>(2 * 1001), 127);
  fc.filter.assign(static_cast<size_t>(6 * 1001), -128);
  fc.bias.assign(6, INT32_MAX - 5);
  fc.has_bias = true;
  EXPECT_EQ(fc.fast(true), fc.reference());
  EXPECT_EQ(fc.fast(false), fc.reference());
}

TEST(FullyConnectedInt8Fast, RejectsBadArguments) {
  const FullyConnectedParams params = {0, 0, 0, -128, 127, false};
  const FullyConnectedDims dims = {1, 4, 1};
  const int8_t input[4] = {};
  const int32_t packed[1] = {};
  const int32_t multiplier[1] = {1 << 30}, shift[1] = {-1};
  RequantChannel table[1];
  ASSERT_TRUE(fully_connected_int8_fast_requant_table(params, dims, multiplier, shift, table));
  int32_t scratch[2];
  int8_t out[1];
  EXPECT_EQ(fully_connected_int8_fast(params, dims, multiplier, shift, table, input, packed,
                                      nullptr, out, nullptr),
            kBadArgument);
  EXPECT_EQ(fully_connected_int8_fast(params, dims, nullptr, nullptr, nullptr, input, packed,
                                      nullptr, out, scratch),
            kBadArgument);
  EXPECT_EQ(fully_connected_int8_fast(params, {1, 0, 1}, nullptr, nullptr, table, input, packed,
                                      nullptr, out, scratch),
            kBadArgument);
  FullyConnectedParams wide = params;
  wide.act_min = -300;
  EXPECT_EQ(fully_connected_int8_fast(wide, dims, nullptr, nullptr, table, input, packed, nullptr,
                                      out, scratch),
            kBadArgument);
  EXPECT_FALSE(fully_connected_int8_fast_requant_table(wide, dims, multiplier, shift, table));
  const int32_t left_shift[1] = {1};
  EXPECT_FALSE(
      fully_connected_int8_fast_requant_table(params, dims, multiplier, left_shift, table));
  EXPECT_EQ(fully_connected_int8_fast_scratch_bytes({0, 4, 1}), 0u);
  EXPECT_EQ(fully_connected_int8_fast_packed_filter_words({1, 4, 0}), 0u);
}

}  // namespace
}  // namespace kiln::rt
