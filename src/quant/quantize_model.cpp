#include "quant/quantize_model.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "quant/quant_params.h"

namespace kiln::quant {

namespace {

using ir::DType;
using ir::OpType;

template <typename T>
std::vector<uint8_t> to_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<float> float_values(const ir::Tensor& t) {
  std::vector<float> values(t.data.size() / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), t.data.data(), values.size() * sizeof(float));
  return values;
}

// Operator versions TFLite's converter records for the int8 forms.
int32_t int8_version(OpType type) {
  switch (type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
      return 3;
    case OpType::kFullyConnected:
      return 4;
    case OpType::kReshape:
      return 1;
    default:
      return 2;
  }
}

// Rewrites a copy of the float model tensor by tensor, in operator order so that every
// operator's input quantization is known when its own parameters are chosen.
class Quantizer {
 public:
  Quantizer(const ir::Model& float_model, const std::vector<std::optional<TensorRange>>& ranges,
            const QuantizeOptions& options)
      : model_(float_model),
        ranges_(ranges),
        options_(options),
        done_(float_model.tensors.size(), false) {}

  ir::Model run() {
    ir::validate(model_);
    check_float_model();
    for (int32_t input : model_.inputs) set_activation(input);
    for (ir::Operator& op : model_.operators) quantize_operator(op);
    for (size_t t = 0; t < model_.tensors.size(); ++t)
      if (model_.tensors[t].dtype == DType::kFloat32)
        throw Error(fmt::format("quantize: tensor '{}' is not used by any quantizable operator",
                                model_.tensors[t].name));
    if (!options_.int8_io) add_float_boundary();
    ir::validate(model_);
    return std::move(model_);
  }

 private:
  ir::Tensor& tensor(int32_t t) { return model_.tensors.at(static_cast<size_t>(t)); }

  void check_float_model() {
    if (ranges_.size() != model_.tensors.size())
      throw Error(
          fmt::format("quantize: {} ranges for {} tensors", ranges_.size(), model_.tensors.size()));
    for (const ir::Tensor& t : model_.tensors) {
      const bool shape_constant = t.dtype == DType::kInt32 && t.is_constant();
      if (t.dtype != DType::kFloat32 && !shape_constant)
        throw Error(fmt::format("quantize: tensor '{}' is {}; the model must be float32", t.name,
                                ir::dtype_name(t.dtype)));
      if (t.is_variable) throw Error(fmt::format("quantize: variable tensor '{}'", t.name));
    }
  }

  // Marks `t` as converted; every tensor gets exactly one role.
  ir::Tensor& claim(int32_t t, bool constant, const char* role) {
    if (t < 0 || static_cast<size_t>(t) >= done_.size())
      throw Error(fmt::format("quantize: {} tensor index {} out of range", role, t));
    ir::Tensor& x = tensor(t);
    if (done_[static_cast<size_t>(t)])
      throw Error(fmt::format("quantize: tensor '{}' is used as {} but was already quantized",
                              x.name, role));
    if (x.dtype != DType::kFloat32 || x.is_constant() != constant)
      throw Error(fmt::format("quantize: {} '{}' must be a float32 {}", role, x.name,
                              constant ? "constant" : "activation"));
    done_[static_cast<size_t>(t)] = true;
    return x;
  }

  void set_activation(int32_t t) {
    ir::Tensor& x = claim(t, false, "activation");
    const std::optional<TensorRange>& range = ranges_.at(static_cast<size_t>(t));
    if (!range) throw Error(fmt::format("quantize: no calibrated range for '{}'", x.name));
    x.dtype = DType::kInt8;
    x.quant = asymmetric_int8(range->min, range->max);
  }

  void set_fixed(int32_t t, const ir::Quantization& quant) {
    ir::Tensor& x = claim(t, false, "activation");
    x.dtype = DType::kInt8;
    x.quant = quant;
  }

  // An operator input produced earlier (or a model input): already int8.
  const ir::Tensor& int8_input(const ir::Operator& op, size_t i) {
    if (i >= op.inputs.size() || op.inputs[i] == ir::kNoTensor)
      throw Error(fmt::format("quantize: {} lacks input {}", ir::op_name(op.type), i));
    const int32_t t = op.inputs[i];
    if (t < 0 || static_cast<size_t>(t) >= done_.size() || !done_[static_cast<size_t>(t)] ||
        tensor(t).dtype != DType::kInt8)
      throw Error(fmt::format("quantize: {} reads '{}' before it is computed", ir::op_name(op.type),
                              model_.tensor(t).name));
    return tensor(t);
  }

  void single_output(const ir::Operator& op) {
    if (op.outputs.size() != 1)
      throw Error(fmt::format("quantize: {} must have one output", ir::op_name(op.type)));
  }

  void quantize_weights(const ir::Operator& op, int32_t channel_axis) {
    const ir::Tensor& input = int8_input(op, 0);
    if (op.inputs.size() < 2)
      throw Error(fmt::format("quantize: {} lacks weights", ir::op_name(op.type)));
    ir::Tensor& filter = claim(op.inputs[1], true, "weights");
    QuantizedWeights w = quantize_symmetric_int8(float_values(filter), filter.shape, channel_axis);
    filter.dtype = DType::kInt8;
    filter.data = to_bytes(w.values);
    filter.quant = w.quant;
    if (op.inputs.size() > 2 && op.inputs[2] != ir::kNoTensor) {
      ir::Tensor& bias = claim(op.inputs[2], true, "bias");
      QuantizedBias b =
          quantize_bias_int32(float_values(bias), input.quant.scale.at(0), filter.quant.scale);
      bias.dtype = DType::kInt32;
      bias.data = to_bytes(b.values);
      bias.quant = b.quant;
    }
  }

  void quantize_operator(ir::Operator& op) {
    single_output(op);
    const int32_t out = op.outputs[0];
    switch (op.type) {
      case OpType::kConv2D:
        quantize_weights(op, 0);
        set_activation(out);
        break;
      case OpType::kDepthwiseConv2D:
        quantize_weights(op, 3);
        set_activation(out);
        break;
      case OpType::kFullyConnected:
        quantize_weights(op, options_.per_channel_fully_connected ? 0 : -1);
        set_activation(out);
        break;
      case OpType::kMaxPool2D:
      case OpType::kAveragePool2D:
      case OpType::kReshape:
        // The int8 kernels move values without rescaling.
        set_fixed(out, int8_input(op, 0).quant);
        break;
      case OpType::kSoftmax: {
        int8_input(op, 0);
        ir::Quantization probabilities;
        probabilities.scale = {1.0f / 256.0f};
        probabilities.zero_point = {-128};
        set_fixed(out, probabilities);
        break;
      }
      case OpType::kRelu:
      case OpType::kRelu6:
        int8_input(op, 0);
        set_activation(out);
        break;
      case OpType::kAdd:
      case OpType::kMul:
        for (size_t i = 0; i < 2; ++i) {
          if (i >= op.inputs.size() || op.inputs[i] == ir::kNoTensor)
            throw Error(fmt::format("quantize: {} lacks input {}", ir::op_name(op.type), i));
          const int32_t t = op.inputs[i];
          if (tensor(t).is_constant()) {
            ir::Tensor& c = claim(t, true, "constant operand");
            QuantizedWeights q = quantize_asymmetric_int8(float_values(c));
            c.dtype = DType::kInt8;
            c.data = to_bytes(q.values);
            c.quant = q.quant;
          } else {
            int8_input(op, i);
          }
        }
        set_activation(out);
        break;
      default:
        throw Error(fmt::format("quantize: operator {} is not supported", ir::op_name(op.type)));
    }
    op.version = int8_version(op.type);
  }

  // Float inputs and outputs around the int8 graph, as the converter emits by default.
  void add_float_boundary() {
    std::vector<ir::Operator> quantize_ops;
    for (int32_t& input : model_.inputs) {
      const int32_t float_tensor = add_float_twin(input);
      ir::Operator op;
      op.type = OpType::kQuantize;
      op.version = int8_version(op.type);
      op.inputs = {float_tensor};
      op.outputs = {input};
      quantize_ops.push_back(std::move(op));
      input = float_tensor;
    }
    model_.operators.insert(model_.operators.begin(), quantize_ops.begin(), quantize_ops.end());
    for (int32_t& output : model_.outputs) {
      const int32_t float_tensor = add_float_twin(output);
      ir::Operator op;
      op.type = OpType::kDequantize;
      op.version = int8_version(op.type);
      op.inputs = {output};
      op.outputs = {float_tensor};
      model_.operators.push_back(std::move(op));
      output = float_tensor;
    }
  }

  // A float tensor taking the int8 tensor's name and shape; the int8 one is renamed.
  int32_t add_float_twin(int32_t int8_tensor) {
    ir::Tensor twin;
    twin.name = tensor(int8_tensor).name;
    twin.shape = tensor(int8_tensor).shape;
    tensor(int8_tensor).name += "_int8";
    model_.tensors.push_back(std::move(twin));
    return static_cast<int32_t>(model_.tensors.size() - 1);
  }

  ir::Model model_;
  const std::vector<std::optional<TensorRange>>& ranges_;
  QuantizeOptions options_;
  std::vector<bool> done_;
};

}  // namespace

ir::Model quantize_model_with_ranges(const ir::Model& float_model,
                                     const std::vector<std::optional<TensorRange>>& ranges,
                                     const QuantizeOptions& options) {
  return Quantizer(float_model, ranges, options).run();
}

ir::Model quantize_model(const ir::Model& float_model, std::span<const std::vector<float>> samples,
                         const QuantizeOptions& options) {
  return quantize_model_with_ranges(float_model, calibrate(float_model, samples), options);
}

}  // namespace kiln::quant
