#include "tflite/reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "core/error.h"
#include "tflite/builtin_codes.h"
#include "tflite/schema_generated.h"

namespace kiln::tflite {

namespace fb = kiln_tflite;

namespace {

constexpr uint32_t kSchemaVersion = 3;
// flatbuffers::Verifier refuses buffers of FLATBUFFERS_MAX_BUFFER_SIZE bytes or more. Larger
// files keep their constants after the flatbuffer (Buffer.offset), so only a prefix is verified.
constexpr size_t kMaxVerifiedSize = FLATBUFFERS_MAX_BUFFER_SIZE - 1;
// Same bound as ir::validate: no tensor Kiln can run has more elements.
constexpr int64_t kMaxElements = int64_t{1} << 31;
// FlatBuffers reads scalars in place, so the file must sit at an address aligned for the widest
// scalar (int64 zero points, uint64 buffer offsets).
constexpr uintptr_t kFileAlignment = 16;

// A string from the file, as stored (used for names kept in the IR).
std::string text(const flatbuffers::String* s) {
  return s ? std::string(s->c_str(), s->size()) : "";
}

// A string from the file made fit for a one-line message: control bytes replaced, length capped.
std::string printable(std::string_view s) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (char c : s.substr(0, kMaxShown)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (s.size() > kMaxShown) out += "...";
  return out;
}

// A shape for a message, e.g. "int8[1x28x28]"; very long (hostile) shapes are cut short.
std::string shape_text(const std::vector<int32_t>& shape) {
  constexpr size_t kMaxShown = 8;
  if (shape.size() <= kMaxShown) return fmt::format("[{}]", fmt::join(shape, "x"));
  return fmt::format("[{}x... ({} dimensions)]",
                     fmt::join(shape.begin(), shape.begin() + kMaxShown, "x"), shape.size());
}

template <typename T>
size_t size_of(const flatbuffers::Vector<T>* v) {
  return v ? v->size() : 0;
}

std::string options_name(fb::BuiltinOptions type) {
  const char* name = fb::EnumNameBuiltinOptions(type);
  if (name && *name) return name;
  return fmt::format("options type {}", static_cast<int>(type));
}

// A hostile file can point many tensors at one large buffer or one long shape, so the IR could
// grow far beyond the file. Everything copied out of the file is charged against a limit
// proportional to its size; real models stay far below it.
class CopyBudget {
 public:
  explicit CopyBudget(size_t file_size) : left_(file_size * kFactor + kSlack) {}

  void charge(size_t bytes) {
    if (bytes > left_)
      throw Error(fmt::format(
          "implausible model: its tensors and operators would take over {} times the file size",
          kFactor));
    left_ -= bytes;
  }

 private:
  static constexpr size_t kFactor = 16;
  static constexpr size_t kSlack = size_t{1} << 20;
  size_t left_;
};

ir::DType dtype_of(fb::TensorType type, const std::string& where) {
  switch (type) {
    case fb::TensorType::FLOAT32:
      return ir::DType::kFloat32;
    case fb::TensorType::INT8:
      return ir::DType::kInt8;
    case fb::TensorType::UINT8:
      return ir::DType::kUInt8;
    case fb::TensorType::INT16:
      return ir::DType::kInt16;
    case fb::TensorType::INT32:
      return ir::DType::kInt32;
    case fb::TensorType::INT64:
      return ir::DType::kInt64;
    case fb::TensorType::BOOL:
      return ir::DType::kBool;
    default:
      break;
  }
  const char* name = fb::EnumNameTensorType(type);
  if (name && *name) throw Error(fmt::format("{}: tensor type {} is not supported", where, name));
  throw Error(fmt::format("{}: unknown tensor type code {}", where, static_cast<int>(type)));
}

ir::Activation activation_of(fb::ActivationFunctionType a, const std::string& where) {
  switch (a) {
    case fb::ActivationFunctionType::NONE:
      return ir::Activation::kNone;
    case fb::ActivationFunctionType::RELU:
      return ir::Activation::kRelu;
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      return ir::Activation::kReluN1To1;
    case fb::ActivationFunctionType::RELU6:
      return ir::Activation::kRelu6;
    case fb::ActivationFunctionType::TANH:
      return ir::Activation::kTanh;
    case fb::ActivationFunctionType::SIGN_BIT:
      return ir::Activation::kSignBit;
  }
  throw Error(fmt::format("{}: unknown fused activation code {}", where, static_cast<int>(a)));
}

ir::Padding padding_of(fb::Padding p, const std::string& where) {
  switch (p) {
    case fb::Padding::SAME:
      return ir::Padding::kSame;
    case fb::Padding::VALID:
      return ir::Padding::kValid;
  }
  throw Error(fmt::format("{}: unknown padding code {}", where, static_cast<int>(p)));
}

int32_t positive(int32_t value, const char* field, const std::string& where) {
  if (value < 1) throw Error(fmt::format("{}: {} must be at least 1, got {}", where, field, value));
  return value;
}

// The operator's options table when it has one of the expected kind; nullptr when it has none
// (TFLM then runs the operator with all-zero parameters, and so does Kiln).
template <typename Table>
const Table* options_table(const fb::Operator& op, fb::BuiltinOptions expected,
                           const std::string& where) {
  const fb::BuiltinOptions actual = op.builtin_options_type();
  if (actual == fb::BuiltinOptions::NONE) return nullptr;
  if (actual != expected)
    throw Error(fmt::format("{}: carries {} instead of {}", where, options_name(actual),
                            options_name(expected)));
  return static_cast<const Table*>(op.builtin_options());
}

// Like options_table, for operators whose options have no usable all-zero form (strides).
template <typename Table>
const Table& required_options(const fb::Operator& op, fb::BuiltinOptions expected,
                              const std::string& where) {
  const Table* table = options_table<Table>(op, expected, where);
  if (!table) throw Error(fmt::format("{}: missing {}", where, options_name(expected)));
  return *table;
}

struct ResolvedCode {
  ir::OpType type;
  int32_t version;
};

class ModelReader {
 public:
  ModelReader(std::span<const uint8_t> file, const fb::Model& model)
      : file_(file), model_(model), budget_(file.size()) {}

  ir::Model read() {
    if (model_.version() != kSchemaVersion)
      throw Error(fmt::format("unsupported TFLite schema version {} (Kiln reads version {})",
                              model_.version(), kSchemaVersion));
    const size_t subgraphs = size_of(model_.subgraphs());
    if (subgraphs == 0) throw Error("model has no subgraphs");
    if (subgraphs > 1)
      throw Error(fmt::format(
          "model has {} subgraphs; multi-subgraph models (control flow) are not supported",
          subgraphs));
    const fb::SubGraph& graph = *model_.subgraphs()->Get(0);
    tensor_count_ = size_of(graph.tensors());

    // Operator kinds first: on a model Kiln cannot run, the missing operator is the news.
    const size_t op_count = size_of(graph.operators());
    std::vector<ResolvedCode> codes;
    codes.reserve(op_count);
    for (size_t k = 0; k < op_count; ++k)
      codes.push_back(resolve_code(
          graph.operators()->Get(static_cast<flatbuffers::uoffset_t>(k))->opcode_index(), k));

    ir::Model m;
    m.description = text(model_.description());
    budget_.charge(m.description.size());

    budget_.charge(tensor_count_ * sizeof(ir::Tensor));
    m.tensors.reserve(tensor_count_);
    for (size_t i = 0; i < tensor_count_; ++i)
      m.tensors.push_back(
          read_tensor(i, *graph.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i))));

    budget_.charge(op_count * sizeof(ir::Operator));
    m.operators.reserve(op_count);
    for (size_t k = 0; k < op_count; ++k)
      m.operators.push_back(read_operator(
          k, codes[k], *graph.operators()->Get(static_cast<flatbuffers::uoffset_t>(k))));

    m.inputs = indices(graph.inputs(), false, "model inputs");
    m.outputs = indices(graph.outputs(), false, "model outputs");
    return m;
  }

 private:
  // TFLite's rule: old files only set the one-byte code, new files set both (the byte field then
  // holds 127 for large codes), so the effective code is the larger of the two.
  ResolvedCode resolve_code(uint32_t opcode_index, size_t op_index) {
    const size_t count = size_of(model_.operator_codes());
    if (opcode_index >= count)
      throw Error(fmt::format("operator {}: opcode index {} out of range (model has {} codes)",
                              op_index, opcode_index, count));
    const fb::OperatorCode& code = *model_.operator_codes()->Get(opcode_index);
    const int32_t builtin = std::max<int32_t>(code.deprecated_builtin_code(),
                                              static_cast<int32_t>(code.builtin_code()));
    if (builtin == kCustomOperatorCode) {
      const std::string name = code.custom_code() ? printable(text(code.custom_code())) : "";
      throw Error(fmt::format("unsupported custom operator {} (operator {})",
                              name.empty() ? "(unnamed)" : name, op_index));
    }
    const std::optional<ir::OpType> type = op_type_of_builtin(builtin);
    if (!type) {
      const std::string name = builtin_operator_name(builtin);
      if (name.empty())
        throw Error(fmt::format("unsupported operator with unknown builtin code {} (operator {})",
                                builtin, op_index));
      throw Error(fmt::format("unsupported operator {} (operator {})", name, op_index));
    }
    return {*type, code.version()};
  }

  std::vector<int32_t> indices(const flatbuffers::Vector<int32_t>* list, bool allow_absent,
                               const std::string& where) {
    std::vector<int32_t> out;
    if (!list) return out;
    budget_.charge(list->size() * sizeof(int32_t));
    out.reserve(list->size());
    for (int32_t index : *list) {
      const bool absent = allow_absent && index == ir::kNoTensor;
      if (!absent && (index < 0 || static_cast<size_t>(index) >= tensor_count_))
        throw Error(fmt::format("{}: tensor index {} out of range (subgraph has {} tensors)", where,
                                index, tensor_count_));
      out.push_back(index);
    }
    return out;
  }

  // The bytes of buffer `index`: inside the flatbuffer, or (models over 2 GB) at an offset
  // from the start of the file.
  std::span<const uint8_t> buffer_bytes(uint32_t index, const std::string& where) const {
    const size_t count = size_of(model_.buffers());
    if (index >= count)
      throw Error(fmt::format("{}: buffer index {} out of range (model has {} buffers)", where,
                              index, count));
    const fb::Buffer& buffer = *model_.buffers()->Get(index);
    if (buffer.offset() > 1) {
      const uint64_t offset = buffer.offset();
      const uint64_t size = buffer.size();
      if (offset > file_.size() || size > file_.size() - offset)
        throw Error(fmt::format(
            "{}: buffer {} lies outside the file (offset {}, size {}, file has {} bytes)", where,
            index, offset, size, file_.size()));
      return file_.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
    }
    if (!buffer.data()) return {};
    return {buffer.data()->data(), buffer.data()->size()};
  }

  ir::Tensor read_tensor(size_t index, const fb::Tensor& tensor) {
    ir::Tensor t;
    t.name = text(tensor.name());
    budget_.charge(t.name.size());
    const std::string where = fmt::format("tensor {} '{}'", index, printable(t.name));
    if (tensor.sparsity()) throw Error(where + " is sparse; sparse tensors are not supported");
    t.dtype = dtype_of(tensor.type(), where);
    t.is_variable = tensor.is_variable();

    int64_t elements = 1;
    if (const auto* shape = tensor.shape()) {
      budget_.charge(shape->size() * sizeof(int32_t));
      t.shape.reserve(shape->size());
      for (int32_t d : *shape) {
        if (d < 0) throw Error(fmt::format("{}: negative dimension {} in its shape", where, d));
        elements *= d;  // both factors are below 2^31, so no overflow
        if (elements > kMaxElements) throw Error(fmt::format("{}: implausibly large shape", where));
        t.shape.push_back(d);
      }
    }

    read_quantization(tensor, where, t);

    const std::span<const uint8_t> bytes = buffer_bytes(tensor.buffer(), where);
    if (!bytes.empty()) {
      const auto needed = static_cast<uint64_t>(elements) * ir::dtype_size(t.dtype);
      if (bytes.size() != needed)
        throw Error(fmt::format("{}: buffer {} holds {} bytes but {}{} needs {}", where,
                                tensor.buffer(), bytes.size(), ir::dtype_name(t.dtype),
                                shape_text(t.shape), needed));
      budget_.charge(bytes.size());
      t.data.assign(bytes.begin(), bytes.end());
    }
    return t;
  }

  void read_quantization(const fb::Tensor& tensor, const std::string& where, ir::Tensor& t) {
    const fb::QuantizationParameters* q = tensor.quantization();
    if (!q) return;
    if (q->details_type() != fb::QuantizationDetails::NONE)
      throw Error(where + " uses custom quantization, which is not supported");
    const size_t scales = size_of(q->scale());
    const size_t zero_points = size_of(q->zero_point());
    if (scales != zero_points)
      throw Error(
          fmt::format("{}: {} quantization scales but {} zero points", where, scales, zero_points));
    if (scales == 0) return;  // min/max only: not quantized
    budget_.charge(scales * (sizeof(float) + sizeof(int64_t)));
    for (float s : *q->scale()) {
      if (!std::isfinite(s))
        throw Error(fmt::format("{}: quantization scale {} is not finite", where, s));
      t.quant.scale.push_back(s);
    }
    // The verifier checks a vector's length prefix, not that 8-byte elements are 8-byte
    // aligned, so read each zero point bytewise (little-endian, as TFLite files are).
    const uint8_t* zero_point_bytes = q->zero_point()->Data();
    for (size_t i = 0; i < zero_points; ++i) {
      int64_t z;
      std::memcpy(&z, zero_point_bytes + i * sizeof(int64_t), sizeof(int64_t));
      t.quant.zero_point.push_back(z);
    }
    t.quant.axis = q->quantized_dimension();
    if (scales > 1) {
      const int32_t axis = t.quant.axis;
      if (axis < 0 || static_cast<size_t>(axis) >= t.shape.size())
        throw Error(fmt::format("{}: quantized dimension {} out of range for shape {}", where, axis,
                                shape_text(t.shape)));
      if (static_cast<size_t>(t.shape[static_cast<size_t>(axis)]) != scales)
        throw Error(fmt::format("{}: {} per-channel scales but dimension {} of shape {} is {}",
                                where, scales, axis, shape_text(t.shape),
                                t.shape[static_cast<size_t>(axis)]));
    }
  }

  ir::Operator read_operator(size_t index, const ResolvedCode& code, const fb::Operator& op) {
    ir::Operator o;
    o.type = code.type;
    o.version = code.version;
    const std::string where = fmt::format("operator {} ({})", index, ir::op_name(code.type));
    o.inputs = indices(op.inputs(), true, where);
    o.outputs = indices(op.outputs(), false, where);
    o.intermediates = indices(op.intermediates(), false, where);
    o.options = read_options(code.type, op, where);
    return o;
  }

  ir::OpOptions read_options(ir::OpType type, const fb::Operator& op, const std::string& where) {
    using Kind = fb::BuiltinOptions;
    switch (type) {
      case ir::OpType::kConv2D: {
        const auto& o = required_options<fb::Conv2DOptions>(op, Kind::Conv2DOptions, where);
        ir::Conv2DOptions r;
        r.padding = padding_of(o.padding(), where);
        r.stride_w = positive(o.stride_w(), "stride_w", where);
        r.stride_h = positive(o.stride_h(), "stride_h", where);
        r.dilation_w = positive(o.dilation_w_factor(), "dilation_w_factor", where);
        r.dilation_h = positive(o.dilation_h_factor(), "dilation_h_factor", where);
        r.activation = activation_of(o.fused_activation_function(), where);
        return r;
      }
      case ir::OpType::kDepthwiseConv2D: {
        const auto& o =
            required_options<fb::DepthwiseConv2DOptions>(op, Kind::DepthwiseConv2DOptions, where);
        ir::DepthwiseConv2DOptions r;
        r.padding = padding_of(o.padding(), where);
        r.stride_w = positive(o.stride_w(), "stride_w", where);
        r.stride_h = positive(o.stride_h(), "stride_h", where);
        // Kept as recorded: TFLM derives the multiplier from the channel counts instead.
        r.depth_multiplier = o.depth_multiplier();
        r.dilation_w = positive(o.dilation_w_factor(), "dilation_w_factor", where);
        r.dilation_h = positive(o.dilation_h_factor(), "dilation_h_factor", where);
        r.activation = activation_of(o.fused_activation_function(), where);
        return r;
      }
      case ir::OpType::kAveragePool2D:
      case ir::OpType::kMaxPool2D: {
        const auto& o = required_options<fb::Pool2DOptions>(op, Kind::Pool2DOptions, where);
        ir::Pool2DOptions r;
        r.padding = padding_of(o.padding(), where);
        r.stride_w = positive(o.stride_w(), "stride_w", where);
        r.stride_h = positive(o.stride_h(), "stride_h", where);
        r.filter_w = positive(o.filter_width(), "filter_width", where);
        r.filter_h = positive(o.filter_height(), "filter_height", where);
        r.activation = activation_of(o.fused_activation_function(), where);
        return r;
      }
      case ir::OpType::kFullyConnected: {
        ir::FullyConnectedOptions r;
        const auto* o =
            options_table<fb::FullyConnectedOptions>(op, Kind::FullyConnectedOptions, where);
        if (!o) return r;
        if (o->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT)
          throw Error(fmt::format("{}: shuffled weights format {} is not supported", where,
                                  static_cast<int>(o->weights_format())));
        r.activation = activation_of(o->fused_activation_function(), where);
        r.keep_num_dims = o->keep_num_dims();
        r.asymmetric_quantize_inputs = o->asymmetric_quantize_inputs();
        return r;
      }
      case ir::OpType::kAdd: {
        const auto* o = options_table<fb::AddOptions>(op, Kind::AddOptions, where);
        return elementwise(o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE,
                           where);
      }
      case ir::OpType::kSub: {
        const auto* o = options_table<fb::SubOptions>(op, Kind::SubOptions, where);
        return elementwise(o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE,
                           where);
      }
      case ir::OpType::kMul: {
        const auto* o = options_table<fb::MulOptions>(op, Kind::MulOptions, where);
        return elementwise(o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE,
                           where);
      }
      case ir::OpType::kReshape: {
        // The new shape may instead come from a second input tensor.
        ir::ReshapeOptions r;
        const auto* o = options_table<fb::ReshapeOptions>(op, Kind::ReshapeOptions, where);
        if (o && o->new_shape()) r.new_shape = copy(*o->new_shape());
        return r;
      }
      case ir::OpType::kSqueeze: {
        ir::SqueezeOptions r;
        const auto* o = options_table<fb::SqueezeOptions>(op, Kind::SqueezeOptions, where);
        if (o && o->squeeze_dims()) r.squeeze_dims = copy(*o->squeeze_dims());
        return r;
      }
      case ir::OpType::kSoftmax: {
        const auto* o = options_table<fb::SoftmaxOptions>(op, Kind::SoftmaxOptions, where);
        ir::SoftmaxOptions r;
        r.beta = o ? o->beta() : 0.0f;
        return r;
      }
      case ir::OpType::kLeakyRelu: {
        const auto* o = options_table<fb::LeakyReluOptions>(op, Kind::LeakyReluOptions, where);
        ir::LeakyReluOptions r;
        r.alpha = o ? o->alpha() : 0.0f;
        return r;
      }
      case ir::OpType::kMean: {
        const auto* o = options_table<fb::ReducerOptions>(op, Kind::ReducerOptions, where);
        ir::ReducerOptions r;
        r.keep_dims = o && o->keep_dims();
        return r;
      }
      case ir::OpType::kConcatenation: {
        ir::ConcatenationOptions r;
        const auto* o =
            options_table<fb::ConcatenationOptions>(op, Kind::ConcatenationOptions, where);
        if (!o) return r;
        r.axis = o->axis();
        r.activation = activation_of(o->fused_activation_function(), where);
        return r;
      }
      case ir::OpType::kStridedSlice: {
        ir::StridedSliceOptions r;
        const auto* o =
            options_table<fb::StridedSliceOptions>(op, Kind::StridedSliceOptions, where);
        if (!o) return r;
        r.begin_mask = o->begin_mask();
        r.end_mask = o->end_mask();
        r.ellipsis_mask = o->ellipsis_mask();
        r.new_axis_mask = o->new_axis_mask();
        r.shrink_axis_mask = o->shrink_axis_mask();
        r.offset = o->offset();
        return r;
      }
      case ir::OpType::kUnidirectionalSequenceLstm: {
        ir::LstmOptions r;
        const auto* o = options_table<fb::UnidirectionalSequenceLSTMOptions>(
            op, Kind::UnidirectionalSequenceLSTMOptions, where);
        r.activation = activation_of(
            o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE, where);
        if (!o) return r;
        r.cell_clip = o->cell_clip();
        r.proj_clip = o->proj_clip();
        r.time_major = o->time_major();
        r.asymmetric_quantize_inputs = o->asymmetric_quantize_inputs();
        r.diagonal_recurrent_tensors = o->diagonal_recurrent_tensors();
        return r;
      }
      // TFLite gives these an empty options table; a table of another kind means corruption.
      case ir::OpType::kDequantize:
        options_table<fb::DequantizeOptions>(op, Kind::DequantizeOptions, where);
        return std::monostate{};
      case ir::OpType::kExpandDims:
        options_table<fb::ExpandDimsOptions>(op, Kind::ExpandDimsOptions, where);
        return std::monostate{};
      case ir::OpType::kPad:
        options_table<fb::PadOptions>(op, Kind::PadOptions, where);
        return std::monostate{};
      case ir::OpType::kQuantize:
        options_table<fb::QuantizeOptions>(op, Kind::QuantizeOptions, where);
        return std::monostate{};
      case ir::OpType::kTranspose:
        options_table<fb::TransposeOptions>(op, Kind::TransposeOptions, where);
        return std::monostate{};
      // No options table exists in TFLite for these.
      case ir::OpType::kLogistic:
      case ir::OpType::kRelu:
      case ir::OpType::kRelu6:
      case ir::OpType::kTanh:
        return std::monostate{};
    }
    throw Error(where + ": operator type without an options rule");
  }

  static ir::ElementwiseOptions elementwise(fb::ActivationFunctionType a,
                                            const std::string& where) {
    ir::ElementwiseOptions r;
    r.activation = activation_of(a, where);
    return r;
  }

  std::vector<int32_t> copy(const flatbuffers::Vector<int32_t>& v) {
    budget_.charge(v.size() * sizeof(int32_t));
    return {v.begin(), v.end()};
  }

  std::span<const uint8_t> file_;
  const fb::Model& model_;
  CopyBudget budget_;
  size_t tensor_count_ = 0;
};

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(fmt::format("cannot read model file '{}': it is a directory", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open model file '{}': {}", path, std::strerror(errno)));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0 || !in) throw Error(fmt::format("cannot read model file '{}'", path));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
    throw Error(fmt::format("cannot read model file '{}': {}", path, std::strerror(errno)));
  return bytes;
}

}  // namespace

ir::Model read_model(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8)
    throw Error(fmt::format("not a TFLite file: only {} bytes long", bytes.size()));
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), fb::ModelIdentifier()))
    throw Error("not a TFLite file: no \"TFL3\" identifier at byte 4");

  std::vector<uint8_t> aligned_copy;
  std::span<const uint8_t> file = bytes;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % kFileAlignment != 0) {
    aligned_copy.assign(bytes.begin(), bytes.end());  // operator new aligns to 16 bytes
    file = aligned_copy;
  }

  flatbuffers::Verifier::Options options;
  options.max_depth = 32;        // the schema nests about 6 deep
  options.max_tables = 1 << 22;  // bounds work on files with shared or repeated tables
  flatbuffers::Verifier verifier(file.data(), std::min(file.size(), kMaxVerifiedSize), options);
  if (!fb::VerifyModelBuffer(verifier))
    throw Error("corrupt TFLite file: the flatbuffer structure is invalid (truncated or damaged)");

  ir::Model model = ModelReader(file, *fb::GetModel(file.data())).read();
  ir::validate(model);
  return model;
}

ir::Model read_model_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  try {
    return read_model(bytes);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace kiln::tflite
