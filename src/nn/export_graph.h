// Builds the float ir::Model of an exported network one operator at a time. Tensors follow TFLite
// conventions: batch 1 first, NHWC activations, float32 everywhere.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/model.h"
#include "nn/tensor.h"

namespace kiln::nn {

class ExportGraph {
 public:
  // Starts a graph whose input holds one sample of `sample_shape`.
  ExportGraph(const Shape& sample_shape, std::string description);

  // The tensor the next operator reads (the output of the last one) and its shape.
  int32_t current() const { return current_; }
  const std::vector<int32_t>& current_shape() const;

  int32_t add_constant(std::string name, std::vector<int32_t> shape, std::span<const float> values);
  int32_t add_int32_constant(std::string name, std::vector<int32_t> shape,
                             std::span<const int32_t> values);
  // Appends an operator writing a new float tensor `output_name` of `output_shape`, which becomes
  // the current tensor.
  void add_op(ir::OpType type, std::vector<int32_t> inputs, std::string output_name,
              std::vector<int32_t> output_shape, ir::OpOptions options);
  // Gives the current tensor `shape` (same element count): nothing if it already has it, else a
  // RESHAPE; a RESHAPE that was the last operator is retargeted rather than chained.
  void reshape_to(const std::vector<int32_t>& shape, const std::string& output_name);

  // Marks the current tensor as the model output, validates and returns the model.
  ir::Model finish();

 private:
  ir::Model model_;
  int32_t current_ = 0;
  bool last_op_is_own_reshape_ = false;  // the last operator was added by reshape_to
};

// Shape {1, dims...} as TFLite's int32 dimensions.
std::vector<int32_t> batch_one(const Shape& sample_shape);

}  // namespace kiln::nn
