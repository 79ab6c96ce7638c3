#include "exec/ops/reshape.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "exec/executor.h"
#include "shape_model_builder.h"

namespace kiln::exec {
namespace {

using ir::DType;
using ir::OpType;
using testing::OpModelBuilder;

TEST(ReshapePrepare, ResolvesMinusOneFromShapeInput) {
  OpModelBuilder b;
  const int32_t in = b.tensor({2, 2, 2}, DType::kInt8, 0.5f, 3);
  const int32_t shape = b.constant_i32({-1, 4});
  const int32_t out = b.tensor({2, 4}, DType::kInt8, 0.5f, 3);
  const ir::Model& m = b.op(OpType::kReshape, {in, shape}, out);
  const ReshapePrepared p = prepare_reshape(m, m.operators[0]);
  EXPECT_EQ(p.output_shape, (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(p.params.num_bytes, 8);
}

TEST(ReshapePrepare, UsesNewShapeOptionWithoutShapeInput) {
  OpModelBuilder b;
  const int32_t in = b.tensor({1, 6}, DType::kFloat32);
  const int32_t out = b.tensor({3, 2}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kReshape, {in}, out, ir::ReshapeOptions{{3, -1}});
  const ReshapePrepared p = prepare_reshape(m, m.operators[0]);
  EXPECT_EQ(p.output_shape, (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(p.params.num_bytes, 24);
}

TEST(ReshapePrepare, NonConstantShapeInputFallsBackToOutputShape) {
  OpModelBuilder b;
  const int32_t in = b.tensor({4}, DType::kInt16);
  const int32_t shape = b.tensor({2}, DType::kInt32);
  const int32_t out = b.tensor({2, 2}, DType::kInt16);
  const ir::Model& m = b.op(OpType::kReshape, {in, shape}, out);
  EXPECT_EQ(prepare_reshape(m, m.operators[0]).params.num_bytes, 8);
}

TEST(ReshapePrepare, RejectsInconsistentModels) {
  {  // shape input disagrees with the output tensor
    OpModelBuilder b;
    const int32_t in = b.tensor({6}, DType::kInt8, 1.0f, 0);
    const int32_t shape = b.constant_i32({2, 3});
    const int32_t out = b.tensor({3, 2}, DType::kInt8, 1.0f, 0);
    const ir::Model& m = b.op(OpType::kReshape, {in, shape}, out);
    EXPECT_THROW(prepare_reshape(m, m.operators[0]), Error);
  }
  {  // two -1
    OpModelBuilder b;
    const int32_t in = b.tensor({6}, DType::kFloat32);
    const int32_t shape = b.constant_i32({-1, -1});
    const int32_t out = b.tensor({2, 3}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kReshape, {in, shape}, out);
    EXPECT_THROW(prepare_reshape(m, m.operators[0]), Error);
  }
  {  // -1 that cannot divide the element count
    OpModelBuilder b;
    const int32_t in = b.tensor({7}, DType::kFloat32);
    const int32_t shape = b.constant_i32({2, -1});
    const int32_t out = b.tensor({7}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kReshape, {in, shape}, out);
    EXPECT_THROW(prepare_reshape(m, m.operators[0]), Error);
  }
  {  // element count changes
    OpModelBuilder b;
    const int32_t in = b.tensor({6}, DType::kFloat32);
    const int32_t out = b.tensor({5}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kReshape, {in}, out);
    EXPECT_THROW(prepare_reshape(m, m.operators[0]), Error);
  }
  {  // int8 quantization differs
    OpModelBuilder b;
    const int32_t in = b.tensor({4}, DType::kInt8, 0.5f, 1);
    const int32_t out = b.tensor({2, 2}, DType::kInt8, 0.5f, 2);
    const ir::Model& m = b.op(OpType::kReshape, {in}, out);
    try {
      prepare_reshape(m, m.operators[0]);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "RESHAPE: input and output quantization differ");
    }
  }
}

TEST(SqueezePrepare, ListedAndNegativeAxes) {
  OpModelBuilder b;
  const int32_t in = b.tensor({1, 3, 1, 2, 1}, DType::kInt8, 1.0f, 0);
  const int32_t out = b.tensor({3, 1, 2}, DType::kInt8, 1.0f, 0);
  const ir::Model& m = b.op(OpType::kSqueeze, {in}, out, ir::SqueezeOptions{{0, -1}});
  const ReshapePrepared p = prepare_squeeze(m, m.operators[0]);
  EXPECT_EQ(p.output_shape, (std::vector<int32_t>{3, 1, 2}));
  EXPECT_EQ(p.params.num_bytes, 6);
}

TEST(SqueezePrepare, AllUnitAxesWhenNoneListed) {
  OpModelBuilder b;
  const int32_t in = b.tensor({1, 3, 1, 2}, DType::kFloat32);
  const int32_t out = b.tensor({3, 2}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kSqueeze, {in}, out, ir::SqueezeOptions{});
  EXPECT_EQ(prepare_squeeze(m, m.operators[0]).output_shape, (std::vector<int32_t>{3, 2}));
}

TEST(SqueezePrepare, RejectsNonUnitAxis) {
  OpModelBuilder b;
  const int32_t in = b.tensor({1, 3}, DType::kFloat32);
  const int32_t out = b.tensor({1}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kSqueeze, {in}, out, ir::SqueezeOptions{{1}});
  EXPECT_THROW(prepare_squeeze(m, m.operators[0]), Error);
}

TEST(ExpandDimsPrepare, NegativeAndPositiveAxis) {
  for (const auto& [axis, shape] : std::vector<std::pair<int32_t, std::vector<int32_t>>>{
           {-1, {2, 3, 1}}, {0, {1, 2, 3}}, {-2, {2, 1, 3}}, {2, {2, 3, 1}}}) {
    OpModelBuilder b;
    const int32_t in = b.tensor({2, 3}, DType::kInt8, 0.1f, -4);
    const int32_t a = b.constant_i32({axis});
    const int32_t out = b.tensor(shape, DType::kInt8, 0.1f, -4);
    const ir::Model& m = b.op(OpType::kExpandDims, {in, a}, out);
    EXPECT_EQ(prepare_expand_dims(m, m.operators[0]).output_shape, shape) << "axis " << axis;
  }
}

TEST(ExpandDimsPrepare, RejectsBadAxis) {
  {
    OpModelBuilder b;
    const int32_t in = b.tensor({2, 3}, DType::kFloat32);
    const int32_t a = b.constant_i32({3});
    const int32_t out = b.tensor({2, 3, 1}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kExpandDims, {in, a}, out);
    EXPECT_THROW(prepare_expand_dims(m, m.operators[0]), Error);
  }
  {
    OpModelBuilder b;
    const int32_t in = b.tensor({2, 3}, DType::kFloat32);
    const int32_t a = b.tensor({1}, DType::kInt32);
    const int32_t out = b.tensor({2, 3, 1}, DType::kFloat32);
    const ir::Model& m = b.op(OpType::kExpandDims, {in, a}, out);
    try {
      prepare_expand_dims(m, m.operators[0]);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "EXPAND_DIMS: axis must be constant");
    }
  }
}

TEST(ReshapeKernel, RunsThroughExecutor) {
  OpModelBuilder b;
  const int32_t in = b.tensor({2, 3}, DType::kInt8, 0.2f, 1);
  const int32_t shape = b.constant_i32({3, 2});
  const int32_t out = b.tensor({3, 2}, DType::kInt8, 0.2f, 1);
  const ir::Model& m = b.op(OpType::kReshape, {in, shape}, out);
  Executor ex(m);
  const std::vector<int8_t> data = {1, -2, 3, -4, 5, -128};
  ex.set_input(0, testing::bytes_of(data));
  ex.invoke();
  EXPECT_EQ(testing::values_of<int8_t>(ex.output(0)), data);
}

}  // namespace
}  // namespace kiln::exec
