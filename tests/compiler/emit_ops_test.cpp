// Every operator the executor supports, compiled ahead of time: small hand-built graphs (int8,
// int16, int32 and float variants side by side in one model, so each family needs a single
// build) run in the host executor on deterministic random inputs, then through the compiler,
// `make` and the generated NAME_run. Outputs must agree byte for byte, and the generated library
// must build for a Cortex-M4F without global constructors.
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
#include "compiler/op_emitter.h"
#include "compiler/patch_stage.h"
#include "core/error.h"
#include "exec/executor.h"
#include "exec/ops/lstm.h"
#include "golden_data.h"
#include "ir/model.h"
#include "runtime/lstm_fast.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using ir::DType;
using ir::OpType;

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// A model built tensor by tensor; every operator's output is a model output unless told
// otherwise, labelled for failure messages.
class Graph {
 public:
  explicit Graph(uint32_t seed) : rng_(seed) {}

  int32_t activation(std::vector<int32_t> shape, DType dtype, float scale = 0.0f,
                     int64_t zero_point = 0) {
    ir::Tensor t;
    t.name = fmt::format("t{}", model_.tensors.size());
    t.shape = std::move(shape);
    t.dtype = dtype;
    if (scale > 0.0f) t.quant = {{scale}, {zero_point}, 0};
    model_.tensors.push_back(std::move(t));
    return static_cast<int32_t>(model_.tensors.size() - 1);
  }

  int32_t input(std::vector<int32_t> shape, DType dtype, float scale = 0.0f,
                int64_t zero_point = 0) {
    const int32_t t = activation(std::move(shape), dtype, scale, zero_point);
    model_.inputs.push_back(t);
    return t;
  }

  // A state tensor, kept between invocations and zeroed by reset.
  int32_t state(std::vector<int32_t> shape, DType dtype, float scale = 0.0f,
                int64_t zero_point = 0) {
    const int32_t t = activation(std::move(shape), dtype, scale, zero_point);
    tensor(t).is_variable = true;
    return t;
  }

  template <typename T>
  int32_t constant(std::vector<int32_t> shape, DType dtype, const std::vector<T>& values,
                   ir::Quantization quant = {}) {
    const int32_t t = activation(std::move(shape), dtype);
    tensor(t).data = bytes_of(values);
    tensor(t).quant = std::move(quant);
    return t;
  }

  int32_t indices(const std::vector<int32_t>& values) {
    return constant({static_cast<int32_t>(values.size())}, DType::kInt32, values);
  }

  // Uniformly random constant data of `dtype` in [lo, hi] (integers) or [lo, hi) (float).
  int32_t random_constant(std::vector<int32_t> shape, DType dtype, double lo, double hi,
                          ir::Quantization quant = {}) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    const auto count = static_cast<size_t>(n);
    switch (dtype) {
      case DType::kFloat32:
        return constant(shape, dtype, random_floats(count, lo, hi), quant);
      case DType::kInt8:
        return constant(shape, dtype, random_ints<int8_t>(count, lo, hi), quant);
      case DType::kInt16:
        return constant(shape, dtype, random_ints<int16_t>(count, lo, hi), quant);
      case DType::kInt32:
        return constant(shape, dtype, random_ints<int32_t>(count, lo, hi), quant);
      default:
        throw Error("random_constant: unsupported type");
    }
  }

  void op(const std::string& label, OpType type, std::vector<int32_t> inputs,
          std::vector<int32_t> outputs, ir::OpOptions options = {},
          bool outputs_are_model_outputs = true) {
    ir::Operator o;
    o.type = type;
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    o.options = std::move(options);
    if (outputs_are_model_outputs)
      for (size_t i = 0; i < o.outputs.size(); ++i) {
        model_.outputs.push_back(o.outputs[i]);
        labels_.push_back(
            fmt::format("{} (op {}, {})", label, model_.operators.size(), ir::op_name(type)));
      }
    model_.operators.push_back(std::move(o));
  }

  ir::Tensor& tensor(int32_t t) { return model_.tensors[static_cast<size_t>(t)]; }
  const ir::Model& model() const { return model_; }
  const std::vector<std::string>& labels() const { return labels_; }

  // Deterministic random bytes for every model input: floats in [-4, 4), integers over their
  // whole range.
  std::vector<std::vector<uint8_t>> random_inputs() {
    std::vector<std::vector<uint8_t>> all;
    for (int32_t t : model_.inputs) {
      const ir::Tensor& info = model_.tensor(t);
      const auto n = static_cast<size_t>(info.num_elements());
      if (info.dtype == DType::kFloat32) {
        all.push_back(bytes_of(random_floats(n, -4.0, 4.0)));
      } else {
        std::vector<uint8_t> raw(static_cast<size_t>(info.num_bytes()));
        std::uniform_int_distribution<int> byte(0, 255);
        for (uint8_t& b : raw) b = static_cast<uint8_t>(byte(rng_));
        all.push_back(std::move(raw));
      }
    }
    return all;
  }

 private:
  std::vector<float> random_floats(size_t n, double lo, double hi) {
    std::uniform_real_distribution<double> dist(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(dist(rng_));
    return v;
  }
  template <typename T>
  std::vector<T> random_ints(size_t n, double lo, double hi) {
    std::uniform_int_distribution<int64_t> dist(static_cast<int64_t>(lo), static_cast<int64_t>(hi));
    std::vector<T> v(n);
    for (T& x : v) x = static_cast<T>(dist(rng_));
    return v;
  }

  ir::Model model_;
  std::vector<std::string> labels_;
  std::mt19937 rng_;
};

ir::Quantization per_tensor(float scale, int64_t zero_point = 0) {
  return {{scale}, {zero_point}, 0};
}

int shell(const std::string& command, const fs::path& log) {
  return std::system(fmt::format("{} > {} 2>&1", command, log.string()).c_str());
}

std::string tail_of(const fs::path& log) {
  const std::vector<uint8_t> bytes = testing::read_bytes(log);
  const size_t keep = 3000;
  const size_t from = bytes.size() > keep ? bytes.size() - keep : 0;
  return std::string(bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.end());
}

bool have_arm_compiler() {
  return std::system("command -v arm-none-eabi-g++ > /dev/null 2>&1") == 0;
}

// Runs `graph` in the executor and as generated code; expects identical output bytes.
// Compiles with the given memory/speed choice (compile.h) and checks the outputs.
void expect_mode_matches_executor(Graph& graph, const std::string& name, bool optimize_memory) {
  const ir::Model& model = graph.model();
  const std::vector<std::vector<uint8_t>> inputs = graph.random_inputs();

  exec::Executor executor(model);
  for (size_t i = 0; i < inputs.size(); ++i) executor.set_input(i, inputs[i]);
  executor.invoke();

  compiler::CompileOptions options;
  options.name = name;
  options.optimize_memory = optimize_memory;
  const compiler::CompiledModel compiled = compiler::compile_model(model, options);
  const fs::path dir =
      fs::temp_directory_path() /
      fmt::format("kiln_emit_{}_{}_{}", name, optimize_memory ? "mem" : "speed", ::getpid());
  fs::remove_all(dir);
  compiler::write_compiled_model(compiled, dir.string());

  const fs::path log = dir / "build.log";
  ASSERT_EQ(shell(fmt::format("make -C {} -j2 {}_run", dir.string(), name), log), 0)
      << "host build failed (make -C " << dir.string() << "):\n"
      << tail_of(log);

  std::string args;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fs::path file = dir / fmt::format("in_{}.bin", i);
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(inputs[i].data()),
               static_cast<std::streamsize>(inputs[i].size()));
    args += " " + file.string();
  }
  for (size_t i = 0; i < model.outputs.size(); ++i)
    args += " " + (dir / fmt::format("out_{}.bin", i)).string();
  ASSERT_EQ(shell(fmt::format("{}/{}_run{}", dir.string(), name, args), dir / "run.log"), 0)
      << tail_of(dir / "run.log");

  for (size_t i = 0; i < model.outputs.size(); ++i) {
    const std::span<const uint8_t> expected = executor.output(i);
    EXPECT_EQ(testing::read_bytes(dir / fmt::format("out_{}.bin", i)),
              std::vector<uint8_t>(expected.begin(), expected.end()))
        << "output " << i << ": " << graph.labels()[i];
  }

  if (have_arm_compiler()) {
    const fs::path arm_log = dir / "arm.log";
    ASSERT_EQ(
        shell(
            fmt::format(
                "(make -C {0} clean && make -C {0} -j2 CXX=arm-none-eabi-g++ AR=arm-none-eabi-ar "
                "ARCH_FLAGS='-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard' lib{1}.a)",
                dir.string(), name),
            arm_log),
        0)
        << "Cortex-M4 build failed:\n"
        << tail_of(arm_log);
    // Operator constants must be constant-initialized: no start-up code on the device.
    for (const std::string& object : {name + ".o", name + "_weights.o"})
      EXPECT_NE(shell(fmt::format("arm-none-eabi-objdump -h {} | grep -q init_array",
                                  (dir / object).string()),
                      dir / "objdump.log"),
                0)
          << object << " has a global constructor";
  } else {
    std::cout << "[ NOTE ] arm-none-eabi-g++ not found: Cortex-M4 build of " << name
              << " not checked\n";
  }
  // KILN_KEEP_TEST_DIRS=1 keeps the generated folder for inspection.
  if (!::testing::Test::HasFailure() && std::getenv("KILN_KEEP_TEST_DIRS") == nullptr)
    fs::remove_all(dir);
}

// Both kernel choices: --opt-memory (portable kernels where the fast ones' scratch would grow the
// arena) and --opt-speed (fast kernels, packed filters).
void expect_generated_code_matches_executor(Graph& graph, const std::string& name) {
  {
    SCOPED_TRACE("--opt-memory");
    expect_mode_matches_executor(graph, name, true);
  }
  SCOPED_TRACE("--opt-speed");
  expect_mode_matches_executor(graph, name, false);
}

std::string generated_source(const ir::Model& model, const std::string& name,
                             bool optimize_memory = false) {
  compiler::CompileOptions options;
  options.name = name;
  options.optimize_memory = optimize_memory;
  return compiler::compile_model(model, options).files.at(name + ".cpp");
}

std::string compile_error(const ir::Model& model) {
  try {
    compiler::compile_model(model, {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ---- shape family ----

// RESHAPE, SQUEEZE, EXPAND_DIMS (aliased and copied), RELU, RELU6, PAD, CONCATENATION,
// STRIDED_SLICE and TRANSPOSE on every type their prepare accepts.
Graph shape_family_graph() {
  Graph g(11);
  const int32_t a8 = g.input({1, 4, 4, 3}, DType::kInt8, 0.05f, -3);
  const int32_t af = g.input({1, 4, 4, 3}, DType::kFloat32);
  const int32_t a16 = g.input({2, 3, 5}, DType::kInt16, 0.001f, 0);
  const int32_t a32 = g.input({2, 3, 5}, DType::kInt32);

  // Reshape family: a chain of aliases, then a copy of a constant.
  const int32_t flat = g.activation({1, 48}, DType::kInt8, 0.05f, -3);
  g.op("reshape int8 with shape input", OpType::kReshape, {a8, g.indices({1, -1})}, {flat});
  const int32_t r3 = g.activation({4, 4, 3}, DType::kFloat32);
  g.op("reshape float with new_shape", OpType::kReshape, {af}, {r3}, ir::ReshapeOptions{{4, 4, 3}},
       false);
  const int32_t expanded = g.activation({4, 1, 4, 3}, DType::kFloat32);
  g.op("expand_dims float", OpType::kExpandDims, {r3, g.indices({1})}, {expanded}, {}, false);
  const int32_t squeezed = g.activation({4, 4, 3}, DType::kFloat32);
  g.op("squeeze float", OpType::kSqueeze, {expanded}, {squeezed}, ir::SqueezeOptions{{1}});
  const int32_t table =
      g.random_constant({2, 3, 5}, DType::kInt16, -30000, 30000, per_tensor(0.001f));
  const int32_t table_flat = g.activation({30}, DType::kInt16, 0.001f, 0);
  g.op("reshape of a constant (copied)", OpType::kReshape, {table, g.indices({30})}, {table_flat});

  // RELU requantizes; RELU6 clamps in the input's domain.
  g.op("relu int8", OpType::kRelu, {a8}, {g.activation({1, 4, 4, 3}, DType::kInt8, 0.03f, -128)});
  g.op("relu6 int8", OpType::kRelu6, {a8}, {g.activation({1, 4, 4, 3}, DType::kInt8, 0.05f, -3)});
  g.op("relu float", OpType::kRelu, {af}, {g.activation({1, 4, 4, 3}, DType::kFloat32)});
  g.op("relu6 float", OpType::kRelu6, {af}, {g.activation({1, 4, 4, 3}, DType::kFloat32)});
  g.op("relu int16", OpType::kRelu, {a16}, {g.activation({2, 3, 5}, DType::kInt16, 0.0007f, 0)});
  g.op("relu6 int16", OpType::kRelu6, {a16}, {g.activation({2, 3, 5}, DType::kInt16, 0.001f, 0)});

  // PAD with the default value and with a constant value input.
  const int32_t pads4 =
      g.constant({4, 2}, DType::kInt32, std::vector<int32_t>{0, 0, 1, 2, 0, 1, 2, 0});
  g.op("pad int8", OpType::kPad, {a8, pads4},
       {g.activation({1, 7, 5, 5}, DType::kInt8, 0.05f, -3)});
  g.op("pad float", OpType::kPad, {af, pads4}, {g.activation({1, 7, 5, 5}, DType::kFloat32)});
  const int32_t pads3 = g.constant({3, 2}, DType::kInt32, std::vector<int32_t>{1, 0, 0, 2, 1, 1});
  g.op("pad int16", OpType::kPad, {a16, pads3},
       {g.activation({3, 5, 7}, DType::kInt16, 0.001f, 0)});
  g.op("pad int32", OpType::kPad, {a32, pads3}, {g.activation({3, 5, 7}, DType::kInt32)});
  const int32_t value8 =
      g.constant({1}, DType::kInt8, std::vector<int8_t>{77}, per_tensor(0.05f, -3));
  g.op("pad int8 with value", OpType::kPad, {a8, pads4, value8},
       {g.activation({1, 7, 5, 5}, DType::kInt8, 0.05f, -3)});
  const int32_t valuef = g.constant({1}, DType::kFloat32, std::vector<float>{-1.25f});
  g.op("pad float with value", OpType::kPad, {af, pads4, valuef},
       {g.activation({1, 7, 5, 5}, DType::kFloat32)});

  // CONCATENATION, including a constant operand and a negative axis.
  const int32_t b8 = g.input({1, 4, 2, 3}, DType::kInt8, 0.1f, 5);
  const int32_t c8 =
      g.random_constant({1, 4, 1, 3}, DType::kInt8, -128, 127, per_tensor(0.05f, -3));
  g.op("concatenation int8 axis 2", OpType::kConcatenation, {a8, b8, c8},
       {g.activation({1, 4, 7, 3}, DType::kInt8, 0.05f, -3)}, ir::ConcatenationOptions{2});
  const int32_t bf = g.input({1, 4, 4, 2}, DType::kFloat32);
  g.op("concatenation float axis -1", OpType::kConcatenation, {af, bf},
       {g.activation({1, 4, 4, 5}, DType::kFloat32)}, ir::ConcatenationOptions{-1});
  g.op("concatenation int16 axis 0", OpType::kConcatenation, {a16, table},
       {g.activation({4, 3, 5}, DType::kInt16, 0.001f, 0)}, ir::ConcatenationOptions{0});
  g.op("concatenation int32 axis 1", OpType::kConcatenation, {a32, a32},
       {g.activation({2, 6, 5}, DType::kInt32)}, ir::ConcatenationOptions{1});
  g.op("concatenation int16 of a copied reshape", OpType::kConcatenation, {table_flat, table_flat},
       {g.activation({60}, DType::kInt16, 0.001f, 0)}, ir::ConcatenationOptions{0});

  // STRIDED_SLICE: plain, negative stride with masks, and a shrunk axis.
  g.op("strided_slice int8", OpType::kStridedSlice,
       {a8, g.indices({0, 1, 0, 0}), g.indices({1, 4, 4, 3}), g.indices({1, 2, 1, 2})},
       {g.activation({1, 2, 4, 2}, DType::kInt8, 0.05f, -3)});
  ir::StridedSliceOptions reverse;
  reverse.begin_mask = 0b0100;
  reverse.end_mask = 0b0100;
  g.op("strided_slice float reversed", OpType::kStridedSlice,
       {af, g.indices({0, -1, 0, 1}), g.indices({1, -5, 4, 3}), g.indices({1, -1, -2, 1})},
       {g.activation({1, 4, 2, 2}, DType::kFloat32)}, reverse);
  ir::StridedSliceOptions shrink;
  shrink.shrink_axis_mask = 0b001;
  g.op("strided_slice int16 shrink", OpType::kStridedSlice,
       {a16, g.indices({1, 0, 1}), g.indices({2, 3, 5}), g.indices({1, 1, 3})},
       {g.activation({3, 2}, DType::kInt16, 0.001f, 0)}, shrink);
  g.op("strided_slice int32", OpType::kStridedSlice,
       {a32, g.indices({0, 2, -4}), g.indices({2, 0, 5}), g.indices({1, -1, 1})},
       {g.activation({2, 2, 4}, DType::kInt32)});

  // TRANSPOSE.
  g.op("transpose int8", OpType::kTranspose, {a8, g.indices({0, 3, 1, 2})},
       {g.activation({1, 3, 4, 4}, DType::kInt8, 0.05f, -3)});
  g.op("transpose float", OpType::kTranspose, {af, g.indices({2, 1, 3, 0})},
       {g.activation({4, 4, 3, 1}, DType::kFloat32)});
  g.op("transpose int16", OpType::kTranspose, {a16, g.indices({2, 0, 1})},
       {g.activation({5, 2, 3}, DType::kInt16, 0.001f, 0)});
  g.op("transpose int32", OpType::kTranspose, {a32, g.indices({1, 2, 0})},
       {g.activation({3, 5, 2}, DType::kInt32)});
  return g;
}

TEST(EmitOps, ShapeFamilyMatchesExecutor) {
  Graph g = shape_family_graph();
  expect_generated_code_matches_executor(g, "shape_ops");
}

TEST(EmitOps, AliasedReshapesEmitNoCopy) {
  Graph g(1);
  const int32_t in = g.input({2, 6}, DType::kInt8, 0.1f, 0);
  const int32_t mid = g.activation({3, 4}, DType::kInt8, 0.1f, 0);
  g.op("reshape", OpType::kReshape, {in, g.indices({3, 4})}, {mid}, {}, false);
  const int32_t out = g.activation({3, 4}, DType::kInt8, 0.1f, 0);
  g.op("relu", OpType::kRelu, {mid}, {out});
  const std::string source = generated_source(g.model(), "alias");
  EXPECT_EQ(source.find("kiln::rt::reshape("), std::string::npos) << source;
  EXPECT_NE(source.find("kiln::rt::relu_int8("), std::string::npos) << source;

  // A constant input has no arena slot to share, so its reshape is a copy.
  Graph c(1);
  const int32_t x = c.input({6}, DType::kFloat32);
  const int32_t k = c.random_constant({2, 3}, DType::kFloat32, -1, 1);
  const int32_t k_flat = c.activation({6}, DType::kFloat32);
  c.op("reshape", OpType::kReshape, {k, c.indices({6})}, {k_flat}, {}, false);
  c.op("concatenation", OpType::kConcatenation, {x, k_flat}, {c.activation({12}, DType::kFloat32)},
       ir::ConcatenationOptions{0});
  EXPECT_NE(generated_source(c.model(), "copy").find("kiln::rt::reshape("), std::string::npos);
}

// ---- UNIDIRECTIONAL_SEQUENCE_LSTM ----

// Adds an LSTM operator with random weights reading `input` [batch, time, depth] (or time
// major); returns its output.
int32_t add_lstm(Graph& g, const std::string& label, int32_t input, int32_t units, bool int8,
                 bool time_major, float cell_clip) {
  const std::vector<int32_t> in_shape = g.tensor(input).shape;
  const int32_t batch = time_major ? in_shape[1] : in_shape[0];
  const int32_t depth = in_shape[2];
  std::vector<int32_t> operands(24, ir::kNoTensor);
  operands[0] = input;
  for (int32_t gate = 0; gate < 4; ++gate) {
    if (int8) {
      operands[1 + gate] = g.random_constant({units, depth}, DType::kInt8, -127, 127,
                                             per_tensor(0.004f + 0.001f * gate));
      operands[5 + gate] = g.random_constant({units, units}, DType::kInt8, -127, 127,
                                             per_tensor(0.003f + 0.0005f * gate));
      operands[12 + gate] =
          g.random_constant({units}, DType::kInt32, -20000, 20000, per_tensor(1.0f / 32768));
    } else {
      operands[1 + gate] = g.random_constant({units, depth}, DType::kFloat32, -0.8, 0.8);
      operands[5 + gate] = g.random_constant({units, units}, DType::kFloat32, -0.8, 0.8);
      operands[12 + gate] = g.random_constant({units}, DType::kFloat32, -0.5, 0.5);
    }
  }
  if (int8) {
    operands[18] = g.state({batch, units}, DType::kInt8, 1.0f / 128, 3);
    operands[19] = g.state({batch, units}, DType::kInt16, 1.0f / 4096, 0);
  } else {
    operands[18] = g.state({batch, units}, DType::kFloat32);
    operands[19] = g.state({batch, units}, DType::kFloat32);
  }
  const int32_t output =
      int8 ? g.activation({in_shape[0], in_shape[1], units}, DType::kInt8, 1.0f / 128, 3)
           : g.activation({in_shape[0], in_shape[1], units}, DType::kFloat32);
  ir::LstmOptions options;
  options.time_major = time_major;
  options.cell_clip = cell_clip;
  g.op(label, OpType::kUnidirectionalSequenceLstm, operands, {output}, options);
  return output;
}

Graph lstm_graph() {
  Graph g(23);
  add_lstm(g, "lstm int8", g.input({2, 5, 4}, DType::kInt8, 1.0f / 64, -10), 3, true, false, 0.0f);
  add_lstm(g, "lstm int8 time major, clipped", g.input({5, 2, 3}, DType::kInt8, 1.0f / 32, 7), 4,
           true, true, 2.0f);
  add_lstm(g, "lstm float", g.input({2, 4, 3}, DType::kFloat32), 5, false, false, 0.0f);
  add_lstm(g, "lstm float time major, clipped", g.input({4, 3, 2}, DType::kFloat32), 3, false, true,
           0.5f);
  return g;
}

TEST(EmitOps, LstmMatchesExecutor) {
  Graph g = lstm_graph();
  expect_generated_code_matches_executor(g, "lstm_ops");
}

TEST(EmitOps, LstmScratchIsReserved) {
  Graph g = lstm_graph();
  const ir::Model& model = g.model();
  for (const ir::Operator& op : model.operators) {
    // The portable kernel's scratch, and the fast int8 kernel's (runtime/lstm_fast.h) with the
    // fast variant; the float kernel has no fast variant.
    const exec::LstmPrepared p = exec::prepare_lstm(model, op);
    EXPECT_GT(compiler::op_scratch_bytes(model, op, false), 0);
    EXPECT_EQ(compiler::op_scratch_bytes(model, op, false), static_cast<int64_t>(p.scratch_bytes));
    const int64_t fast = compiler::op_scratch_bytes(model, op);
    EXPECT_GT(fast, 0);
    EXPECT_EQ(fast, p.dtype == ir::DType::kInt8
                        ? static_cast<int64_t>(rt::lstm_int8_fast_scratch_bytes(p.int8_params.dims))
                        : static_cast<int64_t>(p.scratch_bytes));
  }
  const compiler::CompiledModel compiled = compiler::compile_model(model, {});
  int scratch_buffers = 0;
  for (const auto& buffer : compiled.buffers.buffers)
    scratch_buffers += buffer.name.starts_with("scratch_op");
  EXPECT_EQ(scratch_buffers, 4);
}

TEST(EmitOps, Int8LstmRunsTheFastKernelForSpeed) {
  Graph g = lstm_graph();
  const std::string speed = generated_source(g.model(), "lstm_speed");
  EXPECT_NE(speed.find("lstm_int8_fast("), std::string::npos);
  EXPECT_NE(speed.find("lstm_float("), std::string::npos);
  compiler::CompileOptions portable;
  portable.name = "lstm_portable";
  portable.portable_kernels = true;
  const std::string reference =
      compiler::compile_model(g.model(), portable).files.at("lstm_portable.cpp");
  EXPECT_EQ(reference.find("lstm_int8_fast("), std::string::npos);
  EXPECT_NE(reference.find("lstm_int8("), std::string::npos);
  // The memory mode keeps the weights as stored, so not the fast kernel's widened copy.
  compiler::CompileOptions memory;
  memory.name = "lstm_memory";
  memory.optimize_memory = true;
  const std::string small = compiler::compile_model(g.model(), memory).files.at("lstm_memory.cpp");
  EXPECT_EQ(small.find("lstm_int8_fast("), std::string::npos);
  EXPECT_NE(small.find("lstm_int8("), std::string::npos);
}

TEST(EmitOps, UnsupportedLstmNamesTheOperator) {
  Graph g(5);
  add_lstm(g, "lstm", g.input({1, 2, 3}, DType::kInt8, 1.0f / 64, 0), 2, true, false, 0.0f);
  ir::Model model = g.model();
  model.operators[0].inputs[1] = ir::kNoTensor;  // CIFG: no input gate
  const std::string message = compile_error(model);
  EXPECT_NE(message.find("UNIDIRECTIONAL_SEQUENCE_LSTM"), std::string::npos) << message;
  EXPECT_NE(message.find("CIFG"), std::string::npos) << message;
}

TEST(EmitOps, UnsupportedTypesNameOperatorAndType) {
  Graph g(5);
  const int32_t in = g.input({4}, DType::kInt32);
  g.op("relu int32", OpType::kRelu, {in}, {g.activation({4}, DType::kInt32)});
  const std::string message = compile_error(g.model());
  EXPECT_NE(message.find("RELU"), std::string::npos) << message;
  EXPECT_NE(message.find("int32"), std::string::npos) << message;
}

// ---- convolution family (emitters by the lead; covered here with the other op types) ----

Graph conv_family_graph() {
  Graph g(37);
  const float in_scale = 0.05f;
  const int32_t x8 = g.input({1, 6, 6, 3}, DType::kInt8, in_scale, -4);
  const int32_t xf = g.input({1, 6, 6, 3}, DType::kFloat32);
  const std::vector<float> filter_scales = {0.01f, 0.02f, 0.015f, 0.012f};
  std::vector<float> bias_scales;
  for (float s : filter_scales) bias_scales.push_back(s * in_scale);

  ir::Conv2DOptions conv;
  conv.padding = ir::Padding::kSame;
  conv.stride_h = 2;
  conv.activation = ir::Activation::kRelu;
  const int32_t w8 =
      g.random_constant({4, 3, 3, 3}, DType::kInt8, -127, 127, {filter_scales, {0, 0, 0, 0}, 0});
  const int32_t b32 =
      g.random_constant({4}, DType::kInt32, -2000, 2000, {bias_scales, {0, 0, 0, 0}, 0});
  g.op("conv2d int8", OpType::kConv2D, {x8, w8, b32},
       {g.activation({1, 3, 6, 4}, DType::kInt8, 0.1f, 2)}, conv);
  const int32_t wf = g.random_constant({4, 3, 3, 3}, DType::kFloat32, -1, 1);
  const int32_t bf = g.random_constant({4}, DType::kFloat32, -1, 1);
  g.op("conv2d float", OpType::kConv2D, {xf, wf, bf}, {g.activation({1, 3, 6, 4}, DType::kFloat32)},
       conv);

  ir::DepthwiseConv2DOptions dw;
  dw.padding = ir::Padding::kValid;
  dw.depth_multiplier = 2;
  dw.activation = ir::Activation::kRelu6;
  const std::vector<float> dw_scales = {0.01f, 0.02f, 0.015f, 0.012f, 0.03f, 0.011f};
  std::vector<float> dw_bias_scales;
  for (float s : dw_scales) dw_bias_scales.push_back(s * in_scale);
  const std::vector<int64_t> zeros6(6, 0);
  const int32_t dw8 =
      g.random_constant({1, 3, 3, 6}, DType::kInt8, -127, 127, {dw_scales, zeros6, 3});
  const int32_t dwb =
      g.random_constant({6}, DType::kInt32, -2000, 2000, {dw_bias_scales, zeros6, 0});
  g.op("depthwise int8", OpType::kDepthwiseConv2D, {x8, dw8, dwb},
       {g.activation({1, 4, 4, 6}, DType::kInt8, 0.08f, -1)}, dw);
  const int32_t dwf = g.random_constant({1, 3, 3, 6}, DType::kFloat32, -1, 1);
  g.op("depthwise float without bias", OpType::kDepthwiseConv2D, {xf, dwf, ir::kNoTensor},
       {g.activation({1, 4, 4, 6}, DType::kFloat32)}, dw);

  const int32_t fc_w8 = g.random_constant({5, 108}, DType::kInt8, -127, 127, per_tensor(0.004f));
  const int32_t fc_b8 =
      g.random_constant({5}, DType::kInt32, -3000, 3000, per_tensor(0.004f * in_scale));
  g.op("fully_connected int8", OpType::kFullyConnected, {x8, fc_w8, fc_b8},
       {g.activation({1, 5}, DType::kInt8, 0.2f, 0)}, ir::FullyConnectedOptions{});
  const int32_t fc_wf = g.random_constant({5, 108}, DType::kFloat32, -0.2, 0.2);
  g.op("fully_connected float", OpType::kFullyConnected, {xf, fc_wf, ir::kNoTensor},
       {g.activation({1, 5}, DType::kFloat32)}, ir::FullyConnectedOptions{});

  ir::Pool2DOptions pool;
  pool.padding = ir::Padding::kSame;
  pool.stride_h = pool.stride_w = 2;
  pool.filter_h = pool.filter_w = 3;
  g.op("average_pool int8", OpType::kAveragePool2D, {x8},
       {g.activation({1, 3, 3, 3}, DType::kInt8, in_scale, -4)}, pool);
  g.op("max_pool int8", OpType::kMaxPool2D, {x8},
       {g.activation({1, 3, 3, 3}, DType::kInt8, in_scale, -4)}, pool);
  g.op("average_pool float", OpType::kAveragePool2D, {xf},
       {g.activation({1, 3, 3, 3}, DType::kFloat32)}, pool);
  g.op("max_pool float", OpType::kMaxPool2D, {xf}, {g.activation({1, 3, 3, 3}, DType::kFloat32)},
       pool);
  return g;
}

TEST(EmitOps, ConvFamilyMatchesExecutor) {
  Graph g = conv_family_graph();
  expect_generated_code_matches_executor(g, "conv_ops");
}

TEST(EmitOps, SingleChannelDepthwiseAndFullyConnectedRunFastKernels) {
  // The compiler runs the depthwise layer with the fast convolution kernel and the fully
  // connected one with its own DSP kernel (op_emitter.h); the generated code must still match
  // the executor's portable kernels bit for bit.
  Graph g(41);
  const float in_scale = 0.04f;
  const int32_t x1 = g.input({1, 7, 6, 1}, DType::kInt8, in_scale, 5);
  ir::DepthwiseConv2DOptions dw;
  dw.padding = ir::Padding::kSame;
  dw.stride_w = 2;
  dw.depth_multiplier = 5;
  const std::vector<float> dw_scales = {0.01f, 0.02f, 0.015f, 0.012f, 0.03f};
  std::vector<float> dw_bias_scales;
  for (float s : dw_scales) dw_bias_scales.push_back(s * in_scale);
  const std::vector<int64_t> zeros5(5, 0);
  const int32_t dw8 =
      g.random_constant({1, 3, 2, 5}, DType::kInt8, -127, 127, {dw_scales, zeros5, 3});
  const int32_t dwb =
      g.random_constant({5}, DType::kInt32, -2000, 2000, {dw_bias_scales, zeros5, 0});
  g.op("depthwise of one channel", OpType::kDepthwiseConv2D, {x1, dw8, dwb},
       {g.activation({1, 7, 3, 5}, DType::kInt8, 0.06f, -3)}, dw);

  const int32_t x8 = g.input({2, 96}, DType::kInt8, in_scale, -9);
  const int32_t fc_w8 = g.random_constant({90, 96}, DType::kInt8, -127, 127, per_tensor(0.003f));
  const int32_t fc_b8 =
      g.random_constant({90}, DType::kInt32, -3000, 3000, per_tensor(0.003f * in_scale));
  ir::FullyConnectedOptions relu;
  relu.activation = ir::Activation::kRelu;
  g.op("fully_connected over two batches", OpType::kFullyConnected, {x8, fc_w8, fc_b8},
       {g.activation({2, 90}, DType::kInt8, 0.15f, -20)}, relu);

  EXPECT_TRUE(compiler::depthwise_runs_as_conv(g.model(), g.model().operators[0]));
  EXPECT_TRUE(compiler::fully_connected_runs_fast(g.model(), g.model().operators[1]));
  const std::string source = generated_source(g.model(), "as_conv");
  EXPECT_NE(source.find("conv2d_int8_fast_packed("), std::string::npos);
  // --opt-speed widens the fully connected filter to 16 bits as well.
  EXPECT_NE(source.find("fully_connected_int8_fast_wide("), std::string::npos);
  EXPECT_EQ(source.find("fully_connected_int8("), std::string::npos);
  // --opt-memory keeps the weights as stored: no filter is widened to 16 bits.
  const std::string memory_source = generated_source(g.model(), "as_conv", true);
  EXPECT_EQ(memory_source.find("packed"), std::string::npos);
  EXPECT_EQ(memory_source.find("_wide("), std::string::npos);
  expect_generated_code_matches_executor(g, "as_conv_ops");
}

TEST(EmitOps, OneInputFullyConnectedRunsAsATableInSpeedMode) {
  // Layers with one input value per row (runtime/fully_connected_lookup.h): per-tensor with a
  // filter zero point and a ReLU over three batches, and per-channel. A wider one whose table
  // would pass kMaxLookupTableBytes keeps the wide kernel. Both modes must match the executor.
  Graph g(71);
  const float in_scale = 0.05f;
  const int32_t x = g.input({3, 1}, DType::kInt8, in_scale, -4);
  const int32_t w = g.random_constant({16, 1}, DType::kInt8, -120, 120, per_tensor(0.01f, 3));
  const int32_t b = g.random_constant({16}, DType::kInt32, -500, 500, per_tensor(0.01f * in_scale));
  ir::FullyConnectedOptions relu;
  relu.activation = ir::Activation::kRelu;
  g.op("one input, per-tensor", OpType::kFullyConnected, {x, w, b},
       {g.activation({3, 16}, DType::kInt8, 0.03f, -128)}, relu);
  std::vector<float> scales;
  for (int i = 0; i < 5; ++i) scales.push_back(0.004f + 0.002f * static_cast<float>(i));
  const int32_t w_channel =
      g.random_constant({5, 1}, DType::kInt8, -127, 127, {scales, std::vector<int64_t>(5, 0), 0});
  g.op("one input, per-channel", OpType::kFullyConnected, {x, w_channel, ir::kNoTensor},
       {g.activation({3, 5}, DType::kInt8, 0.01f, 6)}, ir::FullyConnectedOptions{});
  const int32_t w_wide = g.random_constant({80, 1}, DType::kInt8, -127, 127, per_tensor(0.01f));
  g.op("one input, wide", OpType::kFullyConnected, {x, w_wide, ir::kNoTensor},
       {g.activation({3, 80}, DType::kInt8, 0.02f, 0)}, ir::FullyConnectedOptions{});

  const ir::Model& m = g.model();
  EXPECT_TRUE(compiler::fully_connected_runs_as_lookup(m, m.operators[0]));
  EXPECT_TRUE(compiler::fully_connected_runs_as_lookup(m, m.operators[1]));
  EXPECT_FALSE(compiler::fully_connected_runs_as_lookup(m, m.operators[2]));  // 20 KiB table
  const std::string source = generated_source(m, "lookup");
  size_t tables = 0;
  for (size_t at = source.find("fully_connected_int8_lookup("); at != std::string::npos;
       at = source.find("fully_connected_int8_lookup(", at + 1))
    ++tables;
  EXPECT_EQ(tables, 2u);
  EXPECT_NE(source.find("fully_connected_int8_fast_wide("), std::string::npos);
  EXPECT_EQ(generated_source(m, "lookup", true).find("_lookup("), std::string::npos);
  expect_generated_code_matches_executor(g, "lookup_ops");
}

TEST(EmitOps, FullyConnectedFastKernelCoversItsVariants) {
  // The DSP kernel (runtime/fully_connected_fast.h) over three batches, with a depth and output
  // counts that are not multiples of four: per-channel weights, a filter zero point, and an
  // output scale small enough for a left shift, outside the requantization table (the kernel's
  // reference output step). The generated code must match the executor bit for bit.
  Graph g(67);
  const float in_scale = 0.05f;
  const int32_t x = g.input({3, 37}, DType::kInt8, in_scale, 7);
  std::vector<float> scales, bias_scales;
  for (int i = 0; i < 10; ++i) {
    scales.push_back(0.002f + 0.0003f * static_cast<float>(i));
    bias_scales.push_back(scales.back() * in_scale);
  }
  const std::vector<int64_t> zeros10(10, 0);
  const int32_t w_channel =
      g.random_constant({10, 37}, DType::kInt8, -127, 127, {scales, zeros10, 0});
  const int32_t b_channel =
      g.random_constant({10}, DType::kInt32, -3000, 3000, {bias_scales, zeros10, 0});
  ir::FullyConnectedOptions relu;
  relu.activation = ir::Activation::kRelu;
  g.op("per-channel fully connected", OpType::kFullyConnected, {x, w_channel, b_channel},
       {g.activation({3, 10}, DType::kInt8, 0.02f, 3)}, relu);
  const int32_t w_offset =
      g.random_constant({6, 37}, DType::kInt8, -120, 120, per_tensor(0.003f, 5));
  g.op("filter zero point", OpType::kFullyConnected, {x, w_offset, ir::kNoTensor},
       {g.activation({3, 6}, DType::kInt8, 0.04f, -10)}, ir::FullyConnectedOptions{});
  const int32_t w_small = g.random_constant({5, 37}, DType::kInt8, -3, 3, per_tensor(0.01f));
  g.op("left shift", OpType::kFullyConnected, {x, w_small, ir::kNoTensor},
       {g.activation({3, 5}, DType::kInt8, 0.0002f, 0)}, ir::FullyConnectedOptions{});

  for (size_t k = 0; k < 3; ++k)
    EXPECT_TRUE(compiler::fully_connected_runs_fast(g.model(), g.model().operators[k])) << k;
  const std::string source = generated_source(g.model(), "fc_fast");
  EXPECT_EQ(source.find("fully_connected_int8("), std::string::npos);
  EXPECT_NE(source.find("op0_requant[10]"), std::string::npos);  // a table entry per channel
  EXPECT_NE(source.find("op1_requant[1]"), std::string::npos);
  EXPECT_NE(source.find("op2_multiplier"), std::string::npos);  // no table: the reference step
  EXPECT_EQ(source.find("op2_requant"), std::string::npos);
  // --opt-speed: the two layers with a table take the 16-bit filter kernel (its plan made at
  // compile time), the third the int8 one with the reference step.
  EXPECT_NE(source.find("op0_plan"), std::string::npos);
  EXPECT_NE(source.find("op1_plan"), std::string::npos);
  EXPECT_EQ(source.find("op2_plan"), std::string::npos);
  EXPECT_NE(source.find("fully_connected_int8_fast(op2_params"), std::string::npos);
  expect_generated_code_matches_executor(g, "fc_fast_ops");
}

// ---- arithmetic family ----

Graph arithmetic_family_graph() {
  Graph g(53);
  const int32_t a8 = g.input({2, 3, 4}, DType::kInt8, 0.05f, -7);
  const int32_t b8 = g.input({1, 3, 1}, DType::kInt8, 0.08f, 12);
  const int32_t af = g.input({2, 3, 4}, DType::kFloat32);
  const int32_t bf = g.input({4}, DType::kFloat32);
  const int32_t a16 = g.input({3, 5}, DType::kInt16, 0.0004f, 0);
  const int32_t u8 = g.input({3, 5}, DType::kUInt8, 0.02f, 128);
  const std::vector<int32_t> shape = {2, 3, 4};

  // Binary operators: broadcast operands, a fused activation, and a same-shape pair.
  const ir::ElementwiseOptions relu{ir::Activation::kRelu};
  const ir::ElementwiseOptions none{ir::Activation::kNone};
  g.op("add int8 broadcast relu", OpType::kAdd, {a8, b8},
       {g.activation(shape, DType::kInt8, 0.1f, -20)}, relu);
  g.op("add float broadcast", OpType::kAdd, {af, bf}, {g.activation(shape, DType::kFloat32)}, none);
  g.op("sub int8 broadcast", OpType::kSub, {b8, a8}, {g.activation(shape, DType::kInt8, 0.12f, 3)},
       none);
  g.op("sub float broadcast relu", OpType::kSub, {af, bf}, {g.activation(shape, DType::kFloat32)},
       relu);
  g.op("mul int8 broadcast", OpType::kMul, {a8, b8}, {g.activation(shape, DType::kInt8, 0.05f, 1)},
       ir::ElementwiseOptions{ir::Activation::kRelu6});
  g.op("mul float broadcast", OpType::kMul, {bf, af}, {g.activation(shape, DType::kFloat32)}, none);
  const int32_t k8 = g.random_constant({4}, DType::kInt8, -128, 127, per_tensor(0.03f, 4));
  g.op("add int8 with a constant", OpType::kAdd, {a8, k8},
       {g.activation(shape, DType::kInt8, 0.07f, 0)}, none);
  // Same shapes: the flat DSP loop of runtime/add_fast.h in speed mode.
  const int32_t c8 = g.input(shape, DType::kInt8, 0.04f, 9);
  g.op("add int8 same shape relu", OpType::kAdd, {a8, c8},
       {g.activation(shape, DType::kInt8, 0.09f, -5)}, relu);

  // Softmax and the saturating activations.
  g.op("softmax int8", OpType::kSoftmax, {a8},
       {g.activation(shape, DType::kInt8, 1.0f / 256, -128)}, ir::SoftmaxOptions{1.0f});
  g.op("softmax int8 to int16", OpType::kSoftmax, {a8},
       {g.activation(shape, DType::kInt16, 1.0f / 65536, -32768)}, ir::SoftmaxOptions{0.7f});
  g.op("softmax float", OpType::kSoftmax, {af}, {g.activation(shape, DType::kFloat32)},
       ir::SoftmaxOptions{1.3f});
  g.op("logistic int8", OpType::kLogistic, {a8},
       {g.activation(shape, DType::kInt8, 1.0f / 256, -128)});
  g.op("logistic float", OpType::kLogistic, {af}, {g.activation(shape, DType::kFloat32)});
  g.op("tanh int8", OpType::kTanh, {a8}, {g.activation(shape, DType::kInt8, 1.0f / 128, 0)});
  g.op("tanh float", OpType::kTanh, {af}, {g.activation(shape, DType::kFloat32)});
  g.op("leaky_relu int8", OpType::kLeakyRelu, {a8}, {g.activation(shape, DType::kInt8, 0.04f, -30)},
       ir::LeakyReluOptions{0.3f});
  g.op("leaky_relu int16", OpType::kLeakyRelu, {a16},
       {g.activation({3, 5}, DType::kInt16, 0.0003f, 0)}, ir::LeakyReluOptions{-0.4f});
  g.op("leaky_relu float", OpType::kLeakyRelu, {af}, {g.activation(shape, DType::kFloat32)},
       ir::LeakyReluOptions{0.1f});

  // QUANTIZE in every supported direction, DEQUANTIZE from every integer type.
  g.op("quantize float to int8", OpType::kQuantize, {af},
       {g.activation(shape, DType::kInt8, 0.03f, 5)});
  g.op("quantize float to int16", OpType::kQuantize, {af},
       {g.activation(shape, DType::kInt16, 0.0002f, 0)});
  g.op("requantize int8 to int8", OpType::kQuantize, {a8},
       {g.activation(shape, DType::kInt8, 0.07f, 9)});
  g.op("requantize int8 to int16", OpType::kQuantize, {a8},
       {g.activation(shape, DType::kInt16, 0.0005f, 0)});
  g.op("requantize int8 to uint8", OpType::kQuantize, {a8},
       {g.activation(shape, DType::kUInt8, 0.05f, 121)});
  g.op("requantize int16 to int8", OpType::kQuantize, {a16},
       {g.activation({3, 5}, DType::kInt8, 0.1f, -2)});
  g.op("requantize int16 to int16", OpType::kQuantize, {a16},
       {g.activation({3, 5}, DType::kInt16, 0.0009f, 0)});
  g.op("requantize uint8 to int8", OpType::kQuantize, {u8},
       {g.activation({3, 5}, DType::kInt8, 0.02f, 0)});
  g.op("dequantize int8", OpType::kDequantize, {a8}, {g.activation(shape, DType::kFloat32)});
  g.op("dequantize int16", OpType::kDequantize, {a16}, {g.activation({3, 5}, DType::kFloat32)});
  g.op("dequantize uint8", OpType::kDequantize, {u8}, {g.activation({3, 5}, DType::kFloat32)});

  // Chains whose second operator may run in place over its input (the planner allows it for
  // elementwise operators reading a buffer for the last time).
  const int32_t sum8 = g.activation(shape, DType::kInt8, 0.1f, 0);
  g.op("add int8 feeding logistic", OpType::kAdd, {a8, b8}, {sum8}, none, false);
  g.op("logistic int8 in place", OpType::kLogistic, {sum8},
       {g.activation(shape, DType::kInt8, 1.0f / 256, -128)});
  const int32_t productf = g.activation(shape, DType::kFloat32);
  g.op("mul float feeding tanh", OpType::kMul, {af, af}, {productf}, none, false);
  g.op("tanh float in place", OpType::kTanh, {productf}, {g.activation(shape, DType::kFloat32)});

  // MEAN: same quantization (integer divide), requantized, float, with and without kept axes.
  g.op("mean int8 same quantization", OpType::kMean, {a8, g.indices({1, 2})},
       {g.activation({2, 1, 1}, DType::kInt8, 0.05f, -7)}, ir::ReducerOptions{true});
  g.op("mean int8 rescaled", OpType::kMean, {a8, g.indices({-2})},
       {g.activation({2, 4}, DType::kInt8, 0.03f, 2)}, ir::ReducerOptions{false});
  g.op("mean float", OpType::kMean, {af, g.indices({0, 2})},
       {g.activation({1, 3, 1}, DType::kFloat32)}, ir::ReducerOptions{true});
  return g;
}

TEST(EmitOps, ArithmeticFamilyMatchesExecutor) {
  Graph g = arithmetic_family_graph();
  // Speed mode's int8 ADD is the DSP variant (which keeps broadcasts on the reference loop).
  EXPECT_NE(generated_source(g.model(), "arith_ops").find("add_int8_fast("), std::string::npos);
  EXPECT_EQ(generated_source(g.model(), "arith_ops", true).find("add_int8_fast("),
            std::string::npos);
  expect_generated_code_matches_executor(g, "arith_ops");
}

TEST(EmitOps, UnsupportedQuantizeNamesTypes) {
  Graph g(5);
  const int32_t in = g.input({4}, DType::kUInt8, 0.1f, 128);
  g.op("requantize uint8 to int16", OpType::kQuantize, {in},
       {g.activation({4}, DType::kInt16, 0.001f, 0)});
  const std::string message = compile_error(g.model());
  EXPECT_NE(message.find("QUANTIZE"), std::string::npos) << message;
  EXPECT_NE(message.find("uint8"), std::string::npos) << message;
  EXPECT_NE(message.find("int16"), std::string::npos) << message;
}

// ---- patch-based execution (compiler/patch_stage.h) ----

namespace patch {

ir::Conv2DOptions conv_options(int32_t stride, ir::Padding padding) {
  ir::Conv2DOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  return o;
}

// A chain whose first tensors are far larger than its input and output, the case patch-based
// execution is for: conv 3x3 (SAME) widening 2 channels to 16, a stride-2 depthwise, a 3x3
// stride-2 pool with SAME padding (edge windows average fewer values), a 1x1 conv.
Graph wide_chain(DType dtype, bool max_pool) {
  Graph g(dtype == DType::kInt8 ? 71 : 72);
  const bool q = dtype == DType::kInt8;
  const float in_scale = 0.05f;
  auto quant = [&](size_t n, float s, int32_t axis) {
    return q ? ir::Quantization{std::vector<float>(n, s), std::vector<int64_t>(n, 0), axis}
             : ir::Quantization{};
  };
  auto act = [&](std::vector<int32_t> shape, float scale, int64_t zp) {
    return q ? g.activation(std::move(shape), dtype, scale, zp)
             : g.activation(std::move(shape), dtype);
  };
  auto bias = [&](int32_t n, float scale) {
    return g.random_constant({n}, q ? DType::kInt32 : dtype, q ? -900 : -1, q ? 900 : 1,
                             quant(static_cast<size_t>(n), scale, 0));
  };
  const double lo = q ? -127 : -1, hi = q ? 127 : 1;
  const int32_t x = q ? g.input({1, 48, 8, 2}, dtype, in_scale, -3) : g.input({1, 48, 8, 2}, dtype);
  const int32_t t0 = act({1, 48, 8, 16}, 0.08f, -5);
  ir::Conv2DOptions c0 = conv_options(1, ir::Padding::kSame);
  c0.activation = ir::Activation::kRelu;
  g.op("conv widening", OpType::kConv2D,
       {x, g.random_constant({16, 3, 3, 2}, dtype, lo, hi, quant(16, 0.01f, 0)),
        bias(16, 0.01f * in_scale)},
       {t0}, c0, false);

  ir::DepthwiseConv2DOptions dw;
  dw.padding = ir::Padding::kSame;
  dw.stride_h = dw.stride_w = 2;
  dw.activation = ir::Activation::kRelu6;
  const int32_t t1 = act({1, 24, 4, 16}, 0.07f, 4);
  g.op("depthwise", OpType::kDepthwiseConv2D,
       {t0, g.random_constant({1, 3, 3, 16}, dtype, lo, hi, quant(16, 0.02f, 3)),
        bias(16, 0.02f * 0.08f)},
       {t1}, dw, false);

  ir::Pool2DOptions pool;
  pool.padding = ir::Padding::kSame;
  pool.stride_h = pool.stride_w = 2;
  pool.filter_h = pool.filter_w = 3;
  const int32_t t2 = act({1, 12, 2, 16}, 0.07f, 4);
  g.op("pool", max_pool ? OpType::kMaxPool2D : OpType::kAveragePool2D, {t1}, {t2}, pool, false);

  g.op("conv 1x1", OpType::kConv2D,
       {t2, g.random_constant({6, 1, 1, 16}, dtype, lo, hi, quant(6, 0.01f, 0)),
        bias(6, 0.01f * 0.07f)},
       {act({1, 12, 2, 6}, 0.2f, 1)}, conv_options(1, ir::Padding::kValid));
  return g;
}

void expect_patched_and_exact(Graph& g, const std::string& name) {
  compiler::CompileOptions options;
  options.name = name;
  const compiler::CompiledModel patched = compiler::compile_model(g.model(), options);
  options.patches = false;
  const compiler::CompiledModel whole = compiler::compile_model(g.model(), options);
  EXPECT_TRUE(patched.patch_stage) << "expected a patch stage for " << name;
  std::cout << "[ NOTE ] " << name << ": " << patched.patch_stage_description << ", arena "
            << patched.arena_bytes << " bytes instead of " << whole.arena_bytes << "\n";
  EXPECT_FALSE(whole.patch_stage);
  EXPECT_LT(patched.arena_bytes, whole.arena_bytes);
  EXPECT_NE(patched.files.at(name + ".cpp").find("for (int band = 0;"), std::string::npos);
  // Both plans pass the overlap checker (compile_model runs it; run it again here).
  EXPECT_NO_THROW(
      compiler::check_plan(patched.buffers.buffers, patched.buffers.overlaps, patched.plan));
  // --opt-memory (with the stage) and --opt-speed both equal the executor bit for bit.
  expect_generated_code_matches_executor(g, name);
}

// conv 3x3 stride 1 SAME (8 rows -> 8, one padding row on top), then conv 3x3 stride 2 SAME
// (8 -> 4; TFLite puts its single padding row at the bottom). Returns the tensor between them.
int32_t two_convolutions(Graph& g) {
  const int32_t x = g.input({1, 8, 4, 1}, DType::kFloat32);
  const int32_t t0 = g.activation({1, 8, 4, 3}, DType::kFloat32);
  g.op("a", OpType::kConv2D, {x, g.random_constant({3, 3, 3, 1}, DType::kFloat32, -1, 1), -1}, {t0},
       patch::conv_options(1, ir::Padding::kSame), false);
  g.op("b", OpType::kConv2D, {t0, g.random_constant({2, 3, 3, 3}, DType::kFloat32, -1, 1), -1},
       {g.activation({1, 4, 2, 2}, DType::kFloat32)}, patch::conv_options(2, ir::Padding::kSame));
  return t0;
}

}  // namespace patch

TEST(PatchStage, BandGeometryByHand) {
  Graph g(5);
  patch::two_convolutions(g);
  const auto stage = compiler::make_patch_stage(g.model(), 0, 1, 1);
  ASSERT_TRUE(stage.has_value());
  ASSERT_EQ(stage->steps.size(), 4u);
  auto expect_step = [](const compiler::BandStep& s, int in_row, int in_rows, int pad_top,
                        int out_row, int out_rows) {
    EXPECT_EQ(s.in_row, in_row);
    EXPECT_EQ(s.in_rows, in_rows);
    EXPECT_EQ(s.pad_top, pad_top);
    EXPECT_EQ(s.out_row, out_row);
    EXPECT_EQ(s.out_rows, out_rows);
  };
  // Output row a of the second conv reads rows 2a..2a+2 of t0 (clipped at 8); those read rows
  // 2a-1..2a+3 of x, where row -1 is padding.
  expect_step(stage->steps[0][1], 0, 3, 0, 0, 1);
  expect_step(stage->steps[0][0], 0, 4, 1, 0, 3);
  expect_step(stage->steps[1][1], 2, 3, 0, 1, 1);
  expect_step(stage->steps[1][0], 1, 5, 0, 2, 3);
  expect_step(stage->steps[3][1], 6, 2, 0, 3, 1);
  expect_step(stage->steps[3][0], 5, 3, 0, 6, 2);
  EXPECT_EQ(stage->max_rows[0], 3);
  EXPECT_EQ(compiler::band_buffer_bytes(*stage, 0), 3 * 4 * 3 * 4);
  // The first conv computes 3 + 3 + 3 + 2 = 11 rows instead of 8.
  const int64_t first_macs = 8 * 4 * 3 * 9;
  EXPECT_EQ(stage->extra_macs, first_macs * 3 / 8);
  // One band covering everything saves nothing; a branch is not a chain.
  EXPECT_FALSE(compiler::make_patch_stage(g.model(), 0, 1, 4).has_value());
  EXPECT_FALSE(compiler::make_patch_stage(g.model(), 0, 0, 1).has_value());
}

TEST(PatchStage, ChainOutputReadTwiceIsNotPatched) {
  Graph g(6);
  const int32_t t0 = patch::two_convolutions(g);
  g.op("c", OpType::kRelu, {t0}, {g.activation({1, 8, 4, 3}, DType::kFloat32)});
  EXPECT_FALSE(compiler::make_patch_stage(g.model(), 0, 1, 1).has_value());
}

TEST(PatchStage, Int8ChainRunsInBandsBitExact) {
  Graph g = patch::wide_chain(DType::kInt8, false);
  patch::expect_patched_and_exact(g, "patch_int8");
}

// The whole chain forced into bands of one row: every operator type, including the pools' edge
// windows, runs on bands.
TEST(PatchStage, ForcedWholeChainIsBitExact) {
  for (DType dtype : {DType::kInt8, DType::kFloat32}) {
    Graph g = patch::wide_chain(dtype, dtype == DType::kFloat32);
    const ir::Model& model = g.model();
    compiler::CompileOptions options;
    options.name = "forced";
    options.force_patch_stage = compiler::CompileOptions::PatchRequest{0, 3, 1};
    const compiler::CompiledModel compiled = compiler::compile_model(model, options);
    ASSERT_TRUE(compiled.patch_stage);
    exec::Executor executor(model);
    const std::vector<std::vector<uint8_t>> inputs = g.random_inputs();
    executor.set_input(0, inputs[0]);
    executor.invoke();
    const fs::path dir = fs::temp_directory_path() / fmt::format("kiln_forced_{}", ::getpid());
    fs::remove_all(dir);
    compiler::write_compiled_model(compiled, dir.string());
    ASSERT_EQ(shell(fmt::format("make -C {} -j2 forced_run", dir.string()), dir / "build.log"), 0)
        << tail_of(dir / "build.log");
    std::ofstream(dir / "in.bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(inputs[0].data()),
               static_cast<std::streamsize>(inputs[0].size()));
    ASSERT_EQ(
        shell(fmt::format("{0}/forced_run {0}/in.bin {0}/out.bin", dir.string()), dir / "run.log"),
        0);
    const std::span<const uint8_t> expected = executor.output(0);
    EXPECT_EQ(testing::read_bytes(dir / "out.bin"),
              std::vector<uint8_t>(expected.begin(), expected.end()))
        << ir::dtype_name(dtype);
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
  }
  Graph g = patch::wide_chain(DType::kInt8, false);
  compiler::CompileOptions options;
  options.force_patch_stage = compiler::CompileOptions::PatchRequest{1, 0, 1};
  EXPECT_THROW(compiler::compile_model(g.model(), options), Error);
}

TEST(PatchStage, FloatChainWithMaxPoolRunsInBandsBitExact) {
  Graph g = patch::wide_chain(DType::kFloat32, true);
  patch::expect_patched_and_exact(g, "patch_float");
}

}  // namespace
}  // namespace kiln
