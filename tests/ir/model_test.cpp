#include "ir/model.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::ir {
namespace {

Model two_tensor_model() {
  Model m;
  m.tensors.push_back({"in", {1, 4}, DType::kInt8, {{0.5f}, {3}, 0}, {}, false});
  m.tensors.push_back({"out", {1, 4}, DType::kInt8, {{0.5f}, {3}, 0}, {}, false});
  m.operators.push_back({OpType::kRelu, 1, {0}, {1}, {}, {}});
  m.inputs = {0};
  m.outputs = {1};
  return m;
}

TEST(ModelTest, SizesFollowShapeAndType) {
  Tensor t{"w", {2, 3, 4}, DType::kInt16, {}, {}, false};
  EXPECT_EQ(t.num_elements(), 24);
  EXPECT_EQ(t.num_bytes(), 48);
}

TEST(ModelTest, ValidModelPasses) {
  EXPECT_NO_THROW(validate(two_tensor_model()));
}

TEST(ModelTest, RejectsOutOfRangeTensorIndex) {
  Model m = two_tensor_model();
  m.operators[0].inputs = {7};
  EXPECT_THROW(validate(m), Error);
}

TEST(ModelTest, RejectsConstantDataOfWrongSize) {
  Model m = two_tensor_model();
  m.tensors[0].data = {1, 2, 3};
  EXPECT_THROW(validate(m), Error);
}

TEST(ModelTest, RejectsNegativeDimension) {
  Model m = two_tensor_model();
  m.tensors[1].shape = {1, -4};
  EXPECT_THROW(validate(m), Error);
}

TEST(ModelTest, OptionalInputAbsent) {
  Model m = two_tensor_model();
  m.operators[0].inputs = {0, kNoTensor};
  EXPECT_EQ(m.optional_input(m.operators[0], 1), nullptr);
  EXPECT_EQ(m.optional_input(m.operators[0], 0), &m.tensors[0]);
}

}  // namespace
}  // namespace kiln::ir
