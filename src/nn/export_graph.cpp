#include "nn/export_graph.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"

namespace kiln::nn {

namespace {

template <typename T>
std::vector<uint8_t> raw_bytes(std::span<const T> values) {
  std::vector<uint8_t> bytes(values.size_bytes());
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

int64_t element_count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

}  // namespace

std::vector<int32_t> batch_one(const Shape& sample_shape) {
  std::vector<int32_t> shape{1};
  for (int d : sample_shape) shape.push_back(static_cast<int32_t>(d));
  return shape;
}

ExportGraph::ExportGraph(const Shape& sample_shape, std::string description) {
  model_.description = std::move(description);
  ir::Tensor input;
  input.name = "input";
  input.shape = batch_one(sample_shape);
  model_.tensors.push_back(std::move(input));
  model_.inputs = {0};
  current_ = 0;
}

const std::vector<int32_t>& ExportGraph::current_shape() const {
  return model_.tensor(current_).shape;
}

int32_t ExportGraph::add_constant(std::string name, std::vector<int32_t> shape,
                                  std::span<const float> values) {
  if (element_count(shape) != static_cast<int64_t>(values.size()))
    throw Error(fmt::format("export: constant '{}' has {} values for {} elements", name,
                            values.size(), element_count(shape)));
  ir::Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.data = raw_bytes(values);
  model_.tensors.push_back(std::move(t));
  return static_cast<int32_t>(model_.tensors.size() - 1);
}

int32_t ExportGraph::add_int32_constant(std::string name, std::vector<int32_t> shape,
                                        std::span<const int32_t> values) {
  if (element_count(shape) != static_cast<int64_t>(values.size()))
    throw Error(fmt::format("export: constant '{}' has {} values for {} elements", name,
                            values.size(), element_count(shape)));
  ir::Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.dtype = ir::DType::kInt32;
  t.data = raw_bytes(values);
  model_.tensors.push_back(std::move(t));
  return static_cast<int32_t>(model_.tensors.size() - 1);
}

void ExportGraph::add_op(ir::OpType type, std::vector<int32_t> inputs, std::string output_name,
                         std::vector<int32_t> output_shape, ir::OpOptions options) {
  ir::Tensor out;
  out.name = std::move(output_name);
  out.shape = std::move(output_shape);
  model_.tensors.push_back(std::move(out));
  const int32_t out_index = static_cast<int32_t>(model_.tensors.size() - 1);
  ir::Operator op;
  op.type = type;
  op.inputs = std::move(inputs);
  op.outputs = {out_index};
  op.options = std::move(options);
  model_.operators.push_back(std::move(op));
  current_ = out_index;
  last_op_is_own_reshape_ = false;
}

void ExportGraph::reshape_to(const std::vector<int32_t>& shape, const std::string& output_name) {
  if (shape == current_shape()) return;
  if (element_count(shape) != element_count(current_shape()))
    throw Error(fmt::format("export: cannot reshape '{}' to {} elements",
                            model_.tensor(current_).name, element_count(shape)));
  if (last_op_is_own_reshape_) {
    // The previous RESHAPE appended its shape constant and output as the last two tensors; drop
    // the whole operator and reshape its input instead, so reshapes never chain.
    const ir::Operator previous = model_.operators.back();
    model_.operators.pop_back();
    model_.tensors.resize(model_.tensors.size() - 2);
    current_ = previous.inputs[0];
    last_op_is_own_reshape_ = false;
    if (shape == current_shape()) return;
  }
  const int32_t shape_tensor = add_int32_constant(
      output_name + "/shape", {static_cast<int32_t>(shape.size())}, std::span(shape));
  add_op(ir::OpType::kReshape, {current_, shape_tensor}, output_name, shape,
         ir::ReshapeOptions{shape});
  last_op_is_own_reshape_ = true;
}

ir::Model ExportGraph::finish() {
  model_.outputs = {current_};
  ir::validate(model_);
  return model_;
}

}  // namespace kiln::nn
