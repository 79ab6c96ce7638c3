// Builds single-operator IR models for the prepare tests of the arithmetic family.
#pragma once

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "ir/model.h"

namespace kiln::testing {

class ArithModel {
 public:
  // An activation tensor, quantized per tensor when scale > 0.
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

  int32_t constant_i32(const std::vector<int32_t>& values) {
    const int32_t index = tensor({static_cast<int32_t>(values.size())}, ir::DType::kInt32);
    auto& data = model_.tensors[static_cast<size_t>(index)].data;
    data.resize(values.size() * sizeof(int32_t));
    std::memcpy(data.data(), values.data(), data.size());
    return index;
  }

  ir::Tensor& at(int32_t index) { return model_.tensors[static_cast<size_t>(index)]; }

  // Adds the operator; model inputs are its non-constant inputs, the output its output.
  const ir::Model& op(ir::OpType type, std::vector<int32_t> inputs, int32_t output,
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

  const ir::Operator& first_op() const { return model_.operators.at(0); }
  const ir::Model& model() const { return model_; }

 private:
  ir::Model model_;
};

}  // namespace kiln::testing
