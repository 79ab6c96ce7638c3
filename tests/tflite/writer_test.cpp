// The writer: every operator type and option survives a write/read cycle, invalid IR is
// refused, and operator codes are shared per (operator, version).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "tflite/builtin_codes.h"
#include "tflite/raw_tflite.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace kiln::tflite {
namespace {

namespace kt = kiln::testing;
constexpr int kOpTypeCount = static_cast<int>(ir::OpType::kUnidirectionalSequenceLstm) + 1;

// Options with no field at its default value, so a field lost on the way shows up.
ir::OpOptions unusual_options(ir::OpType type) {
  using T = ir::OpType;
  switch (type) {
    case T::kConv2D:
      return ir::Conv2DOptions{ir::Padding::kSame, 2, 3, 4, 5, ir::Activation::kRelu6};
    case T::kDepthwiseConv2D:
      return ir::DepthwiseConv2DOptions{ir::Padding::kSame, 3, 2, 4, 2, 3, ir::Activation::kRelu};
    case T::kAveragePool2D:
    case T::kMaxPool2D:
      return ir::Pool2DOptions{ir::Padding::kSame, 2, 3, 4, 5, ir::Activation::kReluN1To1};
    case T::kFullyConnected:
      return ir::FullyConnectedOptions{ir::Activation::kTanh, true, true};
    case T::kAdd:
    case T::kSub:
    case T::kMul:
      return ir::ElementwiseOptions{ir::Activation::kSignBit};
    case T::kReshape:
      return ir::ReshapeOptions{{1, -1, 7}};
    case T::kSqueeze:
      return ir::SqueezeOptions{{0, 2}};
    case T::kSoftmax:
      return ir::SoftmaxOptions{0.25f};
    case T::kLeakyRelu:
      return ir::LeakyReluOptions{0.125f};
    case T::kMean:
      return ir::ReducerOptions{true};
    case T::kConcatenation:
      return ir::ConcatenationOptions{-1, ir::Activation::kRelu};
    case T::kStridedSlice:
      return ir::StridedSliceOptions{1, 2, 4, 8, 16, true};
    case T::kUnidirectionalSequenceLstm:
      return ir::LstmOptions{ir::Activation::kRelu, 3.5f, 1.5f, true, true, true};
    default:
      return std::monostate{};
  }
}

ir::Tensor tensor(std::string name, std::vector<int32_t> shape, ir::DType dtype) {
  ir::Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.dtype = dtype;
  return t;
}

// One operator of every type, each with its own version, on a few small tensors.
ir::Model every_operator_model() {
  ir::Model m;
  m.description = "every operator";
  ir::Tensor in = tensor("in", {1, 4}, ir::DType::kInt8);
  in.quant = {{0.5f}, {-3}, 0};
  ir::Tensor weights = tensor("w", {2, 4}, ir::DType::kInt8);
  weights.quant = {{0.25f, 0.75f}, {0, 0}, 0};
  weights.data = {1, 2, 3, 4, 0xff, 0xfe, 0x80, 0x7f};
  ir::Tensor bias = tensor("b", {2}, ir::DType::kInt32);
  bias.data = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  ir::Tensor scalar = tensor("", {}, ir::DType::kFloat32);
  scalar.data = {0, 0, 0x80, 0x3f};
  ir::Tensor state = tensor("state", {1, 2}, ir::DType::kInt16);
  state.is_variable = true;
  ir::Tensor out = tensor("out", {1, 2}, ir::DType::kInt8);
  m.tensors = {in, weights, bias, scalar, state, out};
  for (int t = 0; t < kOpTypeCount; ++t) {
    ir::Operator op;
    op.type = static_cast<ir::OpType>(t);
    op.version = 1 + t % 3;
    op.inputs = {0, 1, ir::kNoTensor, 2};
    op.outputs = {5};
    if (op.type == ir::OpType::kUnidirectionalSequenceLstm) op.intermediates = {4, 3};
    op.options = unusual_options(op.type);
    m.operators.push_back(op);
  }
  m.inputs = {0};
  m.outputs = {5};
  return m;
}

TEST(TfliteWriter, EveryOperatorTypeHasATfliteCode) {
  for (int t = 0; t < kOpTypeCount; ++t) {
    const auto type = static_cast<ir::OpType>(t);
    const int32_t code = builtin_code(type);
    EXPECT_EQ(op_type_of_builtin(code), type);
    EXPECT_EQ(builtin_operator_name(code), ir::op_name(type));
  }
}

TEST(TfliteWriter, EveryOperatorAndOptionSurvivesARoundTrip) {
  const ir::Model m = every_operator_model();
  const std::vector<uint8_t> bytes = write_model(m);
  EXPECT_EQ(read_model(bytes), m);
  EXPECT_EQ(write_model(m), bytes);
}

TEST(TfliteWriter, SharesOperatorCodesPerOperatorAndVersion) {
  ir::Model m = every_operator_model();
  m.operators.resize(1);
  m.operators[0].type = ir::OpType::kFullyConnected;
  m.operators[0].version = 1;
  m.operators[0].inputs = {0, 1};
  m.operators[0].outputs = {5};
  m.operators[0].intermediates = {};
  m.operators[0].options = ir::FullyConnectedOptions{};
  m.operators.push_back(m.operators[0]);
  m.operators.push_back(m.operators[0]);
  m.operators[2].version = 9;
  const std::vector<uint8_t> bytes = write_model(m);
  const kt::RawTables* codes = kt::raw_tables(kt::raw_root(bytes), kt::field::kModelOperatorCodes);
  ASSERT_EQ(codes->size(), 2u);
  const kt::RawTables* ops = kt::raw_tables(kt::raw_graph(bytes), kt::field::kGraphOperators);
  std::vector<uint32_t> used;
  for (uint32_t k = 0; k < ops->size(); ++k)
    used.push_back(ops->Get(k)->GetField<uint32_t>(kt::slot(kt::field::kOpOpcodeIndex), 0));
  EXPECT_EQ(used, (std::vector<uint32_t>{0, 0, 1}));
  EXPECT_EQ(codes->Get(1)->GetField<int32_t>(kt::slot(kt::field::kCodeVersion), 1), 9);
  EXPECT_EQ(codes->Get(1)->GetField<int32_t>(kt::slot(kt::field::kCodeBuiltin), 0),
            kt::tfl::kFullyConnected);
  EXPECT_EQ(codes->Get(1)->GetField<int8_t>(kt::slot(kt::field::kCodeDeprecatedBuiltin), 0),
            kt::tfl::kFullyConnected);
  EXPECT_EQ(read_model(bytes), m);
}

TEST(TfliteWriter, RefusesInvalidModels) {
  ir::Model bad_index = every_operator_model();
  bad_index.operators[0].inputs[0] = 42;
  EXPECT_THROW(write_model(bad_index), Error);

  ir::Model bad_size = every_operator_model();
  bad_size.tensors[1].data.pop_back();
  EXPECT_THROW(write_model(bad_size), Error);

  ir::Model wrong_options = every_operator_model();
  for (ir::Operator& op : wrong_options.operators)
    if (op.type == ir::OpType::kConv2D) op.options = ir::Pool2DOptions{};
  try {
    write_model(wrong_options);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CONV_2D"), std::string::npos) << e.what();
  }
}

TEST(TfliteWriter, WritesAndReadsFiles) {
  const auto path = std::filesystem::temp_directory_path() / "kiln_writer_test.tflite";
  const ir::Model m = every_operator_model();
  write_model_file(m, path.string());
  EXPECT_EQ(read_model_file(path.string()), m);
  std::filesystem::remove(path);
  EXPECT_THROW(write_model_file(m, "/nonexistent/kiln/x.tflite"), Error);
}

}  // namespace
}  // namespace kiln::tflite
