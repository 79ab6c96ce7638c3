#include "exec/ops/concatenation.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "exec/executor.h"
#include "shape_model_builder.h"

namespace kiln::exec {
namespace {

using ir::DType;
using ir::OpType;
using testing::OpModelBuilder;

ir::ConcatenationOptions axis_option(int32_t axis) {
  ir::ConcatenationOptions o;
  o.axis = axis;
  return o;
}

TEST(ConcatenationPrepare, NegativeAxisResolvesFromTheBack) {
  OpModelBuilder b;
  const int32_t x = b.tensor({2, 3, 4}, DType::kFloat32);
  const int32_t y = b.tensor({2, 1, 4}, DType::kFloat32);
  const int32_t out = b.tensor({2, 4, 4}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kConcatenation, {x, y}, out, axis_option(-2));
  const ConcatenationPrepared p = prepare_concatenation(m, m.operators[0]);
  EXPECT_EQ(p.axis, 1);
  EXPECT_EQ(p.params.num_inputs, 2);
  EXPECT_EQ(p.params.outer_size, 2);
  EXPECT_EQ(p.params.inner_size, 4);
  EXPECT_EQ(p.params.axis_sizes[0], 3);
  EXPECT_EQ(p.params.axis_sizes[1], 1);
}

TEST(ConcatenationPrepare, Int8WithDifferentQuantizationIsCopiedLikeTflm) {
  OpModelBuilder b;
  const int32_t x = b.tensor({1, 2}, DType::kInt8, 0.1f, 0);
  const int32_t y = b.tensor({1, 2}, DType::kInt8, 0.3f, 5);
  const int32_t out = b.tensor({1, 4}, DType::kInt8, 0.2f, 1);
  const ir::Model& m = b.op(OpType::kConcatenation, {x, y}, out, axis_option(1));
  Executor ex(m);
  ex.set_input(0, testing::bytes_of(std::vector<int8_t>{1, 2}));
  ex.set_input(1, testing::bytes_of(std::vector<int8_t>{-3, 4}));
  ex.invoke();
  EXPECT_EQ(testing::values_of<int8_t>(ex.output(0)), (std::vector<int8_t>{1, 2, -3, 4}));
}

TEST(ConcatenationPrepare, RejectsInconsistentModels) {
  {  // off-axis dimension differs
    OpModelBuilder b;
    const int32_t x = b.tensor({2, 3}, DType::kFloat32);
    const int32_t y = b.tensor({3, 3}, DType::kFloat32);
    const int32_t out = b.tensor({2, 6}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kConcatenation, {x, y}, out, axis_option(1));
    EXPECT_THROW(prepare_concatenation(m, m.operators[0]), Error);
  }
  {  // axis sizes do not add up
    OpModelBuilder b;
    const int32_t x = b.tensor({2, 3}, DType::kFloat32);
    const int32_t y = b.tensor({2, 3}, DType::kFloat32);
    const int32_t out = b.tensor({2, 5}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kConcatenation, {x, y}, out, axis_option(-1));
    EXPECT_THROW(prepare_concatenation(m, m.operators[0]), Error);
  }
  {  // axis out of range
    OpModelBuilder b;
    const int32_t x = b.tensor({2, 3}, DType::kFloat32);
    const int32_t out = b.tensor({2, 3}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kConcatenation, {x}, out, axis_option(-3));
    EXPECT_THROW(prepare_concatenation(m, m.operators[0]), Error);
  }
  {  // fused activation, which TFLM rejects too
    OpModelBuilder b;
    const int32_t x = b.tensor({2}, DType::kFloat32);
    const int32_t out = b.tensor({2}, DType::kFloat32);
    ir::ConcatenationOptions o;
    o.activation = ir::Activation::kRelu;
    const ir::Model& m = b.op(OpType::kConcatenation, {x}, out, o);
    EXPECT_THROW(prepare_concatenation(m, m.operators[0]), Error);
  }
  {  // more than 10 inputs
    OpModelBuilder b;
    std::vector<int32_t> inputs;
    for (int i = 0; i < 11; ++i) inputs.push_back(b.tensor({1}, DType::kFloat32));
    const int32_t out = b.tensor({11}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kConcatenation, inputs, out, axis_option(0));
    EXPECT_THROW(prepare_concatenation(m, m.operators[0]), Error);
  }
}

TEST(ConcatenationKernel, FloatMiddleAxisThroughExecutor) {
  OpModelBuilder b;
  const int32_t x = b.tensor({2, 1, 2}, DType::kFloat32);
  const int32_t y = b.tensor({2, 2, 2}, DType::kFloat32);
  const int32_t out = b.tensor({2, 3, 2}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kConcatenation, {x, y}, out, axis_option(1));
  Executor ex(m);
  ex.set_input(0, testing::bytes_of(std::vector<float>{1, 2, 3, 4}));
  ex.set_input(1, testing::bytes_of(std::vector<float>{10, 11, 12, 13, 14, 15, 16, 17}));
  ex.invoke();
  EXPECT_EQ(testing::values_of<float>(ex.output(0)),
            (std::vector<float>{1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17}));
}

}  // namespace
}  // namespace kiln::exec
