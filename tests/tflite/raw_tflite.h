// Test helpers that encode and decode TFLite files with FlatBuffers' untyped API, field id by
// field id. They do not use Kiln's schema, so they check its field numbering independently,
// and they can produce files that Kiln's writer would refuse to write.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln::testing {

// vtable slot of field number `id` (fields are numbered by declaration order).
constexpr flatbuffers::voffset_t slot(int id) {
  return static_cast<flatbuffers::voffset_t>(4 + 2 * id);
}

// Field ids of TFLite's schema (tensorflow/lite/schema/schema.fbs), per table.
namespace field {
// Model
constexpr int kModelVersion = 0, kModelOperatorCodes = 1, kModelSubgraphs = 2,
              kModelDescription = 3, kModelBuffers = 4;
// SubGraph
constexpr int kGraphTensors = 0, kGraphInputs = 1, kGraphOutputs = 2, kGraphOperators = 3,
              kGraphName = 4;
// Tensor
constexpr int kTensorShape = 0, kTensorType = 1, kTensorBuffer = 2, kTensorName = 3,
              kTensorQuantization = 4, kTensorIsVariable = 5, kTensorSparsity = 6;
// QuantizationParameters
constexpr int kQuantScale = 2, kQuantZeroPoint = 3, kQuantDetailsType = 4,
              kQuantQuantizedDimension = 6;
// Buffer
constexpr int kBufferData = 0, kBufferOffset = 1, kBufferSize = 2;
// OperatorCode
constexpr int kCodeDeprecatedBuiltin = 0, kCodeCustom = 1, kCodeVersion = 2, kCodeBuiltin = 3;
// Operator
constexpr int kOpOpcodeIndex = 0, kOpInputs = 1, kOpOutputs = 2, kOpOptionsType = 3, kOpOptions = 4,
              kOpIntermediates = 8;
}  // namespace field

// TFLite enum values used by the tests.
namespace tfl {
constexpr int8_t kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kString = 5, kInt16 = 7, kInt8 = 9;
constexpr int32_t kAdd = 0, kFullyConnected = 9, kSoftmax = 25, kSvdf = 27, kCustom = 32,
                  kPlaceholder = 127, kStablehloLogistic = 162;
constexpr uint8_t kOptionsFullyConnected = 8, kOptionsSoftmax = 9, kOptionsConv2D = 1;
}  // namespace tfl

struct RawTensor {
  std::vector<int32_t> shape;
  int8_t type = tfl::kInt8;
  uint32_t buffer = 0;
  std::string name;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
  bool is_variable = false;
  bool sparse = false;  // adds an (empty) sparsity table
  bool custom_quantization = false;
};

struct RawBuffer {
  std::vector<uint8_t> data;
  uint64_t offset = 0, size = 0;  // external data when offset > 1
};

struct RawOperatorCode {
  int8_t deprecated_builtin_code = 0;
  int32_t builtin_code = 0;
  int32_t version = 1;
  std::string custom_code;
};

using RawOptions = std::function<flatbuffers::uoffset_t(flatbuffers::FlatBufferBuilder&)>;

struct RawOperator {
  uint32_t opcode_index = 0;
  std::vector<int32_t> inputs, outputs, intermediates;
  uint8_t options_type = 0;
  RawOptions options;  // builds the options table; may be empty
};

struct RawModel {
  uint32_t version = 3;
  std::vector<RawOperatorCode> codes;
  std::vector<RawTensor> tensors;
  std::vector<RawOperator> operators;
  std::vector<int32_t> inputs, outputs;
  std::vector<RawBuffer> buffers;
  int subgraph_count = 1;  // the same graph repeated
  std::string description;
};

inline RawTensor raw_tensor(std::vector<int32_t> shape, int8_t type, uint32_t buffer,
                            std::string name, std::vector<float> scale = {},
                            std::vector<int64_t> zero_point = {}) {
  RawTensor t;
  t.shape = std::move(shape);
  t.type = type;
  t.buffer = buffer;
  t.name = std::move(name);
  t.scale = std::move(scale);
  t.zero_point = std::move(zero_point);
  return t;
}

inline RawOperator raw_operator(uint32_t opcode_index, std::vector<int32_t> inputs,
                                std::vector<int32_t> outputs) {
  RawOperator op;
  op.opcode_index = opcode_index;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  return op;
}

inline std::vector<uint8_t> encode(const RawModel& m) {
  using flatbuffers::Offset;
  using flatbuffers::Table;
  flatbuffers::FlatBufferBuilder b;

  std::vector<Offset<Table>> buffers;
  for (const RawBuffer& rb : m.buffers) {
    Offset<flatbuffers::Vector<uint8_t>> data = 0;
    if (!rb.data.empty()) {
      b.ForceVectorAlignment(rb.data.size(), 1, 16);
      data = b.CreateVector(rb.data);
    }
    const auto start = b.StartTable();
    if (!data.IsNull()) b.AddOffset(slot(field::kBufferData), data);
    b.AddElement<uint64_t>(slot(field::kBufferOffset), rb.offset, 0);
    b.AddElement<uint64_t>(slot(field::kBufferSize), rb.size, 0);
    buffers.push_back(b.EndTable(start));
  }

  std::vector<Offset<Table>> tensors;
  for (const RawTensor& t : m.tensors) {
    Offset<Table> quant = 0;
    if (!t.scale.empty() || !t.zero_point.empty() || t.custom_quantization) {
      const auto scale = b.CreateVector(t.scale);
      const auto zero_point = b.CreateVector(t.zero_point);
      const auto start = b.StartTable();
      b.AddOffset(slot(field::kQuantScale), scale);
      b.AddOffset(slot(field::kQuantZeroPoint), zero_point);
      if (t.custom_quantization) b.AddElement<uint8_t>(slot(field::kQuantDetailsType), 1, 0);
      b.AddElement<int32_t>(slot(field::kQuantQuantizedDimension), t.quantized_dimension, 0);
      quant = b.EndTable(start);
    }
    Offset<Table> sparsity = 0;
    if (t.sparse) sparsity = b.EndTable(b.StartTable());
    const auto shape = b.CreateVector(t.shape);
    const auto name = b.CreateString(t.name);
    const auto start = b.StartTable();
    b.AddOffset(slot(field::kTensorShape), shape);
    b.AddElement<int8_t>(slot(field::kTensorType), t.type, 0);
    b.AddElement<uint32_t>(slot(field::kTensorBuffer), t.buffer, 0);
    b.AddOffset(slot(field::kTensorName), name);
    if (!quant.IsNull()) b.AddOffset(slot(field::kTensorQuantization), quant);
    b.AddElement<uint8_t>(slot(field::kTensorIsVariable), t.is_variable, 0);
    if (!sparsity.IsNull()) b.AddOffset(slot(field::kTensorSparsity), sparsity);
    tensors.push_back(b.EndTable(start));
  }

  std::vector<Offset<Table>> operators;
  for (const RawOperator& op : m.operators) {
    Offset<Table> options = 0;
    if (op.options) options = op.options(b);
    const auto inputs = b.CreateVector(op.inputs);
    const auto outputs = b.CreateVector(op.outputs);
    const auto intermediates = b.CreateVector(op.intermediates);
    const auto start = b.StartTable();
    b.AddElement<uint32_t>(slot(field::kOpOpcodeIndex), op.opcode_index, 0);
    b.AddOffset(slot(field::kOpInputs), inputs);
    b.AddOffset(slot(field::kOpOutputs), outputs);
    b.AddElement<uint8_t>(slot(field::kOpOptionsType), op.options_type, 0);
    if (!options.IsNull()) b.AddOffset(slot(field::kOpOptions), options);
    b.AddOffset(slot(field::kOpIntermediates), intermediates);
    operators.push_back(b.EndTable(start));
  }

  std::vector<Offset<Table>> codes;
  for (const RawOperatorCode& c : m.codes) {
    Offset<flatbuffers::String> custom = 0;
    if (!c.custom_code.empty()) custom = b.CreateString(c.custom_code);
    const auto start = b.StartTable();
    b.AddElement<int8_t>(slot(field::kCodeDeprecatedBuiltin), c.deprecated_builtin_code, 0);
    if (!custom.IsNull()) b.AddOffset(slot(field::kCodeCustom), custom);
    b.AddElement<int32_t>(slot(field::kCodeVersion), c.version, 1);
    b.AddElement<int32_t>(slot(field::kCodeBuiltin), c.builtin_code, 0);
    codes.push_back(b.EndTable(start));
  }

  const auto tensor_vec = b.CreateVector(tensors);
  const auto op_vec = b.CreateVector(operators);
  const auto inputs = b.CreateVector(m.inputs);
  const auto outputs = b.CreateVector(m.outputs);
  const auto graph_name = b.CreateString("main");
  const auto graph_start = b.StartTable();
  b.AddOffset(slot(field::kGraphTensors), tensor_vec);
  b.AddOffset(slot(field::kGraphInputs), inputs);
  b.AddOffset(slot(field::kGraphOutputs), outputs);
  b.AddOffset(slot(field::kGraphOperators), op_vec);
  b.AddOffset(slot(field::kGraphName), graph_name);
  const Offset<Table> graph = b.EndTable(graph_start);

  const auto graphs = b.CreateVector(std::vector<Offset<Table>>(m.subgraph_count, graph));
  const auto code_vec = b.CreateVector(codes);
  const auto buffer_vec = b.CreateVector(buffers);
  const auto description = b.CreateString(m.description);
  const auto start = b.StartTable();
  b.AddElement<uint32_t>(slot(field::kModelVersion), m.version, 0);
  b.AddOffset(slot(field::kModelOperatorCodes), code_vec);
  b.AddOffset(slot(field::kModelSubgraphs), graphs);
  b.AddOffset(slot(field::kModelDescription), description);
  b.AddOffset(slot(field::kModelBuffers), buffer_vec);
  b.Finish(Offset<Table>(b.EndTable(start)), "TFL3");
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

// Untyped read access to an encoded file.
using RawTable = flatbuffers::Table;
template <typename T>
using RawVector = flatbuffers::Vector<T>;
using RawTables = flatbuffers::Vector<flatbuffers::Offset<RawTable>>;

inline const RawTable& raw_root(const std::vector<uint8_t>& bytes) {
  return *flatbuffers::GetRoot<RawTable>(bytes.data());
}

inline const RawTables* raw_tables(const RawTable& t, int id) {
  return t.GetPointer<const RawTables*>(slot(id));
}

inline const RawTable& raw_graph(const std::vector<uint8_t>& bytes) {
  return *raw_tables(raw_root(bytes), field::kModelSubgraphs)->Get(0);
}

}  // namespace kiln::testing
