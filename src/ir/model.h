// Kiln's model IR: one graph of tensors and operators, independent of any file format.
// Producers (TFLite reader, trainer, quantizer) build it; consumers (host executor, compiler,
// TFLite writer) read it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace kiln::ir {

enum class DType : uint8_t { kFloat32, kInt8, kUInt8, kInt16, kInt32, kInt64, kBool };

// Bytes per element.
size_t dtype_size(DType t);
const char* dtype_name(DType t);

// Affine quantization: real = scale * (q - zero_point). One entry = per-tensor; several entries
// = per-channel along `axis`.
struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t axis = 0;

  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
  bool operator==(const Quantization&) const = default;
};

struct Tensor {
  std::string name;
  std::vector<int32_t> shape;
  DType dtype = DType::kFloat32;
  Quantization quant;
  std::vector<uint8_t> data;  // constant contents (raw little-endian); empty for activations
  bool is_variable = false;   // state kept between invocations (e.g. LSTM state in some models)

  bool is_constant() const { return !data.empty(); }
  int64_t num_elements() const;
  int64_t num_bytes() const { return num_elements() * static_cast<int64_t>(dtype_size(dtype)); }
  bool operator==(const Tensor&) const = default;
};

enum class OpType : uint8_t {
  kAdd,
  kAveragePool2D,
  kConcatenation,
  kConv2D,
  kDepthwiseConv2D,
  kDequantize,
  kExpandDims,
  kFullyConnected,
  kLeakyRelu,
  kLogistic,
  kMaxPool2D,
  kMean,
  kMul,
  kPad,
  kQuantize,
  kRelu,
  kRelu6,
  kReshape,
  kSoftmax,
  kSqueeze,
  kStridedSlice,
  kSub,
  kTanh,
  kTranspose,
  kUnidirectionalSequenceLstm,
};

const char* op_name(OpType t);  // TFLite spelling, e.g. "CONV_2D"

enum class Activation : uint8_t { kNone, kRelu, kReluN1To1, kRelu6, kTanh, kSignBit };
const char* activation_name(Activation a);

enum class Padding : uint8_t { kSame, kValid };

struct Conv2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Conv2DOptions&) const = default;
};

struct DepthwiseConv2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_w = 1, stride_h = 1;
  int32_t depth_multiplier = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  Activation activation = Activation::kNone;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};

struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
  bool operator==(const FullyConnectedOptions&) const = default;
};

struct Pool2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_w = 1, stride_h = 1;
  int32_t filter_w = 1, filter_h = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Pool2DOptions&) const = default;
};

// ADD, SUB, MUL.
struct ElementwiseOptions {
  Activation activation = Activation::kNone;
  bool operator==(const ElementwiseOptions&) const = default;
};

struct ReshapeOptions {
  std::vector<int32_t> new_shape;  // may be empty: the shape then comes from input 1
  bool operator==(const ReshapeOptions&) const = default;
};

struct SqueezeOptions {
  std::vector<int32_t> squeeze_dims;
  bool operator==(const SqueezeOptions&) const = default;
};

struct SoftmaxOptions {
  float beta = 1.0f;
  bool operator==(const SoftmaxOptions&) const = default;
};

struct LeakyReluOptions {
  float alpha = 0.2f;
  bool operator==(const LeakyReluOptions&) const = default;
};

// MEAN (and other reductions later).
struct ReducerOptions {
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};

struct ConcatenationOptions {
  int32_t axis = 0;
  Activation activation = Activation::kNone;
  bool operator==(const ConcatenationOptions&) const = default;
};

struct StridedSliceOptions {
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;
  bool operator==(const StridedSliceOptions&) const = default;
};

struct LstmOptions {
  Activation activation = Activation::kTanh;
  float cell_clip = 0.0f;
  float proj_clip = 0.0f;
  bool time_major = false;
  bool asymmetric_quantize_inputs = false;
  bool diagonal_recurrent_tensors = false;
  bool operator==(const LstmOptions&) const = default;
};

using OpOptions =
    std::variant<std::monostate, Conv2DOptions, DepthwiseConv2DOptions, FullyConnectedOptions,
                 Pool2DOptions, ElementwiseOptions, ReshapeOptions, SqueezeOptions, SoftmaxOptions,
                 LeakyReluOptions, ReducerOptions, ConcatenationOptions, StridedSliceOptions,
                 LstmOptions>;

constexpr int32_t kNoTensor = -1;  // an absent optional operator input

struct Operator {
  OpType type = OpType::kAdd;
  int32_t version = 1;          // operator version as recorded in the source model
  std::vector<int32_t> inputs;  // tensor indices, kNoTensor for absent optional inputs
  std::vector<int32_t> outputs;
  std::vector<int32_t> intermediates;  // some quantized ops (LSTM) carry extra scale tensors
  OpOptions options;
  bool operator==(const Operator&) const = default;
};

struct Model {
  std::string description;
  std::vector<Tensor> tensors;
  std::vector<Operator> operators;  // in execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  bool operator==(const Model&) const = default;

  const Tensor& tensor(int32_t index) const { return tensors.at(static_cast<size_t>(index)); }
  // Optional input `i` of `op`, or nullptr when absent.
  const Tensor* optional_input(const Operator& op, size_t i) const;
};

// Checks the structural invariants every consumer relies on (indices in range, constant data
// sizes match shape and type, shapes non-negative, inputs/outputs not constant). Throws
// kiln::Error describing the first violation.
void validate(const Model& model);

}  // namespace kiln::ir
