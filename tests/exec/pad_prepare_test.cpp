#include "exec/ops/pad.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "exec/executor.h"
#include "shape_model_builder.h"

namespace kiln::exec {
namespace {

using ir::DType;
using ir::OpType;
using testing::OpModelBuilder;

TEST(PadPrepare, Int8PadsWithOutputZeroPoint) {
  OpModelBuilder b;
  const int32_t in = b.tensor({1, 2, 2, 1}, DType::kInt8, 0.1f, -3);
  const int32_t pads = b.constant_i32({0, 0, 1, 1, 2, 0, 0, 0}, {4, 2});
  const int32_t out = b.tensor({1, 4, 4, 1}, DType::kInt8, 0.1f, -3);
  const ir::Model& m = b.op(OpType::kPad, {in, pads}, out);
  const PadPrepared p = prepare_pad(m, m.operators[0]);
  EXPECT_EQ(p.pad_value_int, -3);
  // Rank 4 is padded to 5 with a leading unit axis.
  const int32_t shape[5] = {1, 1, 2, 2, 1}, before[5] = {0, 0, 1, 2, 0}, after[5] = {0, 0, 1, 0, 0};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(p.params.input_shape[i], shape[i]) << i;
    EXPECT_EQ(p.params.before[i], before[i]) << i;
    EXPECT_EQ(p.params.after[i], after[i]) << i;
  }
}

TEST(PadPrepare, FloatPadsWithZeroAndAcceptsInt64Paddings) {
  OpModelBuilder b;
  const int32_t in = b.tensor({3}, DType::kFloat32);
  const int32_t pads = b.constant_i64({2, 1}, {1, 2});
  const int32_t out = b.tensor({6}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kPad, {in, pads}, out);
  const PadPrepared p = prepare_pad(m, m.operators[0]);
  EXPECT_EQ(p.pad_value_float, 0.0f);
  EXPECT_EQ(p.params.before[4], 2);
  EXPECT_EQ(p.params.after[4], 1);
}

TEST(PadPrepare, RejectsNonConstantPaddings) {
  OpModelBuilder b;
  const int32_t in = b.tensor({3}, DType::kFloat32);
  const int32_t pads = b.tensor({1, 2}, DType::kInt32);
  const int32_t out = b.tensor({6}, DType::kFloat32);
  const ir::Model& m = b.op(OpType::kPad, {in, pads}, out);
  try {
    prepare_pad(m, m.operators[0]);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "PAD: paddings must be constant");
  }
}

TEST(PadPrepare, RejectsInconsistentShapes) {
  const auto attempt = [](std::vector<int32_t> in_shape, std::vector<int32_t> pads,
                          std::vector<int32_t> pads_shape, std::vector<int32_t> out_shape) {
    OpModelBuilder b;
    const int32_t in = b.tensor(in_shape, DType::kInt8, 1.0f, 0);
    const int32_t p = b.constant_i32(pads, pads_shape);
    const int32_t out = b.tensor(out_shape, DType::kInt8, 1.0f, 0);
    const ir::Model& m = b.op(OpType::kPad, {in, p}, out);
    prepare_pad(m, m.operators[0]);
  };
  EXPECT_NO_THROW(attempt({2, 2}, {1, 0, 0, 1}, {2, 2}, {3, 3}));
  EXPECT_THROW(attempt({2, 2}, {1, 0, 0, 1}, {2, 2}, {3, 2}), Error);   // wrong output size
  EXPECT_THROW(attempt({2, 2}, {1, 0}, {1, 2}, {3, 2}), Error);         // too few paddings
  EXPECT_THROW(attempt({2, 2}, {-1, 0, 0, 1}, {2, 2}, {1, 3}), Error);  // negative padding
  EXPECT_THROW(attempt({1, 1, 1, 1, 1, 1}, std::vector<int32_t>(12, 0), {6, 2}, {1, 1, 1, 1, 1, 1}),
               Error);  // rank 6
}

TEST(PadKernel, Int8ThroughExecutor) {
  OpModelBuilder b;
  const int32_t in = b.tensor({2, 2}, DType::kInt8, 0.5f, 7);
  const int32_t pads = b.constant_i32({0, 1, 1, 0}, {2, 2});
  const int32_t out = b.tensor({3, 3}, DType::kInt8, 0.5f, 7);
  const ir::Model& m = b.op(OpType::kPad, {in, pads}, out);
  Executor ex(m);
  ex.set_input(0, testing::bytes_of(std::vector<int8_t>{1, 2, 3, 4}));
  ex.invoke();
  EXPECT_EQ(testing::values_of<int8_t>(ex.output(0)),
            (std::vector<int8_t>{7, 1, 2, 7, 3, 4, 7, 7, 7}));
}

}  // namespace
}  // namespace kiln::exec
