#include "ir/model.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::ir {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kFloat32:
      return 4;
    case DType::kInt8:
      return 1;
    case DType::kUInt8:
      return 1;
    case DType::kInt16:
      return 2;
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kBool:
      return 1;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32:
      return "float32";
    case DType::kInt8:
      return "int8";
    case DType::kUInt8:
      return "uint8";
    case DType::kInt16:
      return "int16";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kBool:
      return "bool";
  }
  return "?";
}

const char* op_name(OpType t) {
  switch (t) {
    case OpType::kAdd:
      return "ADD";
    case OpType::kAveragePool2D:
      return "AVERAGE_POOL_2D";
    case OpType::kConcatenation:
      return "CONCATENATION";
    case OpType::kConv2D:
      return "CONV_2D";
    case OpType::kDepthwiseConv2D:
      return "DEPTHWISE_CONV_2D";
    case OpType::kDequantize:
      return "DEQUANTIZE";
    case OpType::kExpandDims:
      return "EXPAND_DIMS";
    case OpType::kFullyConnected:
      return "FULLY_CONNECTED";
    case OpType::kLeakyRelu:
      return "LEAKY_RELU";
    case OpType::kLogistic:
      return "LOGISTIC";
    case OpType::kMaxPool2D:
      return "MAX_POOL_2D";
    case OpType::kMean:
      return "MEAN";
    case OpType::kMul:
      return "MUL";
    case OpType::kPad:
      return "PAD";
    case OpType::kQuantize:
      return "QUANTIZE";
    case OpType::kRelu:
      return "RELU";
    case OpType::kRelu6:
      return "RELU6";
    case OpType::kReshape:
      return "RESHAPE";
    case OpType::kSoftmax:
      return "SOFTMAX";
    case OpType::kSqueeze:
      return "SQUEEZE";
    case OpType::kStridedSlice:
      return "STRIDED_SLICE";
    case OpType::kSub:
      return "SUB";
    case OpType::kTanh:
      return "TANH";
    case OpType::kTranspose:
      return "TRANSPOSE";
    case OpType::kUnidirectionalSequenceLstm:
      return "UNIDIRECTIONAL_SEQUENCE_LSTM";
  }
  return "?";
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kNone:
      return "NONE";
    case Activation::kRelu:
      return "RELU";
    case Activation::kReluN1To1:
      return "RELU_N1_TO_1";
    case Activation::kRelu6:
      return "RELU6";
    case Activation::kTanh:
      return "TANH";
    case Activation::kSignBit:
      return "SIGN_BIT";
  }
  return "?";
}

int64_t Tensor::num_elements() const {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

const Tensor* Model::optional_input(const Operator& op, size_t i) const {
  if (i >= op.inputs.size() || op.inputs[i] == kNoTensor) return nullptr;
  return &tensor(op.inputs[i]);
}

void validate(const Model& model) {
  const auto n = static_cast<int64_t>(model.tensors.size());
  auto check_index = [&](int32_t index, bool optional, const std::string& where) {
    if (optional && index == kNoTensor) return;
    if (index < 0 || index >= n)
      throw Error(
          fmt::format("{}: tensor index {} out of range (model has {} tensors)", where, index, n));
  };
  for (int64_t i = 0; i < n; ++i) {
    const Tensor& t = model.tensors[static_cast<size_t>(i)];
    int64_t elements = 1;
    for (int32_t d : t.shape) {
      if (d < 0) throw Error(fmt::format("tensor {} '{}' has a negative dimension", i, t.name));
      elements *= d;
      if (elements > (int64_t{1} << 31))
        throw Error(fmt::format("tensor {} '{}' is implausibly large", i, t.name));
    }
    if (t.is_constant() && static_cast<int64_t>(t.data.size()) != t.num_bytes())
      throw Error(fmt::format("tensor {} '{}': constant data has {} bytes, shape and type need {}",
                              i, t.name, t.data.size(), t.num_bytes()));
    if (!t.quant.empty() && t.quant.zero_point.size() != t.quant.scale.size())
      throw Error(fmt::format("tensor {} '{}': {} scales but {} zero points", i, t.name,
                              t.quant.scale.size(), t.quant.zero_point.size()));
  }
  for (size_t k = 0; k < model.operators.size(); ++k) {
    const Operator& op = model.operators[k];
    const std::string where = fmt::format("operator {} ({})", k, op_name(op.type));
    for (int32_t i : op.inputs) check_index(i, true, where);
    for (int32_t i : op.outputs) check_index(i, false, where);
    for (int32_t i : op.intermediates) check_index(i, false, where);
    if (op.outputs.empty()) throw Error(where + ": has no outputs");
  }
  for (int32_t i : model.inputs) check_index(i, false, "model inputs");
  for (int32_t i : model.outputs) check_index(i, false, "model outputs");
}

}  // namespace kiln::ir
