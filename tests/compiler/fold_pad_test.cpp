// PAD folded into the convolution it feeds (compiler/fold_pad.h): the folded model, compiled and
// built with `make`, must give the same bytes as the unfolded model in the host executor (which
// runs the real PAD and a VALID convolution), with a smaller arena; PADs whose folding would not
// be exact stay in the graph.
#include "compiler/fold_pad.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "exec/executor.h"
#include "golden_data.h"
#include "ir/model.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using ir::DType;
using ir::OpType;

template <typename T>
std::vector<uint8_t> raw_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// A small model built in code; deterministic random weights.
class PadGraph {
 public:
  int32_t tensor(std::vector<int32_t> shape, DType dtype, ir::Quantization quant = {}) {
    ir::Tensor t;
    t.name = fmt::format("t{}", model.tensors.size());
    t.shape = std::move(shape);
    t.dtype = dtype;
    t.quant = std::move(quant);
    model.tensors.push_back(std::move(t));
    return static_cast<int32_t>(model.tensors.size() - 1);
  }
  int32_t input(std::vector<int32_t> shape, DType dtype, ir::Quantization quant = {}) {
    const int32_t t = tensor(std::move(shape), dtype, std::move(quant));
    model.inputs.push_back(t);
    return t;
  }
  template <typename T>
  int32_t constant(std::vector<int32_t> shape, DType dtype, const std::vector<T>& values,
                   ir::Quantization quant = {}) {
    const int32_t t = tensor(std::move(shape), dtype, std::move(quant));
    model.tensors[static_cast<size_t>(t)].data = raw_bytes(values);
    return t;
  }
  int32_t random_int8(std::vector<int32_t> shape, ir::Quantization quant) {
    std::uniform_int_distribution<int> dist(-127, 127);
    std::vector<int8_t> v(static_cast<size_t>(count(shape)));
    for (int8_t& x : v) x = static_cast<int8_t>(dist(rng_));
    return constant(std::move(shape), DType::kInt8, v, std::move(quant));
  }
  int32_t random_int32(std::vector<int32_t> shape, ir::Quantization quant) {
    std::uniform_int_distribution<int32_t> dist(-1500, 1500);
    std::vector<int32_t> v(static_cast<size_t>(count(shape)));
    for (int32_t& x : v) x = dist(rng_);
    return constant(std::move(shape), DType::kInt32, v, std::move(quant));
  }
  int32_t random_float(std::vector<int32_t> shape) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(count(shape)));
    for (float& x : v) x = dist(rng_);
    return constant(std::move(shape), DType::kFloat32, v);
  }
  // PAD of a 4-D `in` by {before, after} per axis; the output shares the input's quantization.
  int32_t pad(int32_t in, const std::vector<int32_t>& paddings, int32_t value = ir::kNoTensor) {
    const ir::Tensor& t = model.tensor(in);
    std::vector<int32_t> shape = t.shape;
    for (size_t i = 0; i < 4; ++i) shape[i] += paddings[2 * i] + paddings[2 * i + 1];
    const DType dtype = t.dtype;
    const ir::Quantization quant = t.quant;
    const int32_t p = constant({4, 2}, DType::kInt32, paddings);
    const int32_t out = tensor(shape, dtype, quant);
    std::vector<int32_t> inputs = {in, p};
    if (value != ir::kNoTensor) inputs.push_back(value);
    op(OpType::kPad, inputs, out, {}, false);
    return out;
  }
  void op(OpType type, std::vector<int32_t> inputs, int32_t output, ir::OpOptions options,
          bool is_model_output = true) {
    ir::Operator o;
    o.type = type;
    o.inputs = std::move(inputs);
    o.outputs = {output};
    o.options = std::move(options);
    model.operators.push_back(std::move(o));
    if (is_model_output) model.outputs.push_back(output);
  }

  std::vector<std::vector<uint8_t>> random_inputs() {
    std::vector<std::vector<uint8_t>> all;
    for (int32_t t : model.inputs) {
      const ir::Tensor& info = model.tensor(t);
      if (info.dtype == DType::kFloat32) {
        std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
        std::vector<float> v(static_cast<size_t>(info.num_elements()));
        for (float& x : v) x = dist(rng_);
        all.push_back(raw_bytes(v));
      } else {
        std::uniform_int_distribution<int> byte(0, 255);
        std::vector<uint8_t> v(static_cast<size_t>(info.num_bytes()));
        for (uint8_t& b : v) b = static_cast<uint8_t>(byte(rng_));
        all.push_back(std::move(v));
      }
    }
    return all;
  }

  ir::Model model;

 private:
  static int64_t count(const std::vector<int32_t>& shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
  }
  std::mt19937 rng_{91};
};

constexpr float kInScale = 0.05f;
constexpr int64_t kInZeroPoint = -4;  // nonzero: the padding must be the zero point, not 0

ir::Quantization per_tensor(float scale, int64_t zero_point) {
  return {{scale}, {zero_point}, 0};
}

ir::Conv2DOptions valid_conv(int32_t stride = 1) {
  ir::Conv2DOptions o;
  o.padding = ir::Padding::kValid;
  o.stride_h = o.stride_w = stride;
  return o;
}

// int8 CONV_2D 3x3, 4 output channels with per-channel scales, reading `in` [1,H,W,3].
void add_int8_conv(PadGraph& g, int32_t in, std::vector<int32_t> out_shape,
                   ir::Conv2DOptions options, bool is_model_output = true) {
  const std::vector<float> filter_scales = {0.01f, 0.02f, 0.015f, 0.012f};
  std::vector<float> bias_scales;
  for (float s : filter_scales) bias_scales.push_back(s * kInScale);
  const int32_t w = g.random_int8({4, 3, 3, 3}, {filter_scales, {0, 0, 0, 0}, 0});
  const int32_t b = g.random_int32({4}, {bias_scales, {0, 0, 0, 0}, 0});
  g.op(OpType::kConv2D, {in, w, b}, g.tensor(out_shape, DType::kInt8, per_tensor(0.1f, 3)), options,
       is_model_output);
}

// The four chains that fold: int8 and float, CONV_2D and DEPTHWISE_CONV_2D, with uneven
// leading and trailing padding and a strided window.
PadGraph foldable_graph() {
  PadGraph g;
  const int32_t x8 = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  const int32_t xf = g.input({1, 5, 5, 3}, DType::kFloat32);

  // int8 conv: 5x5 padded to 8x8 (rows 1 before, 2 after; columns 2 before, 1 after).
  add_int8_conv(g, g.pad(x8, {0, 0, 1, 2, 2, 1, 0, 0}), {1, 6, 6, 4}, valid_conv());

  // int8 depthwise, multiplier 2, stride 2: 5x5 padded to 7x7.
  ir::DepthwiseConv2DOptions dw;
  dw.padding = ir::Padding::kValid;
  dw.stride_h = dw.stride_w = 2;
  dw.depth_multiplier = 2;
  const std::vector<float> dw_scales = {0.01f, 0.02f, 0.015f, 0.012f, 0.03f, 0.011f};
  std::vector<float> dw_bias_scales;
  for (float s : dw_scales) dw_bias_scales.push_back(s * kInScale);
  const std::vector<int64_t> zeros6(6, 0);
  const int32_t dw_w = g.random_int8({1, 3, 3, 6}, {dw_scales, zeros6, 3});
  const int32_t dw_b = g.random_int32({6}, {dw_bias_scales, zeros6, 0});
  g.op(OpType::kDepthwiseConv2D, {g.pad(x8, {0, 0, 1, 1, 1, 1, 0, 0}), dw_w, dw_b},
       g.tensor({1, 3, 3, 6}, DType::kInt8, per_tensor(0.08f, -1)), dw);

  // float conv: rows 2 before, columns 1 after only.
  const int32_t wf = g.random_float({4, 3, 3, 3});
  const int32_t bf = g.random_float({4});
  g.op(OpType::kConv2D, {g.pad(xf, {0, 0, 2, 0, 0, 1, 0, 0}), wf, bf},
       g.tensor({1, 5, 4, 4}, DType::kFloat32), valid_conv());

  // float depthwise without bias: one row and column on each side.
  ir::DepthwiseConv2DOptions dwf;
  dwf.padding = ir::Padding::kValid;
  const int32_t dwf_w = g.random_float({1, 3, 3, 3});
  g.op(OpType::kDepthwiseConv2D, {g.pad(xf, {0, 0, 1, 1, 1, 1, 0, 0}), dwf_w, ir::kNoTensor},
       g.tensor({1, 5, 5, 3}, DType::kFloat32), dwf);
  return g;
}

int run_shell(const std::string& command, const fs::path& log) {
  return std::system(fmt::format("{} > {} 2>&1", command, log.string()).c_str());
}

TEST(FoldPad, FoldsZeroPointPadsIntoValidConvolutions) {
  const PadGraph g = foldable_graph();
  const compiler::FoldedModel folded = compiler::fold_pad_into_conv(g.model);
  ASSERT_EQ(folded.model.operators.size(), 4u);
  for (const ir::Operator& op : folded.model.operators) EXPECT_NE(op.type, OpType::kPad);
  ASSERT_EQ(folded.explicit_padding.size(), 4u);
  // Leading padding only: rows, columns.
  EXPECT_EQ(folded.explicit_padding.at(0).pad_h, 1);
  EXPECT_EQ(folded.explicit_padding.at(0).pad_w, 2);
  EXPECT_EQ(folded.explicit_padding.at(2).pad_h, 2);
  EXPECT_EQ(folded.explicit_padding.at(2).pad_w, 0);
  // The convolutions read the model inputs directly.
  EXPECT_EQ(folded.model.operators[0].inputs[0], g.model.inputs[0]);
  EXPECT_EQ(folded.model.operators[3].inputs[0], g.model.inputs[1]);
}

TEST(FoldPad, CompiledFoldedModelMatchesUnfoldedExecutorWithSmallerArena) {
  PadGraph g = foldable_graph();
  const std::vector<std::vector<uint8_t>> inputs = g.random_inputs();
  exec::Executor executor(g.model);
  for (size_t i = 0; i < inputs.size(); ++i) executor.set_input(i, inputs[i]);
  executor.invoke();

  compiler::CompileOptions options;
  options.name = "fold_pad";
  const compiler::CompiledModel compiled = compiler::compile_model(g.model, options);
  compiler::CompileOptions unfolded_options = options;
  unfolded_options.fold_pad = false;
  const compiler::CompiledModel unfolded = compiler::compile_model(g.model, unfolded_options);
  // The padded tensors (2x 8x8x3 int8 ... 7x7x3 float) no longer need arena space.
  EXPECT_LT(compiled.arena_bytes, unfolded.arena_bytes);
  const std::string& source = compiled.files.at("fold_pad.cpp");
  EXPECT_EQ(source.find("kiln::rt::pad_"), std::string::npos);
  EXPECT_NE(unfolded.files.at("fold_pad.cpp").find("kiln::rt::pad_"), std::string::npos);

  const fs::path dir = fs::temp_directory_path() / fmt::format("kiln_fold_pad_{}", ::getpid());
  fs::remove_all(dir);
  compiler::write_compiled_model(compiled, dir.string());
  const fs::path log = dir / "build.log";
  ASSERT_EQ(run_shell(fmt::format("make -C {} -j2 fold_pad_run", dir.string()), log), 0)
      << "build failed, see " << log.string();

  std::string args;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fs::path file = dir / fmt::format("in_{}.bin", i);
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(inputs[i].data()),
               static_cast<std::streamsize>(inputs[i].size()));
    args += " " + file.string();
  }
  for (size_t i = 0; i < g.model.outputs.size(); ++i)
    args += " " + (dir / fmt::format("out_{}.bin", i)).string();
  ASSERT_EQ(run_shell(fmt::format("{}/fold_pad_run{}", dir.string(), args), dir / "run.log"), 0);

  for (size_t i = 0; i < g.model.outputs.size(); ++i) {
    const std::span<const uint8_t> expected = executor.output(i);
    EXPECT_EQ(testing::read_bytes(dir / fmt::format("out_{}.bin", i)),
              std::vector<uint8_t>(expected.begin(), expected.end()))
        << "output " << i;
  }
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

// Folding `g` must leave every operator in place.
void expect_unfolded(const PadGraph& g) {
  const compiler::FoldedModel folded = compiler::fold_pad_into_conv(g.model);
  EXPECT_EQ(folded.model.operators.size(), g.model.operators.size());
  EXPECT_TRUE(folded.explicit_padding.empty());
  for (size_t k = 0; k < g.model.operators.size(); ++k)
    EXPECT_EQ(folded.model.operators[k].inputs, g.model.operators[k].inputs);
}

TEST(FoldPad, PadValueOtherThanZeroPointStays) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  const int32_t value = g.constant({1}, DType::kInt8, std::vector<int8_t>{kInZeroPoint + 1},
                                   per_tensor(kInScale, kInZeroPoint));
  add_int8_conv(g, g.pad(x, {0, 0, 1, 1, 1, 1, 0, 0}, value), {1, 5, 5, 4}, valid_conv());
  expect_unfolded(g);
}

TEST(FoldPad, ExplicitZeroPointValueFolds) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  const int32_t value = g.constant({1}, DType::kInt8, std::vector<int8_t>{kInZeroPoint},
                                   per_tensor(kInScale, kInZeroPoint));
  add_int8_conv(g, g.pad(x, {0, 0, 1, 1, 1, 1, 0, 0}, value), {1, 5, 5, 4}, valid_conv());
  EXPECT_EQ(compiler::fold_pad_into_conv(g.model).model.operators.size(), 1u);
}

TEST(FoldPad, FloatPadValueOtherThanZeroStays) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kFloat32);
  const int32_t value = g.constant({1}, DType::kFloat32, std::vector<float>{0.5f});
  const int32_t w = g.random_float({4, 3, 3, 3});
  g.op(OpType::kConv2D, {g.pad(x, {0, 0, 1, 1, 1, 1, 0, 0}, value), w, ir::kNoTensor},
       g.tensor({1, 5, 5, 4}, DType::kFloat32), valid_conv());
  expect_unfolded(g);
}

TEST(FoldPad, PaddingOnChannelsStays) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 2}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  add_int8_conv(g, g.pad(x, {0, 0, 1, 1, 1, 1, 0, 1}), {1, 5, 5, 4}, valid_conv());
  expect_unfolded(g);
}

TEST(FoldPad, PadReadTwiceStays) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  const int32_t padded = g.pad(x, {0, 0, 1, 1, 1, 1, 0, 0});
  add_int8_conv(g, padded, {1, 5, 5, 4}, valid_conv());
  add_int8_conv(g, padded, {1, 3, 3, 4}, valid_conv(2));
  expect_unfolded(g);
}

TEST(FoldPad, PadThatIsAModelOutputStays) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  const int32_t padded = g.pad(x, {0, 0, 1, 1, 1, 1, 0, 0});
  g.model.outputs.push_back(padded);
  add_int8_conv(g, padded, {1, 5, 5, 4}, valid_conv());
  expect_unfolded(g);
}

TEST(FoldPad, SamePaddingConvolutionStays) {
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  ir::Conv2DOptions same = valid_conv();
  same.padding = ir::Padding::kSame;
  add_int8_conv(g, g.pad(x, {0, 0, 1, 1, 1, 1, 0, 0}), {1, 7, 7, 4}, same);
  expect_unfolded(g);
}

TEST(FoldPad, LeadingPaddingBeyondTheWindowStays) {
  // Three leading rows with a 3-row window: the kernels accept at most two.
  PadGraph g;
  const int32_t x = g.input({1, 5, 5, 3}, DType::kInt8, per_tensor(kInScale, kInZeroPoint));
  add_int8_conv(g, g.pad(x, {0, 0, 3, 0, 0, 0, 0, 0}), {1, 6, 3, 4}, valid_conv());
  expect_unfolded(g);
}

}  // namespace
}  // namespace kiln
