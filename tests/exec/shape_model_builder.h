// Builds tiny single-operator IR models for the prepare tests of the data-movement operators.
#pragma once

#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "ir/model.h"

namespace kiln::testing {

class OpModelBuilder {
 public:
  // An activation tensor; quantized when scale > 0.
  int32_t tensor(std::vector<int32_t> shape, ir::DType dtype, float scale = 0.0f,
                 int64_t zero_point = 0) {
    ir::Tensor t;
    t.name = "t" + std::to_string(model_.tensors.size());
    t.shape = std::move(shape);
    t.dtype = dtype;
    if (scale > 0.0f) {
      t.quant.scale = {scale};
      t.quant.zero_point = {zero_point};
    }
    model_.tensors.push_back(std::move(t));
    return static_cast<int32_t>(model_.tensors.size()) - 1;
  }

  // A constant int32 tensor (1-D unless a shape is given).
  int32_t constant_i32(const std::vector<int32_t>& values, std::vector<int32_t> shape = {}) {
    if (shape.empty()) shape = {static_cast<int32_t>(values.size())};
    const int32_t index = tensor(std::move(shape), ir::DType::kInt32);
    auto& data = model_.tensors[static_cast<size_t>(index)].data;
    data.resize(values.size() * 4);
    std::memcpy(data.data(), values.data(), data.size());
    return index;
  }

  int32_t constant_i64(const std::vector<int64_t>& values, std::vector<int32_t> shape = {}) {
    if (shape.empty()) shape = {static_cast<int32_t>(values.size())};
    const int32_t index = tensor(std::move(shape), ir::DType::kInt64);
    auto& data = model_.tensors[static_cast<size_t>(index)].data;
    data.resize(values.size() * 8);
    std::memcpy(data.data(), values.data(), data.size());
    return index;
  }

  // Adds the operator; the model's inputs are the op's non-constant inputs, its output the op's.
  ir::Model& op(ir::OpType type, std::vector<int32_t> inputs, int32_t output,
                ir::OpOptions options = {}) {
    ir::Operator o;
    o.type = type;
    o.inputs = std::move(inputs);
    o.outputs = {output};
    o.options = std::move(options);
    for (int32_t i : o.inputs)
      if (i != ir::kNoTensor && !model_.tensors[static_cast<size_t>(i)].is_constant())
        model_.inputs.push_back(i);
    model_.outputs = {output};
    model_.operators.push_back(std::move(o));
    return model_;
  }

  ir::Model& model() { return model_; }

 private:
  ir::Model model_;
};

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <typename T>
std::vector<T> values_of(std::span<const uint8_t> bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

}  // namespace kiln::testing
