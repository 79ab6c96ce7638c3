#include "exec/ops/fully_connected.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "conv_test_models.h"
#include "core/error.h"
#include "exec/executor.h"
#include "exec/host_simd/host_simd.h"

namespace kiln {
namespace {

using ir::DType;
using testing::ModelBuilder;

// An int8 FULLY_CONNECTED: input [2, 3, 4] flattened to 2 rows of 12, filter [5, 12], bias [5],
// output [2, 5].
struct Int8FullyConnected {
  ModelBuilder b;
  int32_t input, filter, bias, output;
  ir::FullyConnectedOptions options;

  Int8FullyConnected(std::vector<float> filter_scales, std::vector<int64_t> filter_zero_points,
                     float input_scale = 0.5f, float output_scale = 0.25f,
                     float bias_scale = 0.5f * 0.01f) {
    input = b.tensor("in", {2, 3, 4}, DType::kInt8, {input_scale}, {-10});
    filter = b.tensor("w", {5, 12}, DType::kInt8, std::move(filter_scales),
                      std::move(filter_zero_points), 0, std::vector<uint8_t>(60, 1));
    bias = b.tensor("b", {5}, DType::kInt32, {bias_scale}, {0}, 0, std::vector<uint8_t>(20, 0));
    output = b.tensor("out", {2, 5}, DType::kInt8, {output_scale}, {4});
  }
  exec::FullyConnectedPrepared prepare() {
    b.op(ir::OpType::kFullyConnected, {input, filter, bias}, {output}, options);
    return exec::prepare_fully_connected(b.model, b.model.operators.back());
  }
};

TEST(PrepareFullyConnected, Int8PerTensorConstants) {
  Int8FullyConnected fc({0.01f}, {0});
  fc.options.activation = ir::Activation::kRelu6;
  const exec::FullyConnectedPrepared p = fc.prepare();
  EXPECT_EQ(p.dtype, DType::kInt8);
  EXPECT_EQ(p.dims.batches, 2);
  EXPECT_EQ(p.dims.input_depth, 12);
  EXPECT_EQ(p.dims.output_depth, 5);
  EXPECT_FALSE(p.params.per_channel);
  EXPECT_EQ(p.params.input_offset, 10);
  EXPECT_EQ(p.params.filter_offset, 0);
  EXPECT_EQ(p.params.output_offset, 4);
  EXPECT_EQ(p.params.act_min, 4);       // real 0
  EXPECT_EQ(p.params.act_max, 4 + 24);  // real 6 / 0.25
  ASSERT_EQ(p.output_multiplier.size(), 1u);
  const double represented =
      std::ldexp(static_cast<double>(p.output_multiplier[0]), p.output_shift[0] - 31);
  EXPECT_NEAR(represented, 0.5 * 0.01 / 0.25, 1e-9);
}

TEST(PrepareFullyConnected, PerTensorMultiplierUsesTheFloatProductOfScales) {
  // TFLite forms input_scale * filter_scale in float for per-tensor fully connected layers:
  // float(0.014302060008049011 * 0.008489593863487244) / 0.38424956798553467 quantizes to
  // 1389734788 * 2^-42, the double product to 1389734824 * 2^-42.
  Int8FullyConnected fc({0.008489593863487244f}, {0}, 0.014302060008049011f, 0.38424956798553467f,
                        0.014302060008049011f * 0.008489593863487244f);
  const exec::FullyConnectedPrepared p = fc.prepare();
  EXPECT_EQ(p.output_multiplier[0], 1389734788);
  EXPECT_EQ(p.output_shift[0], -11);
}

TEST(PrepareFullyConnected, PerTensorFilterZeroPointBecomesAnOffset) {
  Int8FullyConnected fc({0.01f}, {3});
  EXPECT_EQ(fc.prepare().params.filter_offset, -3);
}

TEST(PrepareFullyConnected, Int8PerChannelConstants) {
  Int8FullyConnected fc({0.01f, 0.02f, 0.04f, 0.08f, 0.16f}, {0, 0, 0, 0, 0});
  const exec::FullyConnectedPrepared p = fc.prepare();
  EXPECT_TRUE(p.params.per_channel);
  EXPECT_EQ(p.params.filter_offset, 0);
  ASSERT_EQ(p.output_multiplier.size(), 5u);
  for (size_t c = 0; c < 5; ++c) {
    EXPECT_EQ(p.output_multiplier[c], p.output_multiplier[0]);  // same mantissa, 2x apart
    EXPECT_EQ(p.output_shift[c], p.output_shift[0] + static_cast<int32_t>(c));
  }
}

TEST(PrepareFullyConnected, Int16PerTensorWithInt32Bias) {
  Int8FullyConnected fc({0.01f}, {2});
  for (int32_t t : {fc.input, fc.output}) {
    fc.b.model.tensors[static_cast<size_t>(t)].dtype = DType::kInt16;
    fc.b.model.tensors[static_cast<size_t>(t)].quant.zero_point = {0};
  }
  const exec::FullyConnectedPrepared p = fc.prepare();
  EXPECT_EQ(p.dtype, DType::kInt16);
  EXPECT_EQ(p.bias_dtype, DType::kInt32);
  EXPECT_EQ(p.params.filter_offset, -2);
  EXPECT_EQ(p.params.input_offset, 0);
  EXPECT_EQ(p.params.act_min, -32768);
}

TEST(PrepareFullyConnected, Float32WithoutBias) {
  ModelBuilder b;
  const int32_t in = b.tensor("in", {3, 8}, DType::kFloat32);
  const int32_t w = b.tensor("w", {2, 8}, DType::kFloat32);
  const int32_t out = b.tensor("out", {3, 2}, DType::kFloat32);
  b.op(ir::OpType::kFullyConnected, {in, w, ir::kNoTensor}, {out}, ir::FullyConnectedOptions{});
  const exec::FullyConnectedPrepared p =
      exec::prepare_fully_connected(b.model, b.model.operators[0]);
  EXPECT_EQ(p.dtype, DType::kFloat32);
  EXPECT_FALSE(p.has_bias);
  EXPECT_EQ(p.dims.batches, 3);
  EXPECT_LT(p.float_params.act_min, -1e30f);
  EXPECT_GT(p.float_params.act_max, 1e30f);
}

void expect_error(Int8FullyConnected& fc, const std::string& fragment) {
  try {
    fc.prepare();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PrepareFullyConnected, RejectsInconsistentOperators) {
  {
    Int8FullyConnected fc({0.01f}, {0});
    fc.b.model.tensors[fc.input].shape = {2, 13};
    expect_error(fc, "has 26 elements, not a multiple of the filter's 12 columns");
  }
  {
    Int8FullyConnected fc({0.01f}, {0});
    fc.b.model.tensors[fc.output].shape = {2, 4};
    expect_error(fc, "must hold 2 rows of 5 values");
  }
  {
    Int8FullyConnected fc({0.01f}, {0});
    fc.b.model.tensors[fc.filter].shape = {5, 3, 4};
    expect_error(fc, "filter 'w' must have rank 2");
  }
  {
    Int8FullyConnected fc({0.01f}, {0});
    fc.b.model.tensors[fc.bias].shape = {6};
    expect_error(fc, "bias 'b' has 6 elements, expected 5");
  }
  {
    Int8FullyConnected fc({0.01f, 0.02f}, {0, 0});
    expect_error(fc, "has 2 scales, expected 1 or 5");
  }
  {
    // TFLite refuses a bias scale far from input_scale * filter_scale.
    Int8FullyConnected fc({0.01f}, {0}, 0.5f, 0.25f, 0.05f);
    expect_error(fc, "bias 'b' scale");
  }
  {
    Int8FullyConnected fc({0.01f}, {0});
    fc.b.model.tensors[fc.output].dtype = DType::kInt16;
    expect_error(fc, "output 'out' must be int8, got int16");
  }
}

TEST(FullyConnectedKernel, RunsThroughTheExecutor) {
  // Input [1 2 3] (scale 1, zero point 1: real [0 1 2]), filter rows [1 0 -1], [2 2 2] (scale 1),
  // bias [10, -4] (scale 1), output scale 2: ([-2, 6] + [10, -4]) / 2 = [4, 1].
  ModelBuilder b;
  const int32_t in = b.tensor("in", {1, 3}, DType::kInt8, {1.0f}, {1});
  const int32_t w = b.tensor("w", {2, 3}, DType::kInt8, {1.0f}, {0}, 0,
                             testing::raw_bytes(std::vector<int8_t>{1, 0, -1, 2, 2, 2}));
  const int32_t bias = b.tensor("b", {2}, DType::kInt32, {1.0f}, {0}, 0,
                                testing::raw_bytes(std::vector<int32_t>{10, -4}));
  const int32_t out = b.tensor("out", {1, 2}, DType::kInt8, {2.0f}, {0});
  b.op(ir::OpType::kFullyConnected, {in, w, bias}, {out}, ir::FullyConnectedOptions{});
  exec::Executor executor(b.model);
  executor.set_input(0, testing::raw_bytes(std::vector<int8_t>{1, 2, 3}));
  executor.invoke();
  const auto output = executor.output(0);
  EXPECT_EQ(std::vector<uint8_t>(output.begin(), output.end()),
            testing::raw_bytes(std::vector<int8_t>{4, 1}));
}

// A chain of small int8 layers in[1,4] -> 8 -> 8 -> 3 (ReLU between), optionally with the first
// intermediate tensor also a model output, or the second one also read by a fourth layer. The
// executor fuses what it may (exec::make_fully_connected_chain_kernel); every model output must
// equal the portable kernels' run.
ir::Model small_chain(bool first_link_is_output, bool second_link_read_twice) {
  ModelBuilder b;
  uint32_t state = 7;
  auto weights = [&](size_t n) {
    std::vector<int8_t> w(n);
    for (auto& x : w) x = static_cast<int8_t>((state = state * 1103515245u + 12345u) >> 24);
    return testing::raw_bytes(w);
  };
  const int32_t in = b.tensor("in", {1, 4}, DType::kInt8, {0.05f}, {3});
  int32_t row = in, depth = 4;
  std::vector<int32_t> links;
  const int32_t widths[] = {8, 8, 3};
  for (int l = 0; l < 3; ++l) {
    const int32_t channels = widths[l];
    const int32_t w = b.tensor(fmt::format("w{}", l), {channels, depth}, DType::kInt8, {0.02f}, {0},
                               0, weights(static_cast<size_t>(channels * depth)));
    const int32_t out =
        b.tensor(fmt::format("t{}", l), {1, channels}, DType::kInt8, {0.04f}, {-5 + l});
    ir::FullyConnectedOptions options;
    if (l < 2) options.activation = ir::Activation::kRelu;
    b.op(ir::OpType::kFullyConnected, {row, w}, {out}, options);
    links.push_back(out);
    row = out;
    depth = channels;
  }
  std::vector<int32_t> outputs = {row};
  if (first_link_is_output) outputs.push_back(links[0]);
  if (second_link_read_twice) {
    const int32_t w = b.tensor("w3", {2, 8}, DType::kInt8, {0.02f}, {0}, 0, weights(16));
    const int32_t out = b.tensor("t3", {1, 2}, DType::kInt8, {0.04f}, {1});
    b.op(ir::OpType::kFullyConnected, {links[1], w}, {out}, ir::FullyConnectedOptions{});
    outputs.push_back(out);
  }
  b.model.inputs = {in};
  b.model.outputs = outputs;
  return b.model;
}

TEST(FullyConnectedKernel, FusedChainsGiveThePortableOutputs) {
  for (const bool first_output : {false, true})
    for (const bool read_twice : {false, true}) {
      const ir::Model model = small_chain(first_output, read_twice);
      std::vector<std::vector<uint8_t>> results[2];
      for (const char* setting : {"0", "1"}) {
        exec::host_simd::ScopedSetting scoped(setting);
        exec::Executor executor(model);
        for (int x = 0; x < 40; ++x) {
          const std::vector<int8_t> input = {static_cast<int8_t>(x * 7 - 128),
                                             static_cast<int8_t>(100 - x * 5),
                                             static_cast<int8_t>(x * 13), static_cast<int8_t>(-x)};
          executor.set_input(0, testing::raw_bytes(input));
          executor.invoke();
          for (size_t o = 0; o < executor.num_outputs(); ++o) {
            const auto out = executor.output(o);
            results[setting[0] - '0'].emplace_back(out.begin(), out.end());
          }
        }
      }
      EXPECT_EQ(results[0], results[1])
          << "first link is an output: " << first_output << ", second read twice: " << read_twice;
    }
}

TEST(FullyConnectedKernel, ChainFusionStopsAtVisibleOrSharedTensors) {
  if (!exec::host_simd::avx2_available()) GTEST_SKIP() << "no AVX2: nothing is fused";
  exec::host_simd::ScopedSetting on("1");
  size_t count = 0;
  EXPECT_NE(exec::make_fully_connected_chain_kernel(small_chain(false, false), 0, &count), nullptr);
  EXPECT_EQ(count, 3u);
  // t0 is a model output: layer 0 stays alone, layers 1 and 2 still fuse.
  EXPECT_EQ(exec::make_fully_connected_chain_kernel(small_chain(true, false), 0, &count), nullptr);
  EXPECT_EQ(count, 0u);
  EXPECT_NE(exec::make_fully_connected_chain_kernel(small_chain(true, false), 1, &count), nullptr);
  EXPECT_EQ(count, 2u);
  // t1 is read by two layers: the chain ends there.
  EXPECT_NE(exec::make_fully_connected_chain_kernel(small_chain(false, true), 0, &count), nullptr);
  EXPECT_EQ(count, 2u);
  exec::host_simd::ScopedSetting off("0");
  EXPECT_EQ(exec::make_fully_connected_chain_kernel(small_chain(false, false), 0, &count), nullptr);
}

}  // namespace
}  // namespace kiln
