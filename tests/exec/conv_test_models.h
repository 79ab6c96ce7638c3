// Small hand-built IR models for the convolution-family prepare tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ir/model.h"

namespace kiln::testing {

template <class T>
std::vector<uint8_t> raw_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// Builds a model tensor by tensor; the operator's tensors become model inputs/outputs as given.
struct ModelBuilder {
  ir::Model model;

  int32_t tensor(const std::string& name, std::vector<int32_t> shape, ir::DType dtype,
                 std::vector<float> scales = {}, std::vector<int64_t> zero_points = {},
                 int32_t axis = 0, std::vector<uint8_t> data = {}) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.dtype = dtype;
    t.quant.scale = std::move(scales);
    t.quant.zero_point = std::move(zero_points);
    if (t.quant.zero_point.empty()) t.quant.zero_point.assign(t.quant.scale.size(), 0);
    t.quant.axis = axis;
    t.data = std::move(data);
    model.tensors.push_back(std::move(t));
    return static_cast<int32_t>(model.tensors.size() - 1);
  }

  // Adds an operator whose first input is the model input and first output the model output.
  ir::Operator& op(ir::OpType type, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                   ir::OpOptions options) {
    ir::Operator o;
    o.type = type;
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    o.options = std::move(options);
    model.inputs = {o.inputs.at(0)};
    model.outputs = {o.outputs.at(0)};
    model.operators.push_back(std::move(o));
    return model.operators.back();
  }
};

}  // namespace kiln::testing
