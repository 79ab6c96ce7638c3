#include "tflite/builtin_codes.h"

#include <array>
#include <utility>

#include "core/error.h"
#include "tflite/schema_generated.h"

namespace kiln::tflite {

namespace {

using fb = kiln_tflite::BuiltinOperator;

// Every Kiln operator type with its TFLite code; the one place the two numberings meet.
constexpr std::array<std::pair<ir::OpType, fb>, 25> kOpCodes = {{
    {ir::OpType::kAdd, fb::ADD},
    {ir::OpType::kAveragePool2D, fb::AVERAGE_POOL_2D},
    {ir::OpType::kConcatenation, fb::CONCATENATION},
    {ir::OpType::kConv2D, fb::CONV_2D},
    {ir::OpType::kDepthwiseConv2D, fb::DEPTHWISE_CONV_2D},
    {ir::OpType::kDequantize, fb::DEQUANTIZE},
    {ir::OpType::kExpandDims, fb::EXPAND_DIMS},
    {ir::OpType::kFullyConnected, fb::FULLY_CONNECTED},
    {ir::OpType::kLeakyRelu, fb::LEAKY_RELU},
    {ir::OpType::kLogistic, fb::LOGISTIC},
    {ir::OpType::kMaxPool2D, fb::MAX_POOL_2D},
    {ir::OpType::kMean, fb::MEAN},
    {ir::OpType::kMul, fb::MUL},
    {ir::OpType::kPad, fb::PAD},
    {ir::OpType::kQuantize, fb::QUANTIZE},
    {ir::OpType::kRelu, fb::RELU},
    {ir::OpType::kRelu6, fb::RELU6},
    {ir::OpType::kReshape, fb::RESHAPE},
    {ir::OpType::kSoftmax, fb::SOFTMAX},
    {ir::OpType::kSqueeze, fb::SQUEEZE},
    {ir::OpType::kStridedSlice, fb::STRIDED_SLICE},
    {ir::OpType::kSub, fb::SUB},
    {ir::OpType::kTanh, fb::TANH},
    {ir::OpType::kTranspose, fb::TRANSPOSE},
    {ir::OpType::kUnidirectionalSequenceLstm, fb::UNIDIRECTIONAL_SEQUENCE_LSTM},
}};

}  // namespace

int32_t builtin_code(ir::OpType type) {
  for (const auto& [op, code] : kOpCodes)
    if (op == type) return static_cast<int32_t>(code);
  // Unreachable while kOpCodes lists every OpType (a test checks that it does).
  throw Error("operator type has no TFLite code");
}

std::optional<ir::OpType> op_type_of_builtin(int32_t code) {
  for (const auto& [op, fb_code] : kOpCodes)
    if (static_cast<int32_t>(fb_code) == code) return op;
  return std::nullopt;
}

std::string builtin_operator_name(int32_t code) {
  if (code < static_cast<int32_t>(fb::MIN) || code > static_cast<int32_t>(fb::MAX)) return "";
  return kiln_tflite::EnumNameBuiltinOperator(static_cast<fb>(code));
}

}  // namespace kiln::tflite
