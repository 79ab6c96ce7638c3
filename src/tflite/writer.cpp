#include "tflite/writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <utility>

#include "core/error.h"
#include "tflite/builtin_codes.h"
#include "tflite/schema_generated.h"

namespace kiln::tflite {

namespace fb = kiln_tflite;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

namespace {

constexpr uint32_t kSchemaVersion = 3;
// TFLM (and CMSIS-NN) read constants in place and expect them 16-byte aligned.
constexpr size_t kConstantAlignment = 16;

fb::TensorType tensor_type(ir::DType t) {
  switch (t) {
    case ir::DType::kFloat32:
      return fb::TensorType::FLOAT32;
    case ir::DType::kInt8:
      return fb::TensorType::INT8;
    case ir::DType::kUInt8:
      return fb::TensorType::UINT8;
    case ir::DType::kInt16:
      return fb::TensorType::INT16;
    case ir::DType::kInt32:
      return fb::TensorType::INT32;
    case ir::DType::kInt64:
      return fb::TensorType::INT64;
    case ir::DType::kBool:
      return fb::TensorType::BOOL;
  }
  throw Error(fmt::format("tensor type {} has no TFLite equivalent", static_cast<int>(t)));
}

fb::ActivationFunctionType activation(ir::Activation a) {
  switch (a) {
    case ir::Activation::kNone:
      return fb::ActivationFunctionType::NONE;
    case ir::Activation::kRelu:
      return fb::ActivationFunctionType::RELU;
    case ir::Activation::kReluN1To1:
      return fb::ActivationFunctionType::RELU_N1_TO_1;
    case ir::Activation::kRelu6:
      return fb::ActivationFunctionType::RELU6;
    case ir::Activation::kTanh:
      return fb::ActivationFunctionType::TANH;
    case ir::Activation::kSignBit:
      return fb::ActivationFunctionType::SIGN_BIT;
  }
  throw Error(fmt::format("activation {} has no TFLite equivalent", static_cast<int>(a)));
}

fb::Padding padding(ir::Padding p) {
  return p == ir::Padding::kSame ? fb::Padding::SAME : fb::Padding::VALID;
}

// Refuses models a flatbuffer cannot hold, before the builder would silently overflow.
void check_size(const ir::Model& model) {
  constexpr uint64_t kPerObjectOverhead = 128;  // generous: vtables, offsets, padding
  uint64_t total = model.description.size() + kPerObjectOverhead;
  for (const ir::Tensor& t : model.tensors)
    total += t.data.size() + kConstantAlignment + t.name.size() + t.shape.size() * 4 +
             t.quant.scale.size() * 12 + 2 * kPerObjectOverhead;
  for (const ir::Operator& op : model.operators)
    total += (op.inputs.size() + op.outputs.size() + op.intermediates.size()) * 4 +
             2 * kPerObjectOverhead;
  if (total >= FLATBUFFERS_MAX_BUFFER_SIZE)
    throw Error(fmt::format("model too large for a TFLite file (about {} bytes; the limit is 2 GB)",
                            total));
}

class ModelWriter {
 public:
  explicit ModelWriter(const ir::Model& model) : model_(model) {}

  std::vector<uint8_t> write() {
    // Built back to front: what is created first ends up last in the file, so the constant
    // data goes first and the file starts with the small graph description, like the files
    // TFLite's converter writes.
    const std::vector<uint32_t> buffer_of = write_buffers();
    const auto buffers = b_.CreateVector(buffers_);
    const auto tensors = write_tensors(buffer_of);
    const auto operators = write_operators();
    const auto codes = write_operator_codes();

    const auto inputs = b_.CreateVector(model_.inputs);
    const auto outputs = b_.CreateVector(model_.outputs);
    const auto name = b_.CreateString("main");
    fb::SubGraphBuilder graph(b_);
    graph.add_tensors(tensors);
    graph.add_inputs(inputs);
    graph.add_outputs(outputs);
    graph.add_operators(operators);
    graph.add_name(name);
    const auto subgraphs = b_.CreateVector(std::vector<Offset<fb::SubGraph>>{graph.Finish()});

    const auto description = b_.CreateString(model_.description);
    fb::ModelBuilder root(b_);
    root.add_version(kSchemaVersion);
    root.add_operator_codes(codes);
    root.add_subgraphs(subgraphs);
    root.add_description(description);
    root.add_buffers(buffers);
    fb::FinishModelBuffer(b_, root.Finish());
    return {b_.GetBufferPointer(), b_.GetBufferPointer() + b_.GetSize()};
  }

 private:
  // Buffer 0 is the empty sentinel shared by all activations; every constant gets its own.
  std::vector<uint32_t> write_buffers() {
    std::vector<uint32_t> buffer_of(model_.tensors.size(), 0);
    buffers_.push_back(fb::BufferBuilder(b_).Finish());
    for (size_t i = 0; i < model_.tensors.size(); ++i) {
      const ir::Tensor& t = model_.tensors[i];
      if (!t.is_constant()) continue;
      b_.ForceVectorAlignment(t.data.size(), sizeof(uint8_t), kConstantAlignment);
      const auto data = b_.CreateVector(t.data);
      fb::BufferBuilder buffer(b_);
      buffer.add_data(data);
      buffer_of[i] = static_cast<uint32_t>(buffers_.size());
      buffers_.push_back(buffer.Finish());
    }
    return buffer_of;
  }

  Offset<flatbuffers::Vector<Offset<fb::Tensor>>> write_tensors(
      const std::vector<uint32_t>& buffer_of) {
    std::vector<Offset<fb::Tensor>> tensors;
    for (size_t i = 0; i < model_.tensors.size(); ++i) {
      const ir::Tensor& t = model_.tensors[i];
      Offset<fb::QuantizationParameters> quant = 0;
      if (!t.quant.empty()) {
        const auto scale = b_.CreateVector(t.quant.scale);
        const auto zero_point = b_.CreateVector(t.quant.zero_point);
        fb::QuantizationParametersBuilder q(b_);
        q.add_scale(scale);
        q.add_zero_point(zero_point);
        q.add_quantized_dimension(t.quant.axis);
        quant = q.Finish();
      }
      const auto shape = b_.CreateVector(t.shape);
      const auto name = b_.CreateString(t.name);
      fb::TensorBuilder tensor(b_);
      tensor.add_shape(shape);
      tensor.add_type(tensor_type(t.dtype));
      tensor.add_buffer(buffer_of[i]);
      tensor.add_name(name);
      tensor.add_quantization(quant);
      tensor.add_is_variable(t.is_variable);
      tensor.add_has_rank(true);
      tensors.push_back(tensor.Finish());
    }
    return b_.CreateVector(tensors);
  }

  Offset<flatbuffers::Vector<Offset<fb::Operator>>> write_operators() {
    std::vector<Offset<fb::Operator>> operators;
    for (size_t k = 0; k < model_.operators.size(); ++k) {
      const ir::Operator& op = model_.operators[k];
      const auto key = std::make_pair(op.type, op.version);
      auto [it, added] = code_index_.try_emplace(key, static_cast<uint32_t>(code_order_.size()));
      if (added) code_order_.push_back(key);

      const auto [options_type, options] = write_options(op, k);
      const auto inputs = b_.CreateVector(op.inputs);
      const auto outputs = b_.CreateVector(op.outputs);
      Offset<flatbuffers::Vector<int32_t>> intermediates = 0;
      if (!op.intermediates.empty()) intermediates = b_.CreateVector(op.intermediates);
      fb::OperatorBuilder o(b_);
      o.add_opcode_index(it->second);
      o.add_inputs(inputs);
      o.add_outputs(outputs);
      o.add_builtin_options_type(options_type);
      o.add_builtin_options(options);
      o.add_intermediates(intermediates);
      operators.push_back(o.Finish());
    }
    return b_.CreateVector(operators);
  }

  // One entry per distinct (operator, version), in order of first use.
  Offset<flatbuffers::Vector<Offset<fb::OperatorCode>>> write_operator_codes() {
    std::vector<Offset<fb::OperatorCode>> codes;
    for (const auto& [type, version] : code_order_) {
      const int32_t code = builtin_code(type);
      fb::OperatorCodeBuilder c(b_);
      c.add_deprecated_builtin_code(
          static_cast<int8_t>(std::min(code, kPlaceholderForGreaterOpCodes)));
      c.add_version(version);
      c.add_builtin_code(static_cast<fb::BuiltinOperator>(code));
      codes.push_back(c.Finish());
    }
    return b_.CreateVector(codes);
  }

  template <typename T>
  static const T& options_as(const ir::Operator& op, size_t index) {
    if (const T* o = std::get_if<T>(&op.options)) return *o;
    throw Error(fmt::format("operator {} ({}): its options belong to another operator type", index,
                            ir::op_name(op.type)));
  }

  using OptionsRef = std::pair<fb::BuiltinOptions, Offset<void>>;

  OptionsRef write_options(const ir::Operator& op, size_t index) {
    using Kind = fb::BuiltinOptions;
    switch (op.type) {
      case ir::OpType::kConv2D: {
        const auto& o = options_as<ir::Conv2DOptions>(op, index);
        fb::Conv2DOptionsBuilder t(b_);
        t.add_padding(padding(o.padding));
        t.add_stride_w(o.stride_w);
        t.add_stride_h(o.stride_h);
        t.add_fused_activation_function(activation(o.activation));
        t.add_dilation_w_factor(o.dilation_w);
        t.add_dilation_h_factor(o.dilation_h);
        return {Kind::Conv2DOptions, t.Finish().Union()};
      }
      case ir::OpType::kDepthwiseConv2D: {
        const auto& o = options_as<ir::DepthwiseConv2DOptions>(op, index);
        fb::DepthwiseConv2DOptionsBuilder t(b_);
        t.add_padding(padding(o.padding));
        t.add_stride_w(o.stride_w);
        t.add_stride_h(o.stride_h);
        t.add_depth_multiplier(o.depth_multiplier);
        t.add_fused_activation_function(activation(o.activation));
        t.add_dilation_w_factor(o.dilation_w);
        t.add_dilation_h_factor(o.dilation_h);
        return {Kind::DepthwiseConv2DOptions, t.Finish().Union()};
      }
      case ir::OpType::kAveragePool2D:
      case ir::OpType::kMaxPool2D: {
        const auto& o = options_as<ir::Pool2DOptions>(op, index);
        fb::Pool2DOptionsBuilder t(b_);
        t.add_padding(padding(o.padding));
        t.add_stride_w(o.stride_w);
        t.add_stride_h(o.stride_h);
        t.add_filter_width(o.filter_w);
        t.add_filter_height(o.filter_h);
        t.add_fused_activation_function(activation(o.activation));
        return {Kind::Pool2DOptions, t.Finish().Union()};
      }
      case ir::OpType::kFullyConnected: {
        const auto& o = options_as<ir::FullyConnectedOptions>(op, index);
        fb::FullyConnectedOptionsBuilder t(b_);
        t.add_fused_activation_function(activation(o.activation));
        t.add_keep_num_dims(o.keep_num_dims);
        t.add_asymmetric_quantize_inputs(o.asymmetric_quantize_inputs);
        return {Kind::FullyConnectedOptions, t.Finish().Union()};
      }
      case ir::OpType::kAdd: {
        const auto& o = options_as<ir::ElementwiseOptions>(op, index);
        fb::AddOptionsBuilder t(b_);
        t.add_fused_activation_function(activation(o.activation));
        return {Kind::AddOptions, t.Finish().Union()};
      }
      case ir::OpType::kSub: {
        const auto& o = options_as<ir::ElementwiseOptions>(op, index);
        fb::SubOptionsBuilder t(b_);
        t.add_fused_activation_function(activation(o.activation));
        return {Kind::SubOptions, t.Finish().Union()};
      }
      case ir::OpType::kMul: {
        const auto& o = options_as<ir::ElementwiseOptions>(op, index);
        fb::MulOptionsBuilder t(b_);
        t.add_fused_activation_function(activation(o.activation));
        return {Kind::MulOptions, t.Finish().Union()};
      }
      case ir::OpType::kReshape: {
        const auto& o = options_as<ir::ReshapeOptions>(op, index);
        Offset<flatbuffers::Vector<int32_t>> new_shape = 0;
        if (!o.new_shape.empty()) new_shape = b_.CreateVector(o.new_shape);
        fb::ReshapeOptionsBuilder t(b_);
        t.add_new_shape(new_shape);
        return {Kind::ReshapeOptions, t.Finish().Union()};
      }
      case ir::OpType::kSqueeze: {
        const auto& o = options_as<ir::SqueezeOptions>(op, index);
        const auto dims = b_.CreateVector(o.squeeze_dims);
        fb::SqueezeOptionsBuilder t(b_);
        t.add_squeeze_dims(dims);
        return {Kind::SqueezeOptions, t.Finish().Union()};
      }
      case ir::OpType::kSoftmax: {
        const auto& o = options_as<ir::SoftmaxOptions>(op, index);
        fb::SoftmaxOptionsBuilder t(b_);
        t.add_beta(o.beta);
        return {Kind::SoftmaxOptions, t.Finish().Union()};
      }
      case ir::OpType::kLeakyRelu: {
        const auto& o = options_as<ir::LeakyReluOptions>(op, index);
        fb::LeakyReluOptionsBuilder t(b_);
        t.add_alpha(o.alpha);
        return {Kind::LeakyReluOptions, t.Finish().Union()};
      }
      case ir::OpType::kMean: {
        const auto& o = options_as<ir::ReducerOptions>(op, index);
        fb::ReducerOptionsBuilder t(b_);
        t.add_keep_dims(o.keep_dims);
        return {Kind::ReducerOptions, t.Finish().Union()};
      }
      case ir::OpType::kConcatenation: {
        const auto& o = options_as<ir::ConcatenationOptions>(op, index);
        fb::ConcatenationOptionsBuilder t(b_);
        t.add_axis(o.axis);
        t.add_fused_activation_function(activation(o.activation));
        return {Kind::ConcatenationOptions, t.Finish().Union()};
      }
      case ir::OpType::kStridedSlice: {
        const auto& o = options_as<ir::StridedSliceOptions>(op, index);
        fb::StridedSliceOptionsBuilder t(b_);
        t.add_begin_mask(o.begin_mask);
        t.add_end_mask(o.end_mask);
        t.add_ellipsis_mask(o.ellipsis_mask);
        t.add_new_axis_mask(o.new_axis_mask);
        t.add_shrink_axis_mask(o.shrink_axis_mask);
        t.add_offset(o.offset);
        return {Kind::StridedSliceOptions, t.Finish().Union()};
      }
      case ir::OpType::kUnidirectionalSequenceLstm: {
        const auto& o = options_as<ir::LstmOptions>(op, index);
        fb::UnidirectionalSequenceLSTMOptionsBuilder t(b_);
        t.add_fused_activation_function(activation(o.activation));
        t.add_cell_clip(o.cell_clip);
        t.add_proj_clip(o.proj_clip);
        t.add_time_major(o.time_major);
        t.add_asymmetric_quantize_inputs(o.asymmetric_quantize_inputs);
        t.add_diagonal_recurrent_tensors(o.diagonal_recurrent_tensors);
        return {Kind::UnidirectionalSequenceLSTMOptions, t.Finish().Union()};
      }
      // Empty tables, written as TFLite's converter does.
      case ir::OpType::kDequantize:
        options_as<std::monostate>(op, index);
        return {Kind::DequantizeOptions, fb::DequantizeOptionsBuilder(b_).Finish().Union()};
      case ir::OpType::kExpandDims:
        options_as<std::monostate>(op, index);
        return {Kind::ExpandDimsOptions, fb::ExpandDimsOptionsBuilder(b_).Finish().Union()};
      case ir::OpType::kPad:
        options_as<std::monostate>(op, index);
        return {Kind::PadOptions, fb::PadOptionsBuilder(b_).Finish().Union()};
      case ir::OpType::kQuantize:
        options_as<std::monostate>(op, index);
        return {Kind::QuantizeOptions, fb::QuantizeOptionsBuilder(b_).Finish().Union()};
      case ir::OpType::kTranspose:
        options_as<std::monostate>(op, index);
        return {Kind::TransposeOptions, fb::TransposeOptionsBuilder(b_).Finish().Union()};
      // TFLite defines no options table for these.
      case ir::OpType::kLogistic:
      case ir::OpType::kRelu:
      case ir::OpType::kRelu6:
      case ir::OpType::kTanh:
        options_as<std::monostate>(op, index);
        return {Kind::NONE, 0};
    }
    throw Error(fmt::format("operator {}: unknown operator type", index));
  }

  const ir::Model& model_;
  FlatBufferBuilder b_{1024};
  std::vector<Offset<fb::Buffer>> buffers_;
  std::map<std::pair<ir::OpType, int32_t>, uint32_t> code_index_;
  std::vector<std::pair<ir::OpType, int32_t>> code_order_;
};

}  // namespace

std::vector<uint8_t> write_model(const ir::Model& model) {
  ir::validate(model);
  check_size(model);
  return ModelWriter(model).write();
}

void write_model_file(const ir::Model& model, const std::string& path) {
  const std::vector<uint8_t> bytes = write_model(model);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
}

}  // namespace kiln::tflite
