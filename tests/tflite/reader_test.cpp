// The reader on small hand-encoded files: every field lands in the IR, and each kind of bad
// file is refused with a message that names the problem.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "tflite/raw_tflite.h"
#include "tflite/reader.h"

namespace kiln::tflite {
namespace {

using kiln::testing::raw_operator;
using kiln::testing::raw_tensor;
using kiln::testing::RawModel;
using kiln::testing::RawOperator;
using kiln::testing::slot;
namespace tfl = kiln::testing::tfl;

std::vector<uint8_t> int32_bytes(std::initializer_list<int32_t> values) {
  std::vector<uint8_t> out;
  for (int32_t v : values)
    for (int k = 0; k < 4; ++k)
      out.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * k)));
  return out;
}

// FULLY_CONNECTED int8: input[1x2] x weights[3x2] (per-channel) + bias[3] -> output[1x3], RELU.
RawModel fully_connected_model() {
  RawModel m;
  m.description = "hand-built";
  m.codes = {{tfl::kFullyConnected, tfl::kFullyConnected, 2, ""}};
  m.buffers = {{}, {{1, 2, 3, 4, 5, 250}}, {int32_bytes({-7, 0, 100000})}};
  m.tensors = {
      raw_tensor({1, 2}, tfl::kInt8, 0, "input", {0.5f}, {-1}),
      raw_tensor({3, 2}, tfl::kInt8, 1, "weights", {0.1f, 0.2f, 0.3f}, {0, 0, 0}),
      raw_tensor({3}, tfl::kInt32, 2, "bias", {0.05f, 0.1f, 0.15f}, {0, 0, 0}),
      raw_tensor({1, 3}, tfl::kInt8, 0, "output", {0.25f}, {2}),
  };
  RawOperator fc = raw_operator(0, {0, 1, 2}, {3});
  fc.options_type = tfl::kOptionsFullyConnected;
  fc.options = [](flatbuffers::FlatBufferBuilder& b) {
    const auto start = b.StartTable();
    b.AddElement<int8_t>(slot(0), 1, 0);   // fused_activation_function = RELU
    b.AddElement<uint8_t>(slot(2), 1, 0);  // keep_num_dims
    return b.EndTable(start);
  };
  m.operators = {fc};
  m.inputs = {0};
  m.outputs = {3};
  return m;
}

ir::Model read(const RawModel& m) {
  const std::vector<uint8_t> bytes = kiln::testing::encode(m);
  return read_model(bytes);
}

// Expects reading `m` to throw kiln::Error whose message contains `expected`.
void expect_refused(const RawModel& m, const std::string& expected) {
  try {
    read(m);
    ADD_FAILURE() << "no error; expected one containing: " << expected;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << expected;
  }
}

TEST(TfliteReader, ReadsEveryFieldOfAHandEncodedModel) {
  const ir::Model m = read(fully_connected_model());
  EXPECT_EQ(m.description, "hand-built");
  ASSERT_EQ(m.tensors.size(), 4u);

  const ir::Tensor& input = m.tensors[0];
  EXPECT_EQ(input.name, "input");
  EXPECT_EQ(input.shape, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(input.dtype, ir::DType::kInt8);
  EXPECT_EQ(input.quant.scale, std::vector<float>{0.5f});
  EXPECT_EQ(input.quant.zero_point, std::vector<int64_t>{-1});
  EXPECT_FALSE(input.is_constant());

  const ir::Tensor& weights = m.tensors[1];
  EXPECT_EQ(weights.data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 250}));
  EXPECT_EQ(weights.quant.scale, (std::vector<float>{0.1f, 0.2f, 0.3f}));
  EXPECT_EQ(weights.quant.axis, 0);

  const ir::Tensor& bias = m.tensors[2];
  EXPECT_EQ(bias.dtype, ir::DType::kInt32);
  EXPECT_EQ(bias.data, int32_bytes({-7, 0, 100000}));

  ASSERT_EQ(m.operators.size(), 1u);
  const ir::Operator& op = m.operators[0];
  EXPECT_EQ(op.type, ir::OpType::kFullyConnected);
  EXPECT_EQ(op.version, 2);
  EXPECT_EQ(op.inputs, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(op.outputs, std::vector<int32_t>{3});
  const auto* fc = std::get_if<ir::FullyConnectedOptions>(&op.options);
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->activation, ir::Activation::kRelu);
  EXPECT_TRUE(fc->keep_num_dims);
  EXPECT_FALSE(fc->asymmetric_quantize_inputs);
  EXPECT_EQ(m.inputs, std::vector<int32_t>{0});
  EXPECT_EQ(m.outputs, std::vector<int32_t>{3});
}

TEST(TfliteReader, AcceptsAbsentOptionalInputsAndVariableTensors) {
  RawModel m = fully_connected_model();
  m.operators[0].inputs = {0, 1, -1};
  m.tensors[3].is_variable = true;
  const ir::Model model = read(m);
  EXPECT_EQ(model.operators[0].inputs, (std::vector<int32_t>{0, 1, ir::kNoTensor}));
  EXPECT_TRUE(model.tensors[3].is_variable);
}

TEST(TfliteReader, EffectiveCodeIsTheLargerOfTheTwoCodeFields) {
  RawModel old_style = fully_connected_model();  // only the one-byte field set
  old_style.codes[0] = {tfl::kFullyConnected, 0, 1, ""};
  EXPECT_EQ(read(old_style).operators[0].type, ir::OpType::kFullyConnected);

  RawModel new_style = fully_connected_model();  // only the wide field set
  new_style.codes[0] = {0, tfl::kFullyConnected, 1, ""};
  EXPECT_EQ(read(new_style).operators[0].type, ir::OpType::kFullyConnected);

  RawModel large = fully_connected_model();  // a code >= 127 behind the placeholder
  large.codes[0] = {tfl::kPlaceholder, tfl::kStablehloLogistic, 1, ""};
  expect_refused(large, "unsupported operator STABLEHLO_LOGISTIC");
}

TEST(TfliteReader, NamesUnsupportedOperators) {
  RawModel svdf = fully_connected_model();
  svdf.codes[0] = {tfl::kSvdf, tfl::kSvdf, 1, ""};
  svdf.operators[0].options_type = 0;
  svdf.operators[0].options = nullptr;
  expect_refused(svdf, "unsupported operator SVDF");

  RawModel unknown = svdf;
  unknown.codes[0] = {0, 4000, 1, ""};
  expect_refused(unknown, "unknown builtin code 4000");

  RawModel custom = svdf;
  custom.codes[0] = {tfl::kCustom, tfl::kCustom, 1, "TFLite_Detection_PostProcess"};
  expect_refused(custom, "unsupported custom operator TFLite_Detection_PostProcess");
}

TEST(TfliteReader, RefusesOutOfRangeIndices) {
  RawModel input = fully_connected_model();
  input.operators[0].inputs = {0, 1, 7};
  expect_refused(input, "tensor index 7 out of range");

  RawModel negative = fully_connected_model();
  negative.operators[0].inputs = {0, 1, -2};
  expect_refused(negative, "tensor index -2 out of range");

  RawModel output = fully_connected_model();
  output.operators[0].outputs = {-1};  // -1 means "absent" only for inputs
  expect_refused(output, "tensor index -1 out of range");

  RawModel graph_output = fully_connected_model();
  graph_output.outputs = {4};
  expect_refused(graph_output, "model outputs: tensor index 4 out of range");

  RawModel intermediate = fully_connected_model();
  intermediate.operators[0].intermediates = {9};
  expect_refused(intermediate, "tensor index 9 out of range");

  RawModel buffer = fully_connected_model();
  buffer.tensors[1].buffer = 3;
  expect_refused(buffer, "buffer index 3 out of range (model has 3 buffers)");

  RawModel opcode = fully_connected_model();
  opcode.operators[0].opcode_index = 1;
  expect_refused(opcode, "opcode index 1 out of range");
}

TEST(TfliteReader, RefusesConstantsWhoseSizeDoesNotMatch) {
  RawModel m = fully_connected_model();
  m.buffers[1].data.pop_back();  // 5 bytes for int8[3x2]
  expect_refused(m, "buffer 1 holds 5 bytes but int8[3x2] needs 6");

  RawModel wide = fully_connected_model();
  wide.tensors[2].shape = {4};  // int32[4] needs 16 bytes, buffer has 12
  wide.tensors[2].scale.push_back(1.0f);
  wide.tensors[2].zero_point.push_back(0);
  expect_refused(wide, "holds 12 bytes but int32[4] needs 16");
}

TEST(TfliteReader, RefusesBadTensors) {
  RawModel negative = fully_connected_model();
  negative.tensors[0].shape = {1, -2};
  expect_refused(negative, "tensor 0 'input': negative dimension -2");

  RawModel huge = fully_connected_model();
  huge.tensors[0].shape = {65536, 65536, 65536};
  expect_refused(huge, "implausibly large");

  RawModel half = fully_connected_model();
  half.tensors[3].type = tfl::kFloat16;
  expect_refused(half, "tensor type FLOAT16 is not supported");

  RawModel string = fully_connected_model();
  string.tensors[3].type = tfl::kString;
  expect_refused(string, "tensor type STRING is not supported");

  RawModel unknown = fully_connected_model();
  unknown.tensors[3].type = 99;
  expect_refused(unknown, "unknown tensor type code 99");

  RawModel sparse = fully_connected_model();
  sparse.tensors[1].sparse = true;
  expect_refused(sparse, "sparse tensors are not supported");
}

TEST(TfliteReader, RefusesInconsistentQuantization) {
  RawModel counts = fully_connected_model();
  counts.tensors[0].zero_point = {-1, 0};
  expect_refused(counts, "1 quantization scales but 2 zero points");

  RawModel per_channel = fully_connected_model();
  per_channel.tensors[1].quantized_dimension = 1;  // dimension 1 has 2 entries, not 3
  expect_refused(per_channel, "3 per-channel scales but dimension 1 of shape [3x2] is 2");

  RawModel axis = fully_connected_model();
  axis.tensors[1].quantized_dimension = 2;
  expect_refused(axis, "quantized dimension 2 out of range");

  RawModel custom = fully_connected_model();
  custom.tensors[0].custom_quantization = true;
  expect_refused(custom, "custom quantization");

  RawModel nan = fully_connected_model();
  nan.tensors[0].scale = {std::numeric_limits<float>::quiet_NaN()};
  expect_refused(nan, "not finite");
}

TEST(TfliteReader, RefusesWrongVersionAndSubgraphCounts) {
  RawModel version = fully_connected_model();
  version.version = 2;
  expect_refused(version, "unsupported TFLite schema version 2");

  RawModel none = fully_connected_model();
  none.subgraph_count = 0;
  expect_refused(none, "model has no subgraphs");

  RawModel two = fully_connected_model();
  two.subgraph_count = 2;
  expect_refused(two, "multi-subgraph models");
}

TEST(TfliteReader, RefusesOptionsOfTheWrongKindOrValue) {
  RawModel kind = fully_connected_model();
  kind.operators[0].options_type = tfl::kOptionsConv2D;
  kind.operators[0].options = [](flatbuffers::FlatBufferBuilder& b) {
    const auto start = b.StartTable();
    b.AddElement<int8_t>(slot(0), 1, 0);  // a valid Conv2DOptions: padding = VALID
    return b.EndTable(start);
  };
  expect_refused(kind, "carries Conv2DOptions instead of FullyConnectedOptions");

  RawModel activation = fully_connected_model();
  activation.operators[0].options = [](flatbuffers::FlatBufferBuilder& b) {
    const auto start = b.StartTable();
    b.AddElement<int8_t>(slot(0), 17, 0);
    return b.EndTable(start);
  };
  expect_refused(activation, "unknown fused activation code 17");

  RawModel shuffled = fully_connected_model();
  shuffled.operators[0].options = [](flatbuffers::FlatBufferBuilder& b) {
    const auto start = b.StartTable();
    b.AddElement<int8_t>(slot(1), 1, 0);  // weights_format = SHUFFLED4x16INT8
    return b.EndTable(start);
  };
  expect_refused(shuffled, "shuffled weights format");
}

TEST(TfliteReader, MissingOptionsMeanAllZeroParametersAsInTflm) {
  RawModel m = fully_connected_model();
  m.operators[0].options_type = 0;
  m.operators[0].options = nullptr;
  const ir::Model model = read(m);
  EXPECT_EQ(std::get<ir::FullyConnectedOptions>(model.operators[0].options),
            ir::FullyConnectedOptions{});
}

TEST(TfliteReader, ReadsExternalBuffersInsideTheFile) {
  // Place the weights after the flatbuffer, as TFLite does for models over 2 GB.
  RawModel m = fully_connected_model();
  const std::vector<uint8_t> weights = m.buffers[1].data;
  // The offset is only known once the file size is: encode with a placeholder first (the size
  // does not depend on the offset's value).
  m.buffers[1] = {{}, 1 << 20, weights.size()};
  m.buffers[1].offset = kiln::testing::encode(m).size();
  std::vector<uint8_t> bytes = kiln::testing::encode(m);
  ASSERT_EQ(bytes.size(), m.buffers[1].offset);
  bytes.insert(bytes.end(), weights.begin(), weights.end());
  EXPECT_EQ(read_model(bytes).tensors[1].data, weights);

  bytes.pop_back();  // now the data runs past the end of the file
  try {
    read_model(bytes);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lies outside the file"), std::string::npos) << e.what();
  }
}

TEST(TfliteReader, RefusesFilesThatAreNotTflite) {
  EXPECT_THROW(read_model(std::vector<uint8_t>{}), Error);
  EXPECT_THROW(read_model(std::vector<uint8_t>{1, 2, 3}), Error);
  std::vector<uint8_t> bytes = kiln::testing::encode(fully_connected_model());
  bytes[7] = '2';
  try {
    read_model(bytes);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("TFL3"), std::string::npos) << e.what();
  }
}

TEST(TfliteReader, ReadsFromAnUnalignedAddress) {
  const std::vector<uint8_t> bytes = kiln::testing::encode(fully_connected_model());
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  EXPECT_EQ(read_model(std::span<const uint8_t>(shifted).subspan(1)), read_model(bytes));
}

TEST(TfliteReader, FileErrorsNameThePath) {
  const std::string missing = "/nonexistent/kiln/model.tflite";
  try {
    read_model_file(missing);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }

  const auto path = std::filesystem::temp_directory_path() / "kiln_reader_test_bad.tflite";
  {
    std::ofstream out(path, std::ios::binary);
    out << "this is not a model";
  }
  try {
    read_model_file(path.string());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ": not a TFLite file", 0), 0u) << message;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kiln::tflite
